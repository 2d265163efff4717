"""A ticket's service level: which plan and targets apply, and its deadlines at each point
of its life. The beat sweep that records warnings and breaches is in `sla.sweep`.

tickets.services calls one function here at each lifecycle point, inside its own
transaction, with the ticket's row locked, the transition run and its history rows
written. With `save=False` (what tickets.services passes) the function only sets the SLA
columns and the service writes them with the transition's own in one UPDATE; by default
it saves them itself:

| lifecycle point (tickets.services)            | call               | the clocks                                  |
|-----------------------------------------------|--------------------|---------------------------------------------|
| creation (ticket_open)                        | sla_start          | plan of the policy in force, targets of the priority, both deadlines from creation |
| priority changed (ticket_classify)            | sla_retarget       | the running clocks' deadlines recomputed from creation with the new targets |
| first response (take, assign, first public reply) | sla_first_response | first-response clock stops: met or missed, with the business time used |
| a pending state (wait for user / vendor)      | sla_pause          | resolution clock stops, if the plan pauses that state |
| back to work (resume, the requester's reply)  | sla_resume         | the business time it stood still pushes the resolution deadlines out |
| solved (ticket_solve)                         | sla_solve          | resolution clock stops: met or missed, with the business time used |
| reopened (ticket_reopen)                      | sla_reopen         | resolution clock resumes (Solucionado did not count); its verdict waits for the next solution |
| cancelled or closed                           | sla_stop           | nothing is due any more                     |

The rules (docs/process.md, «SLA»). When the first response happens, what stops the
resolution clock and when a deadline is met are in tickets/sla_rules.py, which both these
lifecycle points and the replay of a ticket's history (`replay`, for `sla_recompute`) go
through; the rest are sla's own bookkeeping:
- A reclassification retargets only the clocks still running. A clock that has stopped
  (first response given, ticket solved) keeps the verdict of the priority it had then:
  lowering the priority afterwards cannot turn a miss into a hit.
- While paused, the stored resolution deadline is the one of the moment it stopped; the
  light shows how the ticket stood then, and the deadline moves when the clock resumes.
- Warnings and breaches are recorded once per ticket and clock, ever (SLAEvent's unique
  constraint). A deadline that moves later does not bring a second warning: the first one
  happened and stays in the timeline; a moved deadline that passes after a breach is not
  breached twice. A clock whose deadline is already past when the sweep first sees it
  (raised priority, a sweep that did not run) gets its breach only, not a warning too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db import connection, transaction
from django.utils import timezone

from customers.models import NOT_READ, Organization, SupportPolicy
from helpdesk.process_cache import ProcessCache
from tickets.models import Ticket, TicketChange
from tickets.sla_rules import deadline_met

from .clock import ZERO, BusinessCalendar, add_business_time, business_time_between
from .models import BusinessHours, Calendar, Holiday, SLAEvent, SLAPlan, SLATarget, WorkedHoliday

FIRST_RESPONSE, RESOLUTION = SLAEvent.Clock.FIRST_RESPONSE, SLAEvent.Clock.RESOLUTION
WARNING, BREACH = SLAEvent.Kind.WARNING, SLAEvent.Kind.BREACH

# Every Ticket column this module writes.
SLA_FIELDS = [
    "sla_plan",
    "first_response_target",
    "resolution_target",
    "first_response_warn_at",
    "first_response_due",
    "resolution_warn_at",
    "resolution_due",
    "resolution_paused",
    "resolution_paused_since",
    "first_response_met",
    "first_response_time",
    "resolution_met",
    "resolution_time",
    "sla_next_check_at",
]


# Which plan and targets -------------------------------------------------------------

# Plans, their targets and calendars as every new ticket reads them: kept in the process a
# few seconds, forgotten at once when this process edits one (helpdesk.process_cache).
PLANS_CACHE = ProcessCache("sla_plans")
PLANS_CACHE.watch(SLAPlan, SLATarget, Calendar, BusinessHours, Holiday, WorkedHoliday)


def default_plan() -> SLAPlan:
    """The plan for organizations whose policy names none (with its calendar)."""
    return PLANS_CACHE.get("default", SLAPlan.objects.default)


def plan_of(policy: SupportPolicy | None) -> SLAPlan:
    """The plan a policy in force names; the default plan when it names none, or for no policy."""
    if policy is not None and policy.sla_plan is not None:
        return policy.sla_plan
    return default_plan()


def sla_plan_for(*, organization: Organization | None, on: datetime.date | None = None) -> SLAPlan:
    """The plan named by the organization's policy in force on `on` (today by default);
    the default plan when no policy in force names one. With several policies in force,
    the one that ends last decides (`Organization.policy_in_force`)."""
    return plan_of(organization.policy_in_force(on) if organization is not None else None)


def plan_by_id(plan_id: int) -> SLAPlan:
    """A plan by its id, with its calendar (a ticket's `sla_plan_id`), kept like the others."""
    return PLANS_CACHE.get(("plan", plan_id), lambda: SLAPlan.objects.select_related("calendar").get(pk=plan_id))


def business_calendar_of(calendar: Calendar) -> BusinessCalendar:
    """The clock's value of a calendar, built once and kept like the plans."""
    return PLANS_CACHE.get(("calendar", calendar.pk), calendar.business_calendar)


def targets_for(plan: SLAPlan, priority: int) -> SLATarget:
    """The plan's target for a priority. A plan without one (only possible outside the
    admin, which requires all five) borrows the default plan's."""
    targets = PLANS_CACHE.get(("targets", plan.pk), lambda: {target.priority: target for target in plan.targets.all()})
    if priority in targets:
        return targets[priority]
    return SLATarget.objects.select_related("plan").get(plan__is_default=True, priority=priority)


# Pure rules: deadlines, verdicts and what is still to record ------------------------


def warning_share(target: datetime.timedelta, warning_percent: int) -> datetime.timedelta:
    """The part of a target after which the assignee is warned."""
    return target * warning_percent / 100


def clock_instants(
    start: datetime.datetime,
    target: datetime.timedelta,
    *,
    warning_percent: int,
    calendar: BusinessCalendar,
    stood_still: datetime.timedelta = ZERO,
) -> tuple[datetime.datetime, datetime.datetime]:
    """(warning instant, deadline) of a clock that started at `start`, pushed out by the
    business time it `stood_still`."""
    before_warning = warning_share(target, warning_percent)
    warn_at = add_business_time(start, before_warning + stood_still, calendar)
    # From the warning on: the same as adding the whole, without walking the days twice.
    return warn_at, add_business_time(warn_at, target - before_warning, calendar)


@dataclass(frozen=True)
class Alarm:
    """An instant of a running clock at which something is recorded."""

    clock: str
    kind: str
    at: datetime.datetime
    due: datetime.datetime


def running_alarms(ticket: Ticket) -> list[Alarm]:
    """The warning and breach instants of the clocks that run now: the first response's
    while it is owed, the resolution's while it is not stopped. None for a ticket that is
    solved, closed or cancelled, or that has no deadlines."""
    if ticket.state not in Ticket.IN_COURSE_STATES:
        return []
    alarms = []
    if ticket.first_response_owed and ticket.first_response_due is not None:
        alarms += [
            Alarm(FIRST_RESPONSE, WARNING, ticket.first_response_warn_at, ticket.first_response_due),
            Alarm(FIRST_RESPONSE, BREACH, ticket.first_response_due, ticket.first_response_due),
        ]
    if not ticket.sla_clock_stopped and ticket.resolution_due is not None:
        alarms += [
            Alarm(RESOLUTION, WARNING, ticket.resolution_warn_at, ticket.resolution_due),
            Alarm(RESOLUTION, BREACH, ticket.resolution_due, ticket.resolution_due),
        ]
    return alarms


def alarms_to_record(ticket: Ticket, recorded: set[tuple[str, str]]) -> list[Alarm]:
    """The running alarms not recorded yet. A breached clock has nothing more to say."""
    return [
        alarm
        for alarm in running_alarms(ticket)
        if (alarm.clock, BREACH) not in recorded and (alarm.clock, alarm.kind) not in recorded
    ]


def alarms_passed(ticket: Ticket, recorded: set[tuple[str, str]], now: datetime.datetime) -> list[Alarm]:
    """What a sweep at `now` records: per clock, its breach if the deadline is past (the
    warning would only repeat it), else its warning if the warning instant is past."""
    passed = {}
    for alarm in alarms_to_record(ticket, recorded):
        if alarm.at < now and (alarm.kind == BREACH or alarm.clock not in passed):
            passed[alarm.clock] = alarm
    return list(passed.values())


def next_check(ticket: Ticket, recorded: set[tuple[str, str]]) -> datetime.datetime | None:
    """When the sweep must look at the ticket again: its earliest alarm not recorded yet."""
    return min((alarm.at for alarm in alarms_to_record(ticket, recorded)), default=None)


def recorded_alarms(ticket: Ticket) -> set[tuple[str, str]]:
    return set(SLAEvent.objects.filter(ticket=ticket).values_list("clock", "kind"))


# Lifecycle points (called by tickets.services) --------------------------------------


class _Terms:
    """A ticket's plan, read once per call when first needed, and what the rules need from it."""

    def __init__(self, plan: SLAPlan | None = None, *, plan_id: int | None = None):
        if plan is not None:
            self.__dict__["plan"] = plan
        self.plan_id = plan.pk if plan is not None else plan_id

    @classmethod
    def of(cls, ticket: Ticket) -> _Terms:
        return cls(plan_id=ticket.sla_plan_id)

    @cached_property
    def plan(self) -> SLAPlan:
        return plan_by_id(self.plan_id)

    @property
    def pausing_states(self) -> frozenset[str]:
        return self.plan.pausing_states

    @cached_property
    def calendar(self) -> BusinessCalendar:
        return business_calendar_of(self.plan.calendar)

    def targets(self, priority: int) -> tuple[datetime.timedelta, datetime.timedelta]:
        target = targets_for(self.plan, priority)
        return target.first_response, target.resolution

    def first_response_instants(self, ticket: Ticket) -> None:
        ticket.first_response_warn_at, ticket.first_response_due = clock_instants(
            ticket.created_at,
            ticket.first_response_target,
            warning_percent=self.plan.warning_percent,
            calendar=self.calendar,
        )

    def resolution_instants(self, ticket: Ticket) -> None:
        ticket.resolution_warn_at, ticket.resolution_due = clock_instants(
            ticket.created_at,
            ticket.resolution_target,
            warning_percent=self.plan.warning_percent,
            calendar=self.calendar,
            stood_still=ticket.resolution_paused,
        )


def clock_verdict(
    start: datetime.datetime,
    stopped: datetime.datetime,
    due: datetime.datetime,
    calendar: BusinessCalendar,
    *,
    stood_still: datetime.timedelta = ZERO,
) -> tuple[bool, datetime.timedelta]:
    """(met, business time it ran) of a clock that started at `start` and stopped at
    `stopped`, having stood still `stood_still` of it: met if it stopped by its deadline."""
    return deadline_met(stopped, due), business_time_between(start, stopped, calendar) - stood_still


def _follow_resolution_clock(ticket: Ticket, terms: _Terms, *, at: datetime.datetime) -> bool:
    """The resolution clock after the state the ticket has just entered at `at`, by the rule
    (Ticket.resolution_clock_after): stopped now, kept as it was, or running again with the
    business time it stood still added to `resolution_paused`. True if it runs again (its
    deadlines then move: the caller recomputes them)."""
    stopped_since, stood_still_since = Ticket.resolution_clock_after(
        ticket.state, stopped_since=ticket.resolution_paused_since, at=at, plan=terms
    )
    ticket.resolution_paused_since = stopped_since
    if stood_still_since is None:
        return False
    ticket.resolution_paused += business_time_between(stood_still_since, at, terms.calendar)
    return True


def _schedule(ticket: Ticket, recorded: set[tuple[str, str]] | None) -> None:
    """When the sweep looks at the ticket next. `recorded`: its events, when already known."""
    if running_alarms(ticket):
        ticket.sla_next_check_at = next_check(ticket, recorded_alarms(ticket) if recorded is None else recorded)
    else:
        ticket.sla_next_check_at = None


def _save(ticket: Ticket, *, recorded: set[tuple[str, str]] | None = None, save: bool = True) -> Ticket:
    """Schedule the sweep's next look and save the SLA columns (the ticket's row is locked
    by the calling service). `recorded`: the ticket's events, when already known.
    `save=False`: the columns are only set; the calling service writes them (SLA_FIELDS)
    in the same UPDATE as the step's own columns."""
    _schedule(ticket, recorded)
    if save:
        ticket.save(update_fields=SLA_FIELDS)
    return ticket


def _without_deadlines(ticket: Ticket, *, save: bool = True) -> bool:
    """A ticket from before the SLA existed (and not yet through `sla_recompute`): its
    lifecycle point computes everything from its history instead, and is done."""
    if ticket.sla_plan_id is not None:
        return False
    replay(ticket, list(_history(ticket_ids=[ticket.pk])), PlanBook())
    _save(ticket, save=save)
    return True


def sla_start(*, ticket: Ticket, policy=NOT_READ) -> Ticket:
    """A new ticket: the plan of its organization's policy in force on the day it was
    created, the targets of its priority, and both clocks running from its creation. A
    ticket cancelled at intake keeps its plan and targets but has nothing due.

    `policy`: that policy (`Organization.policy_in_force` of that day, None if none), when
    the caller has read it already (ticket_open, for gatekeeping). A ticket not saved yet
    only gets its columns set, and its first INSERT writes them; a saved one is updated."""
    if policy is NOT_READ:
        plan = sla_plan_for(organization=ticket.organization, on=timezone.localdate(ticket.created_at))
    else:
        plan = plan_of(policy)
    terms = _Terms(plan)
    ticket.sla_plan = plan
    ticket.first_response_target, ticket.resolution_target = terms.targets(ticket.priority)
    if ticket.state in Ticket.IN_COURSE_STATES:
        terms.first_response_instants(ticket)
        terms.resolution_instants(ticket)
    if ticket.pk is None:
        _schedule(ticket, set())
        return ticket
    return _save(ticket, recorded=set())  # a new ticket has no events yet


def sla_retarget(*, ticket: Ticket, save: bool = True) -> Ticket:
    """The priority changed: the clocks still running take the new priority's targets,
    counted from the ticket's creation. Stopped clocks keep their targets and verdicts."""
    if _without_deadlines(ticket, save=save) or ticket.state not in Ticket.IN_COURSE_STATES:
        return ticket
    terms = _Terms.of(ticket)
    first_response, resolution = terms.targets(ticket.priority)
    if ticket.first_response_at is None:
        ticket.first_response_target = first_response
        terms.first_response_instants(ticket)
    ticket.resolution_target = resolution
    terms.resolution_instants(ticket)
    return _save(ticket, save=save)


def sla_first_response(*, ticket: Ticket, save: bool = True) -> Ticket:
    """The first response (ticket.first_response_at): met if given by its deadline, with
    the business time it took. Only the first one counts."""
    if _without_deadlines(ticket, save=save):
        return ticket
    if ticket.first_response_met is None and ticket.first_response_at and ticket.first_response_due:
        ticket.first_response_met, ticket.first_response_time = clock_verdict(
            ticket.created_at, ticket.first_response_at, ticket.first_response_due, _Terms.of(ticket).calendar
        )
    return _save(ticket, save=save)


def sla_pause(*, ticket: Ticket, save: bool = True) -> Ticket:
    """The ticket waits in a pending state: its resolution clock stops if the plan pauses
    that state, and keeps running otherwise (Ticket.resolution_clock_after)."""
    if _without_deadlines(ticket, save=save):
        return ticket
    _follow_resolution_clock(ticket, _Terms.of(ticket), at=timezone.now())
    return _save(ticket, save=save)


def sla_resume(*, ticket: Ticket, save: bool = True) -> Ticket:
    """Back to work after waiting: the business time the resolution clock stood still
    pushes its warning and deadline out by as much."""
    if _without_deadlines(ticket, save=save):
        return ticket
    terms = _Terms.of(ticket)
    if _follow_resolution_clock(ticket, terms, at=timezone.now()):
        terms.resolution_instants(ticket)
    return _save(ticket, save=save)


def sla_solve(*, ticket: Ticket, save: bool = True) -> Ticket:
    """Solucionado: the resolution clock stops (or stays stopped, when solved while
    paused) and the verdict is recorded: met if it stopped by the deadline, with the
    business time the clock ran."""
    if _without_deadlines(ticket, save=save):
        return ticket
    terms = _Terms.of(ticket)
    _follow_resolution_clock(ticket, terms, at=ticket.solved_at or timezone.now())
    if ticket.resolution_due is not None:
        ticket.resolution_met, ticket.resolution_time = clock_verdict(
            ticket.created_at,
            ticket.resolution_paused_since,
            ticket.resolution_due,
            terms.calendar,
            stood_still=ticket.resolution_paused,
        )
    return _save(ticket, save=save)


def sla_reopen(*, ticket: Ticket, save: bool = True) -> Ticket:
    """The requester rejected the solution: the resolution clock resumes where it stopped
    (the time in Solucionado does not count), with the current priority's target, and its
    verdict waits for the next solution."""
    if _without_deadlines(ticket, save=save):
        return ticket
    terms = _Terms.of(ticket)
    ticket.resolution_met = ticket.resolution_time = None
    ticket.resolution_target = terms.targets(ticket.priority)[1]
    _follow_resolution_clock(ticket, terms, at=timezone.now())
    terms.resolution_instants(ticket)
    return _save(ticket, save=save)


def sla_stop(*, ticket: Ticket, save: bool = True) -> Ticket:
    """Cancelled or closed: the clocks stop for good and nothing is due. Deadlines and
    verdicts stay as they were, for the record."""
    if ticket.sla_plan_id is None:
        return ticket
    return _save(ticket, save=save)


# Computing everything from the history (existing tickets, calendar edits) ----------


class PlanBook:
    """Every plan and target, and each calendar and organization's policies when first
    needed, read once for computing many tickets: the same choices as sla_plan_for and
    targets_for, made in memory."""

    def __init__(self):
        self.plans = {plan.pk: plan for plan in SLAPlan.objects.select_related("calendar")}
        self.default = next(plan for plan in self.plans.values() if plan.is_default)
        self.targets = defaultdict(dict)
        for target in SLATarget.objects.all():
            self.targets[target.plan_id][target.priority] = (target.first_response, target.resolution)
        self._policies = {}
        self._calendars = {}

    def policies(self, organization_id: int | None) -> list[SupportPolicy]:
        if organization_id is None:
            return []
        if organization_id not in self._policies:
            self._policies[organization_id] = list(
                SupportPolicy.objects.filter(organization_id=organization_id).only(
                    "pk", "organization_id", "starts_on", "ends_on", "is_active", "sla_plan_id"
                )
            )
        return self._policies[organization_id]

    def plan_for(self, organization_id: int | None, on: datetime.date) -> SLAPlan:
        in_force = [p for p in self.policies(organization_id) if p.is_in_force(on)]
        policy = max(in_force, key=lambda p: (p.ends_on, p.pk), default=None)
        if policy is not None and policy.sla_plan_id is not None:
            return self.plans[policy.sla_plan_id]
        return self.default

    def targets_of(self, plan: SLAPlan, priority: int) -> tuple[datetime.timedelta, datetime.timedelta]:
        return self.targets[plan.pk].get(priority) or self.targets[self.default.pk][priority]

    def calendar(self, plan: SLAPlan) -> BusinessCalendar:
        if plan.calendar_id not in self._calendars:
            self._calendars[plan.calendar_id] = plan.calendar.business_calendar()
        return self._calendars[plan.calendar_id]


def _priority_at(initial: int, priority_changes: list[tuple[datetime.datetime, int]], when) -> int:
    priority = initial
    for at, new in priority_changes:
        if when is not None and at > when:
            break
        priority = new
    return priority


def _cancelled_at_intake(ticket: Ticket, state_changes: list[TicketChange]) -> bool:
    """ticket_open refused the report (no authorized contact, no policy in force) and
    cancelled it as it created it: its history row of the cancellation says so
    (TicketChange.gatekeeping; tickets migration 0008 marked the rows written before)."""
    return ticket.state == Ticket.State.CANCELLED and any(change.gatekeeping for change in state_changes)


def replay(ticket: Ticket, changes: list[TicketChange], book: PlanBook) -> datetime.datetime | None:
    """Set the ticket's SLA columns (all but sla_next_check_at) from its creation and its
    history rows of state and priority changes, in order: what the lifecycle points would
    have written, had they run. Returns the first response's moment, if there was one
    (the column, or else the history's first take)."""
    plan = book.plans[ticket.sla_plan_id] if ticket.sla_plan_id else book.plan_for(
        ticket.organization_id, timezone.localdate(ticket.created_at)
    )
    calendar = book.calendar(plan)
    created = ticket.created_at
    state_changes = [c for c in changes if c.field == TicketChange.Field.STATE]
    priority_changes = [(c.at, int(c.new_value)) for c in changes if c.field == TicketChange.Field.PRIORITY]
    initial_priority = next(
        (int(c.old_value) for c in changes if c.field == TicketChange.Field.PRIORITY), ticket.priority
    )

    first_response_at = Ticket.first_response_in_history(ticket.first_response_at, state_changes)
    # The resolution clock, step by step, by the rule the live steps follow.
    stood_still, stopped_since = ZERO, None
    for change in state_changes:
        stopped_since, stood_still_since = Ticket.resolution_clock_after(
            change.new_value, stopped_since=stopped_since, at=change.at, plan=plan
        )
        if stood_still_since is not None:
            stood_still += business_time_between(stood_still_since, change.at, calendar)
    stops_now = Ticket.resolution_clock_stops(ticket.state, plan)
    if stopped_since is None and stops_now:
        # No history row says when (data written around the services): its last known moment.
        stopped_since = ticket.solved_at or ticket.updated_at
    if ticket.state in Ticket.IN_COURSE_STATES and not stops_now:
        stopped_since = None

    ticket.sla_plan = plan
    fr_priority = _priority_at(initial_priority, priority_changes, first_response_at) if first_response_at else ticket.priority
    ticket.first_response_target = book.targets_of(plan, fr_priority)[0]
    solved = ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED) and stopped_since is not None
    res_priority = _priority_at(initial_priority, priority_changes, stopped_since) if solved else ticket.priority
    ticket.resolution_target = book.targets_of(plan, res_priority)[1]
    ticket.resolution_paused = stood_still
    ticket.resolution_paused_since = stopped_since
    if _cancelled_at_intake(ticket, state_changes):
        # As sla_start leaves it: never in course, nothing was ever due.
        ticket.first_response_warn_at = ticket.first_response_due = None
        ticket.resolution_warn_at = ticket.resolution_due = None
        ticket.first_response_met = ticket.first_response_time = None
        ticket.resolution_met = ticket.resolution_time = None
        return None
    ticket.first_response_warn_at, ticket.first_response_due = clock_instants(
        created, ticket.first_response_target, warning_percent=plan.warning_percent, calendar=calendar
    )
    ticket.resolution_warn_at, ticket.resolution_due = clock_instants(
        created,
        ticket.resolution_target,
        warning_percent=plan.warning_percent,
        calendar=calendar,
        stood_still=stood_still,
    )
    if first_response_at is not None:
        ticket.first_response_met, ticket.first_response_time = clock_verdict(
            created, first_response_at, ticket.first_response_due, calendar
        )
    else:
        ticket.first_response_met = ticket.first_response_time = None
    if solved:
        ticket.resolution_met, ticket.resolution_time = clock_verdict(
            created, stopped_since, ticket.resolution_due, calendar, stood_still=stood_still
        )
    else:
        ticket.resolution_met = ticket.resolution_time = None
    return first_response_at


