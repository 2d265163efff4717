import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from catalog.models import Module
from helpdesk.client_ip import client_address
from helpdesk.ratelimits import limit_hit, limit_reached
from knowledge.models import Article
from knowledge.services import deflection_record, suggestions_record
from tickets.attachments import attachment_limits, limit_uploads
from tickets.links import requester_page, scope_grant
from tickets.models import Ticket

from . import suggestions
from .forms import ReportForm
from .services import report_submit

logger = logging.getLogger(__name__)

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
            _record_suggestions(request, ticket)
            confirmation_remember(request, ticket)
            return redirect("intake:confirmation")
    else:
        form = ReportForm(initial=_preselected(request))
    status = 400 if form.is_bound else 200  # a bound form here did not validate
    return render(request, "intake/report_form.html", {"form": form, "files_chosen": files_chosen}, status=status)


def _preselected(request) -> dict:
    """?modulo=<pk> (the help center's "Reportar una incidencia") chooses an active module;
    any other value is ignored."""
    pk = suggestions.as_id(request.GET.get("modulo"))
    if pk is None or not Module.objects.active().filter(pk=pk).exists():
        return {}
    return {"module": pk}


def _record_suggestions(request, ticket: Ticket) -> None:
    """The articles suggested to this browser, recorded against the report it sent anyway,
    then forgotten. Never costs the report: a failure is logged and the ticket stands."""
    ids = suggestions.remembered_ids(request.session)
    if not ids and suggestions.SESSION_KEY not in request.session:
        return
    try:
        with transaction.atomic():
            suggestions_record(ticket=ticket, article_ids=ids)
    except Exception:  # noqa: BLE001 - the report is sent already: warn and go on
        logger.warning("The suggestions shown before ticket %s were not recorded", ticket.pk, exc_info=True)
    suggestions.forget(request.session)


@require_safe
def suggestions_list(request):
    """The public articles for what is being typed (subject, description, module): the
    report form's aside asks for the fragment with htmx; without htmx, a page of its own.
    Reads only, but for the session remembering which articles this browser was shown.
    Over the rate limit: nothing suggested (never an error)."""
    articles = []
    if not suggestions.rate_limited(request):
        articles = suggestions.suggestions_for(
            request.GET.get("subject", ""),
            request.GET.get("description", ""),
            suggestions.as_id(request.GET.get("module")),
        )
        suggestions.remember_shown(request.session, articles)
    if request.htmx:
        return render(request, "intake/_suggestions.html#list", {"articles": articles})
    return render(request, "intake/_suggestions.html", {"articles": articles, "level": 2})


# The thanks page names the article that solved the problem (the session keeps which).
DEFLECTED_SESSION_KEY = "deflected_article"


def _deflect_limit(request) -> dict:
    return {"group": "intake-deflect", "key": client_address(request), "rate": settings.HELPDESK_SUGGESTIONS_RATE_LIMIT}


@require_POST
def deflect(request):
    """ "Esto resolvió mi problema": a deflection of a public article, no ticket; then the
    thanks page (PRG). Any other article: 404 in Spanish, nothing recorded."""
    pk = suggestions.as_id(request.POST.get("article"))
    if pk is None:
        return render(request, "intake/deflected.html", {"unknown": True}, status=400)
    article = Article.objects.public().filter(pk=pk).first()
    if article is None:
        return render(request, "intake/deflected.html", {"unknown": True}, status=404)
    if limit_hit(**_deflect_limit(request)) == 0:
        try:
            deflection_record(article=article)
        except ValidationError:  # it stopped being public in between
            return render(request, "intake/deflected.html", {"unknown": True}, status=404)
    suggestions.forget(request.session)
    request.session[DEFLECTED_SESSION_KEY] = article.pk
    return redirect("intake:deflected")


@require_safe
def deflected(request):
    """Thanks, and the way out: the help center and the home page."""
    pk = request.session.get(DEFLECTED_SESSION_KEY)
    article = Article.objects.public().filter(pk=pk).first() if isinstance(pk, int) else None
    return render(request, "intake/deflected.html", {"article": article})


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
