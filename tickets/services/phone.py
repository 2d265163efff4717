"""The phone channel: a call an agent takes, for a known contact or one registered on the spot."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from customers.models import Contact, Organization

from ..models import Ticket, Urgency
from .intake import ticket_open
from .steps import _require_staff_perm


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
    _require_staff_perm(by, "customers.add_contact", _("Usted no tiene permiso para registrar contactos."))
    if contact.is_authorized:
        _require_staff_perm(by, "customers.change_contact", _("Solo un coordinador puede autorizar contactos."))
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
) -> Ticket:
    """A call an agent takes, on behalf of a contact of the directory or of a caller
    registered on the spot: the ticket (channel teléfono, the same gatekeeping as every
    channel) and its checked files, all or nothing."""
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa registra llamadas."))
    if (requester is None) == (new_contact is None):
        raise ValueError("ticket_register_call needs either requester or new_contact")
    # Imported here: intake.services imports this module.
    from intake.services import attachments_store

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
    return ticket