def past_alarms(
    ticket: Ticket, now: datetime.datetime, *, first_response_at: datetime.datetime | None
) -> list[Alarm]:
    """The warnings and breaches a ticket not closed nor cancelled went through before
    `now`, as well as its final deadlines tell (for recording them without notice): each
    clock's warning and breach whose instant came before the clock stopped. (A pause after
    a warning has pushed the computed warning instant later than it really was.)"""
    if ticket.state not in (*Ticket.IN_COURSE_STATES, Ticket.State.SOLVED) or ticket.first_response_due is None:
        return []
    alarms = []
    # Unknown when the first response came (no column, no history): nothing to say of it.
    first_response_end = now if ticket.first_response_owed else first_response_at
    resolution_end = ticket.resolution_paused_since or now
    for clock, warn_at, due, end in (
        (FIRST_RESPONSE, ticket.first_response_warn_at, ticket.first_response_due, first_response_end),
        (RESOLUTION, ticket.resolution_warn_at, ticket.resolution_due, resolution_end),
    ):
        if end is None:
            continue
        end = min(end, now)
        if warn_at < end:
            alarms.append(Alarm(clock, WARNING, warn_at, due))
        if due < end:
            alarms.append(Alarm(clock, BREACH, due, due))
    return alarms


def write_columns(tickets: list[Ticket], fields: list[str], *, chunk: int = 500) -> None:
    """Save these columns of many tickets: one UPDATE … FROM a list of values per `chunk`
    tickets. Not bulk_update, whose CASE WHEN per column and row grows with the square of
    the batch (7 s for 1000 tickets and 14 columns), nor one UPDATE per ticket (0.3 ms
    each in statement overhead alone)."""
    columns = [Ticket._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    # PostgreSQL types a VALUES list by its first row, where a None says nothing: cast.
    casts = [f"::{column.db_type(connection)}" if postgres else "" for column in columns]
    names = ["id", *(f"c{n}" for n in range(len(columns)))]
    row_sql = "({})".format(", ".join(["%s", *(f"%s{cast}" for cast in casts)]))
    for start in range(0, len(tickets), chunk):
        part = tickets[start : start + chunk]
        sql = "WITH v({names}) AS (VALUES {rows}) UPDATE {table} SET {sets} FROM v WHERE {table}.{pk} = v.id".format(
            names=", ".join(names),
            rows=", ".join([row_sql] * len(part)),
            table=quote(Ticket._meta.db_table),
            sets=", ".join(f"{quote(column.column)} = v.c{n}" for n, column in enumerate(columns)),
            pk=quote(Ticket._meta.pk.column),
        )
        params = [
            value
            for ticket in part
            for value in (ticket.pk, *(c.get_db_prep_save(getattr(ticket, c.attname), connection) for c in columns))
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _history(*, ticket_ids) -> Iterable[TicketChange]:
    """The state and priority changes of these tickets, in order, ticket by ticket."""
    return (
        TicketChange.objects.filter(
            ticket_id__in=ticket_ids, field__in=[TicketChange.Field.STATE, TicketChange.Field.PRIORITY]
        )
        .order_by("ticket_id", "at", "id")
        .only("ticket_id", "at", "field", "old_value", "new_value", "gatekeeping")
    )


@dataclass
class RecomputeResult:
    tickets: int = 0
    events: int = 0


def sla_recompute(
    *,
    tickets=None,
    now: datetime.datetime | None = None,
    record_passed: bool = True,
    batch_size: int = 1000,
    progress=None,
) -> RecomputeResult:
    """Compute the SLA columns of existing tickets (by default every ticket not closed nor
    cancelled) from their creation and history, as the lifecycle points would have: after
    an upgrade, for tickets written around the services (the benchmark's dataset), or after
    a calendar's hours or holidays change. Tickets keep their plan once they have one.

    record_passed: the warnings and breaches already behind them are recorded as events
    without notice (notified=False), so that the first sweep does not flood inboxes with
    the past; without it they are left to the next sweep, which notifies them (and
    escalates, if the plan says so). Closed and cancelled tickets get their deadlines and
    verdicts (for the reports) but no events.

    In batches, each in its own transaction with its tickets locked, so that a desk at
    work can stay open meanwhile. `progress(result, total)` is called after each batch."""
    now = now or timezone.now()
    tickets = Ticket.objects.not_final() if tickets is None else tickets
    ids = list(tickets.order_by("pk").values_list("pk", flat=True))
    book = PlanBook()
    result = RecomputeResult()
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            batch = list(Ticket.objects.filter(pk__in=chunk).order_by("pk").select_for_update(no_key=True))
            history = defaultdict(list)
            for change in _history(ticket_ids=chunk):
                history[change.ticket_id].append(change)
            recorded = defaultdict(set)
            for ticket_id, clock, kind in SLAEvent.objects.filter(ticket_id__in=chunk).values_list(
                "ticket_id", "clock", "kind"
            ):
                recorded[ticket_id].add((clock, kind))
            events = []
            for ticket in batch:
                first_response_at = replay(ticket, history[ticket.pk], book)
                for alarm in past_alarms(ticket, now, first_response_at=first_response_at) if record_passed else ():
                    if (alarm.clock, alarm.kind) not in recorded[ticket.pk]:
                        recorded[ticket.pk].add((alarm.clock, alarm.kind))
                        events.append(
                            SLAEvent(
                                ticket=ticket,
                                clock=alarm.clock,
                                kind=alarm.kind,
                                at=alarm.at,
                                due=alarm.due,
                                recorded_at=now,
                                notified=False,
                            )
                        )
                ticket.sla_next_check_at = next_check(ticket, recorded[ticket.pk])
            write_columns(batch, SLA_FIELDS)
            # Only a holder of these tickets' locks writes their events: no conflict is
            # expected, and one would only mean the event is already there.
            SLAEvent.objects.bulk_create(events, ignore_conflicts=True)
        result.tickets += len(batch)
        result.events += len(events)
        if progress is not None:
            progress(result, len(ids))
    return result
