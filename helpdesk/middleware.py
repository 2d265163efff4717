from django.conf import settings
from django.shortcuts import render

from .validation import unstorable_character


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


class UnstorableInputMiddleware:
    """Answers 400 with a short Spanish page when the path, the query string or a form body
    carries NUL or a lone surrogate (helpdesk.validation): PostgreSQL can neither store
    nor compare text with NUL, so a search box that passes it along (the admin's, for
    one) would otherwise answer 500. The forms refuse the same characters field by field;
    this is the net under every page.

    A form body is read here only when the CSRF middleware reads it anyway (a POST to a
    view that is not CSRF-exempt). Exempt views parse their own bodies: the API reads
    JSON, the upload views install their upload limits first (intake.uploads), the email
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
