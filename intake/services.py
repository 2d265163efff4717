"""Use cases of the channels: a report from the web form becomes a ticket, the requester
answers on their page, and an agent registers a call (for a known contact or one
registered on the spot). Each opens its ticket through tickets.services.ticket_open, with
the same gatekeeping as every channel, and stores its checked files with tickets.attachments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from customers.models import Contact, Organization
from tickets.attachments import CheckedFile, attachments_store
from tickets.models import Message, Ticket, Urgency
from tickets.services import ticket_add_message, ticket_open, ticket_take


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


def requester_reply(*, ticket: Ticket, body: str, files: list[CheckedFile]) -> Message:
    """The requester's message and its files, all or nothing. `ticket_add_message`
    puts a ticket waiting for them back to En proceso."""
    with transaction.atomic():
        message = ticket_add_message(ticket=ticket, kind=Message.Kind.FROM_REQUESTER, body=body)
        attachments_store(ticket=ticket, files=files, message=message)
    return message


# The phone channel -------------------------------------------------------------------


def _require_perm(by, perm: str, message: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionDenied(message)


@dataclass(frozen=True)
class NewContact:
    """A caller who is not in the directory, as the agent took their details."""

    name: str
    email: str
    phone: str = ""
    organization: Organization | None = None
    is_authorized: bool = False


def contact_register(*, by, contact: NewContact) -> Contact:
    """Add a caller to the directory. Agents may add contacts; only a coordinator (who
    may change contacts) authorizes one, so an agent's new contact gets no service yet."""
    _require_perm(by, "customers.add_contact", _("Usted no tiene permiso para registrar contactos."))
    if contact.is_authorized:
        _require_perm(by, "customers.change_contact", _("Solo un coordinador puede autorizar contactos."))
    email = contact.email.strip()
    if Contact.objects.by_email(email).exists():
        raise ValidationError(
            _("Ya existe un contacto con el correo %(email)s: búsquelo y elíjalo de la lista.") % {"email": email},
            code="duplicate_email",
        )
    try:
        with transaction.atomic():
            return Contact.objects.create(
                name=contact.name.strip(),
                email=email,
                phone=contact.phone.strip(),
                organization=contact.organization,
                is_authorized=contact.is_authorized,
            )
    except IntegrityError:  # registered meanwhile by someone else
        raise ValidationError(
            _("Ya existe un contacto con el correo %(email)s: búsquelo y elíjalo de la lista.") % {"email": email},
            code="duplicate_email",
        ) from None


def ticket_register_call(
    *,
    by,
    subject: str,
    description: str,
    requester: Contact | None = None,
    new_contact: NewContact | None = None,
    kind: str = Ticket.Kind.INCIDENT,
    module=None,
    urgency: int = Urgency.LOW,
    occurred_at: datetime.datetime | None = None,
    files=(),
    leave_unassigned: bool = False,
) -> Ticket:
    """A call an agent takes, on behalf of a contact of the directory or of a caller
    registered on the spot: the ticket (channel teléfono, the same gatekeeping as every
    channel) and its checked files, all or nothing. The agent who took the call takes the
    ticket (ticket_take: En proceso, the first response), unless they leave it unassigned
    for the queue; a report the gatekeeping cancelled is nobody's (docs/process.md,
    «Channel details»)."""
    _require_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa registra llamadas."))
    if (requester is None) == (new_contact is None):
        raise ValueError("ticket_register_call needs either requester or new_contact")
    with transaction.atomic():
        if new_contact is not None:
            requester = contact_register(by=by, contact=new_contact)
        ticket = ticket_open(
            requester=requester,
            subject=subject,
            description=description,
            channel=Ticket.Channel.PHONE,
            kind=kind,
            module=module,
            urgency=urgency,
            occurred_at=occurred_at,
            by=by,
        )
        attachments_store(ticket=ticket, files=list(files))
        if not leave_unassigned and ticket.state == Ticket.State.OPEN:
            ticket = ticket_take(ticket=ticket, agent=by)
    return ticket
