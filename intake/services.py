"""Use cases of the public channels: a report from the web form becomes a ticket."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from customers.models import Contact
from tickets.models import Attachment, Ticket, Urgency
from tickets.services import ticket_open

from .uploads import CheckedFile


def contact_for_report(*, name: str, email: str) -> Contact:
    """The contact with this email, or a new one: no organization, not authorized,
    so that a coordinator can authorize it later (its ticket is cancelled meanwhile)."""
    email = email.strip()
    contact = Contact.objects.by_email(email).first()
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
        for checked in files:
            attachment = Attachment(
                ticket=ticket,
                original_name=checked.display_name,
                content_type=checked.content_type,
                size=checked.size,
            )
            # The stored name comes from the model's upload_to; the client's name is display only.
            attachment.file.save(checked.display_name, checked.upload, save=False)
            attachment.save()
    return ticket
