import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .validation import unstorable_character

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header on every response.

    The admin's own templates set a few inline styles, so its pages also allow
    inline style attributes; scripts stay 'self' everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = settings.CONTENT_SECURITY_POLICY
            if request.path.startswith("/admin/"):
                policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
            response["Content-Security-Policy"] = policy
        return response


# Seconds a client is asked to wait before trying again while the database is down.
DATABASE_RETRY_AFTER = 30
# Fields never written back into a page, whatever the form.
_SECRET_FIELD_WORDS = ("password", "contrasena", "clave", "token", "secret")
_MAX_TYPED_FIELDS = 50
_MAX_TYPED_CHARS = 20_000


def _mark_database_error(sender, request=None, **kwargs):
    """Django turns an exception raised inside a middleware (e.g. the session being saved)
    into a 500 before the middleware around it sees the exception; this signal is sent
    first, so DatabaseUnavailableMiddleware learns that the 500 was the database."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """While the database is down (django.db.OperationalError / InterfaceError) a page
    answers 503 with Retry-After and templates/503.html, rendered without the request (no
    context processor, session or user: they would need the dead database); /api/ answers
    a JSON 503. A form sent meanwhile is written back into the page, ready to send again.

    Placed before SessionMiddleware and AuthenticationMiddleware, so that their failures
    are caught too (through got_request_exception, see _mark_database_error)."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_database_error, dispatch_uid="helpdesk-database-unavailable")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_unavailable", False):
            replaced = response
            response = self.unavailable(request)
            for header in ("Content-Security-Policy", "X-Frame-Options"):
                if header in replaced:
                    response[header] = replaced[header]
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
            return self.unavailable(request)
        return None

    def unavailable(self, request):
        if request.path.startswith("/api/"):
            message = _("La base de datos no está disponible por el momento. Intente de nuevo en unos segundos.")
            response = JsonResponse({"error": str(message)}, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            typed = self._typed(request)
            context = {
                "desk_name": settings.HELPDESK_NAME,
                "desk_support_email": settings.HELPDESK_SUPPORT_EMAIL,
                "desk_support_phone": settings.HELPDESK_SUPPORT_PHONE,
                "typed": typed,
                "shown": [value for name, value in typed if name != "csrfmiddlewaretoken" and value.strip()],
                "files_lost": bool(request.method == "POST" and self._files(request)),
                "action": request.get_full_path(),
                "language_code": translation.get_language(),
            }
            response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        patch_cache_control(response, no_store=True)
        return response

    @staticmethod
    def _typed(request) -> list[tuple[str, str]]:
        """What a POST carried, secrets left out: (name, value) pairs to send again."""
        if request.method != "POST":
            return []
        try:
            items = [(name, value) for name, values in request.POST.lists() for value in values]
        except Exception:  # an unreadable or oversized body: nothing to write back
            return []
        return [
            (name, value[:_MAX_TYPED_CHARS])
            for name, value in items[:_MAX_TYPED_FIELDS]
            if not any(word in name.lower() for word in _SECRET_FIELD_WORDS)
        ]

    @staticmethod
    def _files(request):
        try:
            return request.FILES
        except Exception:
            return {}


class UnstorableInputMiddleware:
    """Answers 400 with a short Spanish page when the path, the query string or a form body
    carries NUL or a lone surrogate (helpdesk.validation): PostgreSQL can neither store
    nor compare text with NUL, so a search box that passes it along (the admin's, for
    one) would otherwise answer 500. The forms refuse the same characters field by field;
    this is the net under every page.

    A form body is read here only when the CSRF middleware reads it anyway (a POST to a
    view that is not CSRF-exempt). Exempt views parse their own bodies: the API reads
    JSON, the upload views install their upload limits first (tickets.attachments), the email
    webhooks take raw mail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        sources = [request.GET]
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
            sources.append(request.POST)
        texts = [request.path_info]
        for source in sources:
            for key, values in source.lists():
                texts.append(key)
                texts.extend(values)
        if any(unstorable_character(text) for text in texts):
            return render(request, "400.html", {"unstorable_input": True}, status=400)
        return None
