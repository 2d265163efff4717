import time

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from helpdesk.client_ip import client_address
from helpdesk.ratelimits import limit_hit, limit_reached
from tickets.attachments import attachment_limits, limit_uploads
from tickets.links import requester_page, scope_grant
from tickets.models import Ticket

from .forms import ReportForm
from .services import report_submit

# The confirmation page shows the report this browser just sent, for a day; nothing of it
# travels in the address (the session keeps which ticket).
CONFIRMATION_SESSION_KEY = "reported_ticket"
CONFIRMATION_MAX_AGE = 24 * 60 * 60  # seconds


def confirmation_remember(request, ticket: Ticket) -> None:
    """After a report: this browser sees its confirmation page and the ticket's page."""
    scope_grant(request, ticket)
    request.session[CONFIRMATION_SESSION_KEY] = {"id": ticket.pk, "at": int(time.time())}


def ticket_for_confirmation(request) -> Ticket | None:
    """The ticket this browser reported less than a day ago; None otherwise."""
    remembered = request.session.get(CONFIRMATION_SESSION_KEY) or {}
    if not isinstance(remembered, dict) or time.time() - remembered.get("at", 0) > CONFIRMATION_MAX_AGE:
        return None
    return Ticket.objects.select_related("module").prefetch_related("attachments").filter(pk=remembered.get("id")).first()


def _report_limit(request) -> dict:
    return {"group": "intake-report", "key": client_address(request), "rate": settings.HELPDESK_REPORT_RATE_LIMIT}


def _limit_reached(request) -> bool:
    """This address has sent its reports for the period (refused before reading the form)."""
    return limit_reached(**_report_limit(request))


def _count_report(request) -> bool:
    """Count one report of this address, atomically; False when it is over the limit."""
    return limit_hit(**_report_limit(request)) == 0


def _typed_data(request) -> dict:
    """What the person typed, as initial values of a fresh form (no errors shown)."""
    fields = ReportForm.base_fields
    return {key: request.POST.get(key) for key in request.POST if key in fields and key not in ("files", "sitio_web")}


def _rate_limited(request, *, files_chosen: bool):
    context = {"form": ReportForm(initial=_typed_data(request)), "rate_limited": True, "files_chosen": files_chosen}
    return render(request, "intake/report_form.html", context, status=429)


@limit_uploads
@require_http_methods(["GET", "POST"])
def report(request):
    """The public form: no login. POST → ticket → redirect to its confirmation (session)."""
    files_chosen = False
    if request.method == "POST":
        files_chosen = bool(request.FILES.getlist("files"))
        if request.upload_too_large:
            context = {"form": ReportForm(initial=_typed_data(request)), "upload_too_large": True, "limits": attachment_limits()}
            return render(request, "intake/report_form.html", context, status=413)
        if _limit_reached(request):
            return _rate_limited(request, files_chosen=files_chosen)
        if request.POST.get("sitio_web"):
            _count_report(request)
            return redirect("intake:received")
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            # The count decides here, once the report is complete: N reports at once get
            # exactly the limit through.
            if not _count_report(request):
                return _rate_limited(request, files_chosen=files_chosen)
            ticket = report_submit(**form.submission())
            confirmation_remember(request, ticket)
            return redirect("intake:confirmation")
    else:
        form = ReportForm()
    status = 400 if form.is_bound else 200  # a bound form here did not validate
    return render(request, "intake/report_form.html", {"form": form, "files_chosen": files_chosen}, status=status)


@requester_page
def confirmation(request):
    ticket = ticket_for_confirmation(request)
    if ticket is None:
        return render(request, "intake/confirmation_invalid.html", status=404)
    context = {"ticket": ticket, "cancelled": ticket.state == Ticket.State.CANCELLED}
    return render(request, "intake/confirmation.html", context)


def received(request):
    """Where the honeypot leads: thanks, and nothing else."""
    return render(request, "intake/received.html")
