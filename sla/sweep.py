"""The beat job that watches deadlines: every minute, `sla.sweep` records the warnings and
breaches whose instant has passed, notifies them through the outbox and escalates on a
breach if the plan says so.

How it stays cheap and exact:
- It reads only the tickets due: `sla_next_check_at < now`, one range scan of a partial
  index that holds just the tickets with an instant still to record (sla.services keeps
  the column). Open tickets that are not due are never read.
- In batches, each its own transaction: the batch's rows are locked with SKIP LOCKED, so
  two sweeps at once share the due tickets instead of queueing on them (or doing them
  twice), and a service working on a ticket just makes the sweep leave it for the next run.
- The event is inserted under SLAEvent's unique constraint (ticket, clock, kind): whatever
  races, an event exists once, and only the sweep that inserted it notifies and escalates.
- Events, the next instant to watch, the outbox rows and the escalation commit together:
  a worker killed mid-batch rolls all of it back and the next sweep does it again, so
  nothing is lost and nothing is sent twice (emails leave only after the commit).

Notices (docs/process.md, «SLA»): a warning to the assignee, or to the coordinators while
nobody has the ticket; a breach to the assignee and the coordinators. Each person gets one
email per batch listing their tickets, not one per ticket: at 09:00 on a Monday many
weekend tickets reach the same instant, and forty emails at once would be read as none. A
list longer than LISTED_PER_EMAIL shows the most urgent and links to the rest.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import SupportLevel, User
from accounts.roles import coordinators
from notifications.services import email_queue
from tickets.models import Priority, Ticket
from tickets.services import agent_ticket_url, ticket_escalate

from .display import sla_event_sentence
from .models import SLAEvent, SLAPlan
from .services import BREACH, alarms_passed, next_check, write_columns

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# An email lists this many alerts at most and counts the rest: a coordinator after an
# outage would otherwise get a list of hundreds that nobody reads.
LISTED_PER_EMAIL = 50
# A sweep stops taking batches after this long, well within its task's time limit; what
# is left waits a minute for the next one.
TIME_BUDGET = datetime.timedelta(seconds=40)
# What a batch reads of each ticket: the deadlines and what the notices say.
SWEEP_FIELDS = (
    "pk",
    "reference",
    "subject",
    "priority",
    "state",
    "level",
    "assignee_id",
    "sla_plan_id",
    "first_response_at",
    "first_response_warn_at",
    "first_response_due",
    "resolution_warn_at",
    "resolution_due",
    "resolution_paused_since",
    "sla_next_check_at",
)


@dataclass
class SweepResult:
    """What a sweep did: the benchmark and the logs print it."""

    examined: int = 0  # tickets locked and looked at
    warnings: int = 0
    breaches: int = 0
    emails: int = 0
    escalated: int = 0
    batches: int = 0

    @property
    def events(self) -> int:
        return self.warnings + self.breaches


@dataclass
class Alert:
    """One recorded event as the emails show it. Its lines are written once (describe()),
    however many people get it: a coordinator's email may list hundreds."""

    event: SLAEvent
    ticket: Ticket
    assignee: User | None
    recipients: list = field(default_factory=list)
    escalated_to: str = ""
    url: str = ""
    sentence: str = ""
    situation: str = ""
    escalation: str = ""

    @property
    def is_breach(self) -> bool:
        return self.event.kind == BREACH

    def describe(self, priority_labels: dict, state_labels: dict) -> None:
        """Call in the emails' language and time zone."""
        self.url = agent_ticket_url(self.ticket)
        self.sentence = sla_event_sentence(self.event)
        labels = {
            "priority": priority_labels.get(self.ticket.priority, self.ticket.priority),
            "state": state_labels.get(self.ticket.state, self.ticket.state),
        }
        if self.assignee is not None:
            self.situation = _("A cargo de %(agent)s · prioridad %(priority)s · %(state)s") % {
                "agent": self.assignee,
                **labels,
            }
        else:
            self.situation = _("Sin asignar · prioridad %(priority)s · %(state)s") % labels
        if self.escalated_to:
            self.escalation = _("Se escaló automáticamente a %(level)s.") % {"level": self.escalated_to}


