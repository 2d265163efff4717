"""Use cases of the monitoring channel: authenticate a tool, rate-limit it, and turn
its alert into a ticket, or into a note on the ticket an earlier copy opened."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.ratelimits import limit_hit
from tickets.models import Message, Ticket
from tickets.services import ticket_add_message, ticket_open

from .models import Integration, MonitoringAlert

# (requests, seconds) each integration may make; settings.HELPDESK_API_RATE_LIMIT overrides it.
DEFAULT_RATE_LIMIT = (60, 60)
# The largest request body accepted, checked before it is parsed.
MAX_BODY_BYTES = 64 * 1024


def rate_limit() -> tuple[int, int]:
    return tuple(getattr(settings, "HELPDESK_API_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def integration_authenticate(*, authorization: str) -> Integration | None:
    """The active integration an `Authorization: Bearer <token>` header names; None otherwise.
    A match records when the integration was last used."""
    scheme, _space, raw_token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    integration = Integration.objects.for_token(raw_token.strip())
    if integration is not None:
        integration.last_used_at = timezone.now()
        Integration.objects.filter(pk=integration.pk).update(last_used_at=integration.last_used_at)
    return integration


def integration_throttle(*, integration: Integration) -> int:
    """Count one request of the integration (one atomic increment, helpdesk.ratelimits):
    0 when allowed, else the seconds until the window ends (for Retry-After)."""
    return limit_hit(group="integrations-api", key=str(integration.pk), rate=rate_limit())


@dataclass(frozen=True)
class AlertOutcome:
    ticket: Ticket
    created: bool
    repeat_count: int = 1


def alert_receive(
    *,
    integration: Integration,
    subject: str,
    description: str,
    urgency: int,
    module=None,
    occurred_at: datetime.datetime | None = None,
    external_id: str = "",
) -> AlertOutcome:
    """Open an incident for the integration's contact (gatekeeping applies: without a
    policy in force the ticket is cancelled at once). With an external id, a repeat of an
    alert whose ticket is still in course becomes an internal note on that ticket; once
    that ticket is closed or cancelled, the alert opens a new one.

    Two copies of one alert at once open one ticket: the alert row is inserted in the
    same transaction as the ticket and the unique constraint lets only one commit; the
    other rolls back (its ticket with it) and is retried as a repeat."""

    def open_ticket() -> Ticket:
        # The tool gets the reference (and, if cancelled, the reason) in the response;
        # no acknowledgement emails to the contact for every alert.
        return ticket_open(
            requester=integration.contact,
            subject=subject,
            description=description,
            channel=Ticket.Channel.MONITORING,
            kind=Ticket.Kind.INCIDENT,
            module=module,
            urgency=urgency,
            occurred_at=occurred_at,
            notify=False,
        )

    if not external_id:
        return AlertOutcome(ticket=open_ticket(), created=True)

    def receive_once() -> AlertOutcome:
        with transaction.atomic():
            alert = (
                MonitoringAlert.objects.select_for_update()
                .select_related("ticket")
                .filter(integration=integration, external_id=external_id)
                .first()
            )
            if alert is None:
                ticket = open_ticket()
                MonitoringAlert.objects.create(integration=integration, external_id=external_id, ticket=ticket)
                return AlertOutcome(ticket=ticket, created=True)
            if alert.ticket.is_final:
                alert.ticket = open_ticket()
                alert.repeat_count = 1
                alert.save(update_fields=["ticket", "repeat_count", "updated_at"])
                return AlertOutcome(ticket=alert.ticket, created=True)
            alert.repeat_count += 1
            alert.save(update_fields=["repeat_count", "updated_at"])
            ticket_add_message(
                ticket=alert.ticket,
                kind=Message.Kind.INTERNAL_NOTE,
                body=_(
                    "La integración «%(integration)s» volvió a reportar la alerta %(external_id)s "
                    "(repetición %(count)s): %(subject)s\n\n%(description)s"
                )
                % {
                    "integration": integration.name,
                    "external_id": external_id,
                    "count": alert.repeat_count,
                    "subject": subject,
                    "description": description,
                },
                by=None,
            )
            return AlertOutcome(ticket=alert.ticket, created=False, repeat_count=alert.repeat_count)

    try:
        return receive_once()
    except IntegrityError:
        # Another request inserted the same alert first and has committed: now a repeat.
        return receive_once()
