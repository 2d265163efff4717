"""The door of the staff's pages, shared by every surface that has them (the workspace,
the phone channel of intake), as django.contrib.auth.decorators is Django's."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect

from .roles import is_agent


def agent_required(view):
    """Signed-in agents only: others are sent to sign in, or told in Spanish (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                # An expired session during a refresh: reload the whole page to sign in,
                # rather than pasting the sign-in form into a fragment.
                current = urlsplit(request.htmx.current_url or "")
                page = f"{current.path}?{current.query}" if current.query else current.path
                return HttpResponseClientRedirect(redirect_to_login(page or request.get_full_path())["Location"])
            return redirect_to_login(request.get_full_path())
        if not is_agent(request.user):
            return render(request, "workspace/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
