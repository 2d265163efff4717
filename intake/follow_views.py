"""The requester's page: their ticket, its public conversation and a reply form,
reached by the link in every email (no password). The link opens once (tickets.links)
and leads here, to an address without any secret that only a browser the link opened
may see; any other browser, or another ticket's reference, gets a plain not-found page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tickets.attachments import attachment_limits, limit_uploads
from tickets.downloads import attachment_download
from tickets.link_views import link_open
from tickets.links import requester_page, ticket_in_scope, ticket_path
from tickets.models import Attachment, Message, RequesterLink, Ticket

from .follow_forms import FollowReplyForm
from .services import requester_reply

# What each state means for the person waiting, in one line.
STATE_EXPLANATIONS = {
    Ticket.State.OPEN: gettext_lazy("Recibimos su reporte; un técnico lo tomará pronto."),
    Ticket.State.IN_PROGRESS: gettext_lazy("Un técnico está trabajando en su reporte."),
    Ticket.State.PENDING_USER: gettext_lazy("Esperamos su respuesta para continuar."),
    Ticket.State.PENDING_VENDOR: gettext_lazy("Esperamos la respuesta de un proveedor externo; le avisaremos al tenerla."),
    Ticket.State.SOLVED: gettext_lazy("Le enviamos una solución y esperamos su confirmación."),
    Ticket.State.CLOSED: gettext_lazy("El ticket está cerrado: la atención terminó."),
    Ticket.State.CANCELLED: gettext_lazy("El ticket se canceló y no se atenderá."),
}

PUBLIC_KINDS = (Message.Kind.PUBLIC_REPLY, Message.Kind.FROM_REQUESTER)


def _public_attachments():
    """Attachments a requester may see: not internal, and not hung on an internal note."""
    return Attachment.objects.filter(is_internal=False).exclude(message__kind=Message.Kind.INTERNAL_NOTE)


def _not_found(request, *, attachment: bool = False, reference: str = ""):
    context = {"attachment": attachment, "reference": reference}
    return render(request, "intake/follow_invalid.html", context, status=404)


def _page(
    request,
    ticket: Ticket,
    form,
    *,
    status: int = 200,
    files_chosen: bool = False,
    refused: bool = False,
    upload_too_large: bool = False,
):
    conversation = (
        ticket.messages.filter(kind__in=PUBLIC_KINDS)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=_public_attachments(), to_attr="public_attachments"))
    )
    context = {
        "ticket": ticket,
        "state_explanation": STATE_EXPLANATIONS.get(ticket.state, ""),
        "conversation": conversation,
        "report_attachments": _public_attachments().filter(ticket=ticket, message__isnull=True),
        "form": None if ticket.is_final else form,
        "files_chosen": files_chosen,
        "refused": refused,
        "upload_too_large": upload_too_large,
        "limits": attachment_limits(),
    }
    # Dates as the desk reads them, whatever the browser.
    with timezone.override(settings.TIME_ZONE):
        return render(request, "intake/follow_ticket.html", context, status=status)


def open_link(request, token):
    """The emailed link: spent once, then on to the ticket's page."""
    return link_open(
        request,
        token,
        purpose=RequesterLink.Purpose.FOLLOW,
        destination=lambda link, request: ticket_path(link.ticket),
        invalid_template="intake/follow_invalid.html",
    )


@requester_page
@limit_uploads
@require_http_methods(["GET", "POST"])
def ticket(request, reference):
    ticket = ticket_in_scope(request, reference)
    if ticket is None:
        return _not_found(request, reference=reference)
    if request.method != "POST":
        return _page(request, ticket, FollowReplyForm(ticket=ticket))

    files_chosen = bool(request.FILES.getlist("files"))
    if request.upload_too_large:
        form = FollowReplyForm(ticket=ticket, initial={"body": request.POST.get("body", "")})
        return _page(request, ticket, form, status=413, upload_too_large=True)
    if ticket.is_final:
        return _page(request, ticket, None, status=409, refused=True)
    form = FollowReplyForm(request.POST, request.FILES, ticket=ticket)
    if form.is_valid():
        try:
            requester_reply(ticket=ticket, body=form.cleaned_data["body"], files=form.cleaned_data["files"])
        except ValidationError as error:  # closed meanwhile
            ticket.refresh_from_db()
            form.add_error(None, error)
            return _page(request, ticket, form, status=409, files_chosen=files_chosen, refused=ticket.is_final)
        messages.success(request, _("Recibimos su mensaje. El técnico a cargo lo verá en su ticket."))
        return redirect("follow:ticket", reference=ticket.reference)
    return _page(request, ticket, form, status=400, files_chosen=files_chosen)


@requester_page
@require_GET
def attachment(request, reference, attachment_id):
    ticket = ticket_in_scope(request, reference)
    if ticket is None:
        return _not_found(request)
    found = _public_attachments().filter(ticket=ticket, pk=attachment_id).first()
    response = attachment_download(found) if found is not None else None
    if response is None:
        return _not_found(request, attachment=True)
    return response