class _Desk:
    """What a sweep reads once, when first needed: the plans, and the coordinators."""

    @cached_property
    def plans(self) -> dict[int, SLAPlan]:
        return SLAPlan.objects.in_bulk()

    @cached_property
    def coordinators(self) -> list[User]:
        return list(coordinators().exclude(email="").order_by("pk"))


def sla_sweep(
    *,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
    time_budget: datetime.timedelta = TIME_BUDGET,
) -> SweepResult:
    """Record, notify and escalate every warning and breach due before `now`."""
    now = now or timezone.now()
    started = time.monotonic()
    desk = _Desk()
    result = SweepResult()
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.due_for_sla(now)
                .select_for_update(no_key=True, skip_locked=True)
                .only(*SWEEP_FIELDS)[:batch_size]
            )
            if batch:
                _sweep_batch(batch, now=now, desk=desk, result=result)
        if not batch:
            break
        result.batches += 1
        if len(batch) < batch_size or time.monotonic() - started > time_budget.total_seconds():
            break
    if result.events:
        logger.info(
            "SLA sweep: %s tickets, %s warnings, %s breaches, %s emails, %s escalated",
            result.examined,
            result.warnings,
            result.breaches,
            result.emails,
            result.escalated,
        )
    return result


def _sweep_batch(batch: list[Ticket], *, now, desk: _Desk, result: SweepResult) -> None:
    recorded = defaultdict(set)
    for ticket_id, clock, kind in SLAEvent.objects.filter(ticket__in=batch).values_list("ticket_id", "clock", "kind"):
        recorded[ticket_id].add((clock, kind))
    candidates = []
    for ticket in batch:
        for alarm in alarms_passed(ticket, recorded[ticket.pk], now):
            recorded[ticket.pk].add((alarm.clock, alarm.kind))
            candidates.append(
                SLAEvent(ticket=ticket, clock=alarm.clock, kind=alarm.kind, at=alarm.at, due=alarm.due, recorded_at=now)
            )
        ticket.sla_next_check_at = next_check(ticket, recorded[ticket.pk])
    write_columns(batch, ["sla_next_check_at"])
    result.examined += len(batch)
    if not candidates:
        return

    # Who is told and what is escalated is known before the insert, and saved with the
    # event; only the events this sweep inserts are then sent and escalated.
    assignees = User.objects.in_bulk({e.ticket.assignee_id for e in candidates if e.ticket.assignee_id})
    alerts = [Alert(event=e, ticket=e.ticket, assignee=assignees.get(e.ticket.assignee_id)) for e in candidates]
    escalating = set()
    for alert in alerts:
        alert.recipients = _recipients(alert, desk)
        alert.event.notified = bool(alert.recipients)
        if _escalates(alert, desk) and alert.ticket.pk not in escalating:
            alert.event.escalated = True
            escalating.add(alert.ticket.pk)
    inserted = {id(event) for event in _insert(candidates)}
    alerts = [alert for alert in alerts if id(alert.event) in inserted]
    result.warnings += sum(1 for a in alerts if not a.is_breach)
    result.breaches += sum(1 for a in alerts if a.is_breach)
    result.escalated += _escalate(alerts)
    result.emails += _notify(alerts, desk)


def _insert(events: list[SLAEvent]) -> list[SLAEvent]:
    """Insert the events; return those this sweep inserted. The batch's row locks make a
    conflict unlikely (only a recompute run meanwhile could have written one); if there
    is one, each event is tried alone and those already there are left out."""
    try:
        with transaction.atomic():
            return SLAEvent.objects.bulk_create(events)
    except IntegrityError:
        pass
    inserted = []
    for event in events:
        event.pk = None
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:
            continue
        inserted.append(event)
    return inserted


