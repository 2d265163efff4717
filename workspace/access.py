"""Who may use the agents' pages, and the scoped getters every view starts from."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django_htmx.http import HttpResponseClientRedirect

from accounts.roles import is_agent
from tickets.models import Ticket


def agent_required(view):
    """Signed-in agents only (accounts.roles.is_agent): others are sent to sign in, or told in Spanish (403)."""

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


def ticket_for_agent(request, pk: int, queryset=None) -> Ticket:
    """The ticket an agent asked for, or 404. Every agent sees every ticket of the desk
    (docs/process.md, «Who may do what»); the view is already behind `agent_required`."""
    return get_object_or_404(queryset if queryset is not None else Ticket.objects.all(), pk=pk)
