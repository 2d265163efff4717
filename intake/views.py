from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from helpdesk.clients import client_address
from tickets.links import requester_token
from tickets.models import Ticket

from .forms import ReportForm
from .services import report_submit
from .uploads import attachment_limits, limit_uploads

CONFIRMATION_SALT = "intake.confirmation"
CONFIRMATION_MAX_AGE = 24 * 60 * 60  # seconds


def confirmation_token(ticket: Ticket) -> str:
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(str(ticket.pk))


def ticket_for_confirmation(token: str) -> Ticket | None:
    """The ticket a signed, unexpired confirmation link names; None otherwise."""
    try:
        pk = signing.TimestampSigner(salt=CONFIRMATION_SALT).unsign(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a BadSignature)
        return None
    return Ticket.objects.select_related("module").prefetch_related("attachments").filter(pk=pk).first()


def _rate_key(request) -> str:
    return f"intake-report:{client_address(request)}"


def _rate_limited(request) -> bool:
    limit, _seconds = settings.HELPDESK_REPORT_RATE_LIMIT
    return cache.get(_rate_key(request), 0) >= limit


def _count_report(request) -> None:
    _limit, seconds = settings.HELPDESK_REPORT_RATE_LIMIT
    key = _rate_key(request)
    cache.add(key, 0, seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)


def _typed_data(request) -> dict:
    """What the person typed, as initial values of a fresh form (no errors shown)."""
    fields = ReportForm.base_fields
    return {key: request.POST.get(key) for key in request.POST if key in fields and key not in ("files", "sitio_web")}


@limit_uploads
@require_http_methods(["GET", "POST"])
def report(request):
    """The public form: no login. POST → ticket → redirect to a signed confirmation."""
    files_chosen = False
    if request.method == "POST":
        files_chosen = bool(request.FILES.getlist("files"))
        if request.upload_too_large:
            context = {"form": ReportForm(initial=_typed_data(request)), "upload_too_large": True, "limits": attachment_limits()}
            return render(request, "intake/report_form.html", context, status=413)
        if _rate_limited(request):
            context = {"form": ReportForm(initial=_typed_data(request)), "rate_limited": True, "files_chosen": files_chosen}
            return render(request, "intake/report_form.html", context, status=429)
        if request.POST.get("sitio_web"):
            _count_report(request)
            return redirect("intake:received")
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            _count_report(request)
            ticket = report_submit(**form.submission())
            return redirect("intake:confirmation", token=confirmation_token(ticket))
    else:
        form = ReportForm()
    status = 400 if form.is_bound else 200  # a bound form here did not validate
    return render(request, "intake/report_form.html", {"form": form, "files_chosen": files_chosen}, status=status)


def confirmation(request, token):
    ticket = ticket_for_confirmation(token)
    if ticket is None:
        return render(request, "intake/confirmation_invalid.html", status=404)
    context = {
        "ticket": ticket,
        "cancelled": ticket.state == Ticket.State.CANCELLED,
        "follow_token": requester_token(ticket),
    }
    return render(request, "intake/confirmation.html", context)


def received(request):
    """Where the honeypot leads: thanks, and nothing else."""
    return render(request, "intake/received.html")
