"""Opening a ticket, whatever the channel: gatekeeping, priority, deadlines, acknowledgement."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contact
from helpdesk.validation import require_datetime_in_range
from notifications.services import email_queue
from sla.services import sla_start

from ..links import requester_url
from ..models import Ticket, TicketChange, Urgency
from .emails import no_service_explanation
from .history import history_row
from .steps import _transition_in_memory


@dataclass(frozen=True)
class Admission:
    """Whether a requester gets service, and if not, why (docs/process.md, «Intake and gatekeeping»)."""

    admitted: bool
    reason: str = ""
    explanation: str = ""


def ticket_admission(
    *, requester: Contact, on: datetime.date | None = None, policy_in_force: bool | None = None
) -> Admission:
    """`policy_in_force` may be given when already known (a list of contacts annotated in
    one query, for a page that previews the outcome); by default it is looked up."""
    organization = requester.organization
    if organization is None or (settings.HELPDESK_REQUIRE_AUTHORIZED_CONTACT and not requester.is_authorized):
        return Admission(
            False,
            Ticket.CancelReason.UNAUTHORIZED_CONTACT,
            _(
                "Su correo no está registrado como contacto autorizado de una organización con servicio. "
                "Pida al responsable de su organización que lo dé de alta con la mesa de ayuda."
            ),
        )
    if policy_in_force is None:
        policy_in_force = organization.has_policy_in_force(on)
    if not policy_in_force:
        return Admission(False, Ticket.CancelReason.NO_POLICY, no_service_explanation(organization))
    return Admission(True)


def ticket_open(
    *,
    requester: Contact,
    subject: str,
    description: str,
    channel: str,
    kind: str = Ticket.Kind.INCIDENT,
    module=None,
    urgency: int = Urgency.LOW,
    occurred_at: datetime.datetime | None = None,
    by=None,
    notify: bool = True,
) -> Ticket:
    """Turn a report into a ticket, whatever the channel. A requester without service
    still gets a ticket, cancelled at once with the reason (docs/process.md, «Intake and
    gatekeeping»): the transition is checked and run as any other (steps), and its history
    row says it was the gatekeeping's. The requester is
    acknowledged by email through the outbox (sent after commit) unless notify=False: the
    acknowledgement (ticket_received), or for a report that cannot be served the email
    that says so and why (ticket_not_served).

    Every intake channel comes through here, so it reads little: the organization's
    policy in force once (with its SLA plan and calendar) for both gatekeeping and the
    deadlines, the priority matrix and plans from the process cache, and the ticket is
    complete (state, deadlines) when it is inserted; then its reference, its history
    rows in one insert and the acknowledgement. Inside a caller's transaction it takes
    no savepoint of its own: whatever fails here fails the caller's whole unit of work."""
    # Whatever the channel checked: a stored date out of range would break the ticket's pages.
    require_datetime_in_range(occurred_at, field="occurred_at")
    ticket = Ticket(
        requester=requester,
        organization=requester.organization,
        subject=subject.strip(),
        description=description.strip(),
        channel=channel,
        kind=kind,
        module=module,
        urgency=urgency,
        occurred_at=occurred_at,
    )
    organization, day = requester.organization, timezone.localdate(ticket.created_at)
    policy = organization.policy_in_force(day) if organization is not None else None
    admission = ticket_admission(
        requester=requester,
        on=day,
        policy_in_force=organization is not None and organization.has_policy_in_force(day, policy=policy),
    )
    with transaction.atomic(savepoint=False):
        ticket.recompute_priority()
        history = [
            history_row(
                ticket=ticket,
                actor=by,
                field=TicketChange.Field.CREATED,
                old=None,
                new=ticket.state,
                note=str(ticket.get_channel_display()),
            )
        ]
        if not admission.admitted:
            # The desk's own decision, not the person registering the report's: by nobody.
            (cancellation,) = _transition_in_memory(
                ticket,
                "cancel",
                None,
                history_note=admission.explanation,
                reason=admission.reason,
                note=admission.explanation,
            )
            cancellation.gatekeeping = True  # what the SLA's replay reads (nothing was ever due)
            history.append(cancellation)
        sla_start(ticket=ticket, policy=policy)  # sets the deadlines; the insert writes them
        ticket.save()
        ticket.reference = ticket.build_reference()
        ticket.save(update_fields=["reference"])
        TicketChange.objects.bulk_create(history)  # each row takes the ticket's new primary key
        if notify:
            email_queue(
                to=requester.email,
                template="ticket_received" if admission.admitted else "ticket_not_served",
                context={"ticket": ticket, "ticket_url": requester_url(ticket)},
                ticket=ticket,
            )
    return ticket
