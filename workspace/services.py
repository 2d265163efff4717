"""Use cases of the ticket page that write across models: a message with its files, and
files attached on their own. The ticket's own changes are tickets.services'; files are
saved by tickets.attachments, the one place for checked attachments."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tickets.attachments import CheckedFile, attachments_store
from tickets.models import Message, Ticket
from tickets.services import ticket_add_message


def ticket_message_with_files(*, ticket: Ticket, by, kind: str, body: str, files: list[CheckedFile]) -> Message:
    """An agent's public reply or internal note with its files, all or nothing. Files
    of an internal note are internal too. Whatever ticket_add_message does for a message
    of that kind (first response, email to the requester) happens as usual."""
    if not files:
        # The message alone: ticket_add_message's own transaction is all or nothing.
        return ticket_add_message(ticket=ticket, kind=kind, body=body, by=by)
    with transaction.atomic():
        message = ticket_add_message(ticket=ticket, kind=kind, body=body, by=by)
        attachments_store(ticket=ticket, files=files, message=message, is_internal=kind == Message.Kind.INTERNAL_NOTE)
    return message


def ticket_attach_files(
    *, ticket: Ticket, by, files: list[CheckedFile], internal: bool, comment: str = ""
) -> Message | None:
    """Files added by an agent. Public files travel with a message to the requester (the
    comment, required), so that they see them in the conversation and are told; internal
    ones go with an internal note when there is a comment, or alone."""
    if not files:
        raise ValidationError(_("Elija al menos un archivo."), code="required")
    comment = (comment or "").strip()
    if not internal:
        if not comment:
            raise ValidationError(
                _("Escriba un mensaje para el solicitante que acompañe los archivos."), code="required"
            )
        return ticket_message_with_files(
            ticket=ticket, by=by, kind=Message.Kind.PUBLIC_REPLY, body=comment, files=files
        )
    if comment:
        return ticket_message_with_files(
            ticket=ticket, by=by, kind=Message.Kind.INTERNAL_NOTE, body=comment, files=files
        )
    if by is None or not by.has_perm("tickets.work_ticket"):
        raise PermissionDenied(_("Solo el personal de la mesa puede adjuntar archivos."))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
        attachments_store(ticket=locked, files=files, is_internal=True)
    return None