def _escalates(alert: Alert, desk: _Desk) -> bool:
    """A breach whose plan escalates, of a ticket in course below N3."""
    plan = desk.plans.get(alert.ticket.sla_plan_id)
    return (
        alert.is_breach
        and plan is not None
        and plan.escalate_on_breach
        and alert.ticket.level < SupportLevel.N3
        and alert.ticket.state in Ticket.IN_COURSE_STATES
    )


def _escalate(alerts: list[Alert]) -> int:
    """Raise one level the tickets of the breaches marked to escalate (one per ticket and
    sweep), in the batch's transaction, through tickets.services as the system."""
    escalated = 0
    for alert in alerts:
        if not alert.event.escalated:
            continue
        ticket = alert.ticket
        if alert.event.clock == SLAEvent.Clock.FIRST_RESPONSE:
            reason = _("Escalado automáticamente: venció el plazo de primera respuesta del SLA.")
        else:
            reason = _("Escalado automáticamente: venció el plazo de resolución del SLA.")
        try:
            raised = ticket_escalate(ticket=ticket, by=None, reason=reason)
        except ValidationError as error:
            logger.warning("SLA sweep could not escalate ticket %s: %s", ticket.pk, error)
            SLAEvent.objects.filter(pk=alert.event.pk).update(escalated=False)
            alert.event.escalated = False
            continue
        ticket.level = raised.level
        alert.escalated_to = str(SupportLevel(raised.level).label)
        escalated += 1
    return escalated


def _can_receive(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def _recipients(alert: Alert, desk: _Desk) -> list[User]:
    assignee = alert.assignee if _can_receive(alert.assignee) else None
    if alert.is_breach:
        return ([assignee] if assignee else []) + desk.coordinators
    return [assignee] if assignee else desk.coordinators


def _notify(alerts: list[Alert], desk: _Desk) -> int:
    """One email per recipient listing their alerts, breaches and higher priorities first,
    up to LISTED_PER_EMAIL of them (the rest counted, with a link to see them). Returns
    how many emails."""
    by_recipient: dict[str, tuple[User, list[Alert]]] = {}
    for alert in alerts:
        for user in alert.recipients:
            by_recipient.setdefault(user.email.lower(), (user, []))[1].append(alert)
    listed = {}
    for _user, user_alerts in by_recipient.values():
        user_alerts.sort(key=lambda a: (not a.is_breach, -a.ticket.priority, a.event.at))
        for alert in user_alerts[:LISTED_PER_EMAIL]:
            listed[id(alert)] = alert
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        priority_labels = {value: str(label) for value, label in Priority.choices}
        state_labels = {value: str(label) for value, label in Ticket.State.choices}
        for alert in listed.values():
            alert.describe(priority_labels, state_labels)
    base_url = settings.HELPDESK_BASE_URL.rstrip("/")
    for user, user_alerts in by_recipient.values():
        shown = user_alerts[:LISTED_PER_EMAIL]
        is_coordinator = user in desk.coordinators
        more_url = base_url + (
            reverse("admin:tickets_ticket_changelist") + "?sla=breached"
            if is_coordinator
            else reverse("workspace:queue") + "?vista=mios"
        )
        email_queue(
            to=user.email,
            template="sla_alert",
            context={
                "recipient": user,
                "alerts": user_alerts,
                "breaches": [a for a in shown if a.is_breach],
                "warnings": [a for a in shown if not a.is_breach],
                "breach_count": sum(1 for a in user_alerts if a.is_breach),
                "warning_count": sum(1 for a in user_alerts if not a.is_breach),
                "not_listed": len(user_alerts) - len(shown),
                "more_url": more_url,
                "is_coordinator": is_coordinator,
            },
            ticket=user_alerts[0].ticket if len({a.ticket.pk for a in user_alerts}) == 1 else None,
        )
    return len(by_recipient)
