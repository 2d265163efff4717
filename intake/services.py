"""Use cases of the public channels: a report from the web form becomes a ticket."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from customers.models import Contact
from tickets.models import Attachment, Message, Ticket, Urgency
from tickets.services import ticket_add_message, ticket_open

from .uploads import CheckedFile


def contact_for_report(*, name: str, email: str) -> Contact:
    """The contact with this email, or a new one: no organization, not authorized,
    so that a coordinator can authorize it later (its ticket is cancelled meanwhile)."""
    email = email.strip()
    # With its organization: gatekeeping reads it next.
    contact = Contact.objects.by_email(email).select_related("organization").first()
    if contact is not None:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(name=name.strip(), email=email, organization=None, is_authorized=False)
    except IntegrityError:  # the same sender, twice at once: the other request created it
        return Contact.objects.by_email(email).get()


def report_submit(
    *,
    name: str,
    email: str,
    subject: str,
    description: str,
    kind: str = Ticket.Kind.INCIDENT,
    module=None,
    urgency: int = Urgency.LOW,
    occurred_at: datetime.datetime | None = None,
    files: list[CheckedFile] = (),
) -> Ticket:
    """Open the ticket of a web report with its checked attachments, all or nothing.
    Gatekeeping happens inside `ticket_open`: a sender without service gets a ticket
    that is already cancelled with the reason."""
    with transaction.atomic():
        requester = contact_for_report(name=name, email=email)
        ticket = ticket_open(
            requester=requester,
            subject=subject,
            description=description,
            channel=Ticket.Channel.WEB,
            kind=kind,
            module=module,
            urgency=urgency,
            occurred_at=occurred_at,
        )
        attachments_store(ticket=ticket, files=files)
    return ticket


def attachments_store(
    *, ticket: Ticket, files: list[CheckedFile], message: Message | None = None, is_internal: bool = False
) -> list[Attachment]:
    """Save checked files on a ticket (and the message they came with); internal ones never
    reach the requester. Call inside the caller's transaction. The stored name comes from
    the model's upload_to; the client's name is kept for display only."""
    stored = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            is_internal=is_internal,
        )
        attachment.file.save(checked.display_name, checked.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def requester_reply(*, ticket: Ticket, body: str, files: list[CheckedFile]) -> Message:
    """The requester's message and its files, all or nothing. `ticket_add_message`
    puts a ticket waiting for them back to En proceso."""
    with transaction.atomic():
        message = ticket_add_message(ticket=ticket, kind=Message.Kind.FROM_REQUESTER, body=body)
        attachments_store(ticket=ticket, files=files, message=message)
    return message
