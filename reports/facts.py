"""Each ticket's facts (TicketFacts), computed from what is stored: the ticket's columns
(the SLA's instants, verdicts and business times), its history (tickets.TicketChange:
changes of state and level) and its survey. What each figure reads: docs/reports.md."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from surveys.models import Survey, SurveyAnswer
from tickets.models import Ticket, TicketChange

from . import buckets
from .models import ALL_COUNTERS, Dimension, FactEvent, TicketFacts

IN_COURSE = frozenset(Ticket.IN_COURSE_STATES)


def desk_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def desk_day(at: datetime.datetime | None) -> datetime.date | None:
    """The day of an instant in the desk's time zone."""
    return None if at is None else at.astimezone(desk_zone()).date()


def _seconds(delta: datetime.timedelta | None) -> int | None:
    return None if delta is None else max(0, round(delta.total_seconds()))


def _wall(start: datetime.datetime, end: datetime.datetime | None) -> int | None:
    return None if end is None else _seconds(end - start)


def facts_of(ticket: Ticket, changes: Iterable[TicketChange], survey: Survey | None, answer: SurveyAnswer | None, *, now) -> TicketFacts:
    """The facts of one ticket; `changes`: its history of state and level, in order."""
    course_moves, escalations, reopenings = [], [], []
    in_course = False
    states_seen = False
    for change in changes:
        if change.field == TicketChange.Field.STATE:
            if not states_seen and change.old_value in IN_COURSE:
                # A ticket opens in course (Abierto): its creation is its first move.
                course_moves.append([desk_day(ticket.created_at).isoformat(), 1])
                in_course = True
            states_seen = True
            now_in = change.new_value in IN_COURSE
            if now_in != in_course:
                course_moves.append([desk_day(change.at).isoformat(), 1 if now_in else -1])
                in_course = now_in
            if change.old_value == Ticket.State.SOLVED and change.new_value == Ticket.State.IN_PROGRESS:
                reopenings.append(desk_day(change.at).isoformat())
        elif change.field == TicketChange.Field.LEVEL:
            try:
                escalations.append([desk_day(change.at).isoformat(), int(change.new_value)])
            except ValueError:
                continue
    if not states_seen and ticket.state in IN_COURSE:
        course_moves.append([desk_day(ticket.created_at).isoformat(), 1])

    resolved = ticket.state == Ticket.State.CLOSED and ticket.solved_at is not None
    solved = ticket.solved_at is not None and ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED)
    facts = TicketFacts(
        ticket_id=ticket.pk,
        kind=ticket.kind,
        channel=ticket.channel,
        priority=ticket.priority,
        level=ticket.level,
        module_id=ticket.module_id,
        agent_id=ticket.assignee_id,
        organization_id=ticket.organization_id,
        state=ticket.state,
        created_at=ticket.created_at,
        created_day=desk_day(ticket.created_at),
        first_response_at=ticket.first_response_at,
        first_response_day=desk_day(ticket.first_response_at),
        first_response_wall=_wall(ticket.created_at, ticket.first_response_at),
        first_response_business=_seconds(ticket.first_response_time) if ticket.first_response_at else None,
        first_response_met=ticket.first_response_met if ticket.first_response_at else None,
        solved_at=ticket.solved_at if solved else None,
        solved_day=desk_day(ticket.solved_at) if solved else None,
        resolved=resolved,
        resolution_wall=_wall(ticket.created_at, ticket.solved_at) if resolved else None,
        resolution_business=_seconds(ticket.resolution_time) if resolved else None,
        resolution_met=ticket.resolution_met if resolved else None,
        resolution_code=ticket.resolution_code if resolved else "",
        first_contact_resolution=resolved
        and ticket.level == 1
        and ticket.escalation_count == 0
        and ticket.reopen_count == 0,
        false_incident=resolved and ticket.resolution_code == Ticket.ResolutionCode.FALSE_INCIDENT,
        closed_day=desk_day(ticket.closed_at) if ticket.state == Ticket.State.CLOSED else None,
        cancelled_day=desk_day(ticket.cancelled_at) if ticket.state == Ticket.State.CANCELLED else None,
        cancel_reason=ticket.cancel_reason if ticket.state == Ticket.State.CANCELLED else "",
        escalation_count=ticket.escalation_count,
        reopen_count=ticket.reopen_count,
        survey_day=desk_day(survey.sent_at) if survey else None,
        survey_answered=answer is not None,
        survey_rating=answer.rating if answer else None,
        survey_solved=answer.solved if answer else None,
        course_moves=course_moves,
        escalations=escalations,
        reopenings=reopenings,
        computed_at=now,
    )
    return facts


def compute_facts(ticket_ids: Iterable[int], *, now=None) -> list[TicketFacts]:
    """The facts of these tickets (those that exist), in three queries."""
    now = now or timezone.now()
    history = TicketChange.objects.filter(field__in=[TicketChange.Field.STATE, TicketChange.Field.LEVEL]).order_by("at", "id")
    tickets = (
        Ticket.objects.filter(pk__in=list(ticket_ids))
        .select_related("survey", "survey_answer")
        .prefetch_related(Prefetch("changes", queryset=history, to_attr="report_history"))
        .order_by("pk")
    )
    return [
        facts_of(
            ticket,
            ticket.report_history,
            getattr(ticket, "survey", None),
            getattr(ticket, "survey_answer", None),
            now=now,
        )
        for ticket in tickets
    ]


def events_of(facts: TicketFacts) -> list[FactEvent]:
    """The rows of FactEvent that say what the facts' dated lists say: each stretch in
    course (a +1 move to the next -1 move, or still open), each escalation, each reopening;
    each with the facts' module, agent and organization."""
    def event(kind, day, **more) -> FactEvent:
        return FactEvent(
            facts_id=facts.ticket_id,
            kind=kind,
            day=day,
            module_id=facts.module_id,
            agent_id=facts.agent_id,
            organization_id=facts.organization_id,
            **more,
        )

    events = []
    entered = None
    for day, delta in facts.course_moves:
        if delta > 0:
            entered = _as_day(day)
        elif entered is not None:
            events.append(event(FactEvent.Kind.COURSE, entered, until=_as_day(day)))
            entered = None
    if entered is not None:
        events.append(event(FactEvent.Kind.COURSE, entered, until=None))
    for day, level in facts.escalations:
        events.append(event(FactEvent.Kind.ESCALATION, _as_day(day), level=level))
    for day in facts.reopenings:
        events.append(event(FactEvent.Kind.REOPENING, _as_day(day)))
    return events


def replace_events(ticket_ids: Iterable[int], facts: Iterable[TicketFacts]) -> None:
    """The events of these tickets out, those of their new `facts` in (written with them)."""
    ticket_ids = list(ticket_ids)
    if ticket_ids:
        FactEvent.objects.filter(facts_id__in=ticket_ids).delete()
    FactEvent.objects.bulk_create([event for one in facts for event in events_of(one)], batch_size=1000)


# The contribution of one ticket's facts to the daily rollup ---------------------------

Key = tuple[datetime.date, str, str]  # day, dimension, value


def dimension_values(facts: TicketFacts) -> list[tuple[str, str]]:
    """The (dimension, value) rows a ticket counts in: the whole desk and one value of each
    dimension ("" for none: no module, no agent, no organization)."""
    def text(value) -> str:
        return "" if value is None else str(value)

    return [
        (Dimension.ALL, ""),
        (Dimension.MODULE, text(facts.module_id)),
        (Dimension.AGENT, text(facts.agent_id)),
        (Dimension.LEVEL, text(facts.level)),
        (Dimension.PRIORITY, text(facts.priority)),
        (Dimension.ORGANIZATION, text(facts.organization_id)),
        (Dimension.CHANNEL, facts.channel),
        (Dimension.KIND, facts.kind),
    ]


def _as_day(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def day_counts(facts: TicketFacts) -> dict[datetime.date, Counter]:
    """What one ticket adds to each day's counters (before the dimensions)."""
    days: dict[datetime.date, Counter] = defaultdict(Counter)
    days[facts.created_day]["created"] += 1
    for day, delta in facts.course_moves:
        days[_as_day(day)]["entered_course" if delta > 0 else "left_course"] += 1
    if facts.solved_day:
        days[facts.solved_day]["solved"] += 1
    if facts.closed_day:
        days[facts.closed_day]["closed"] += 1
    if facts.cancelled_day:
        day = days[facts.cancelled_day]
        day["cancelled"] += 1
        if facts.cancel_reason:
            day[f"cancelled_{facts.cancel_reason}"] += 1
    if facts.first_response_day:
        _add_clock(
            days[facts.first_response_day],
            "fr",
            wall=facts.first_response_wall,
            business=facts.first_response_business,
            met=facts.first_response_met,
        )
    if facts.resolved:
        day = days[facts.solved_day]
        _add_clock(
            day, "res", wall=facts.resolution_wall, business=facts.resolution_business, met=facts.resolution_met
        )
        day["fcr"] += facts.first_contact_resolution
        day["false_incidents"] += facts.false_incident
        day["resolved_escalated"] += facts.escalation_count > 0
        day["resolved_reopened"] += facts.reopen_count > 0
    for day, level in facts.escalations:
        if level in (2, 3):
            days[_as_day(day)][f"escalations_n{level}"] += 1
    for day in facts.reopenings:
        days[_as_day(day)]["reopenings"] += 1
    if facts.survey_day:
        day = days[facts.survey_day]
        day["surveys_sent"] += 1
        if facts.survey_answered:
            day["surveys_answered"] += 1
            day["rating_sum"] += facts.survey_rating
            day[f"rating_{facts.survey_rating}"] += 1
            day["survey_solved"] += bool(facts.survey_solved)
    return days


def contribution(facts: TicketFacts, sign: int = 1) -> dict[Key, Counter]:
    """What one ticket adds to (sign 1) or takes from (sign -1) each rollup row."""
    rows: dict[Key, Counter] = {}
    for day, counts in day_counts(facts).items():
        counts = Counter({name: sign * n for name, n in counts.items() if n})
        for dimension, value in dimension_values(facts):
            rows[(day, str(dimension), value)] = counts
    return rows


def add_into(total: dict[Key, Counter], part: dict[Key, Counter]) -> None:
    for key, counts in part.items():
        row = total.setdefault(key, Counter())
        for name, n in counts.items():
            row[name] += n


FIELDS = frozenset(ALL_COUNTERS)


def _add_clock(day: dict, prefix: str, *, wall: int, business: int | None, met: bool | None) -> None:
    """One clock's time and verdict into a day's counts: "fr" (first response) or "res"
    (resolution); the business time only for a ticket with an SLA plan, the verdict only
    when there was a deadline."""
    day[f"{prefix}_count"] += 1
    day[f"{prefix}_wall_sum"] += wall
    day[buckets.column(f"{prefix}_wall", buckets.bucket_of(wall))] += 1
    if business is not None:
        day[f"{prefix}_business_count"] += 1
        day[f"{prefix}_business_sum"] += business
        day[buckets.column(f"{prefix}_business", buckets.bucket_of(business))] += 1
    if met is True:
        day[f"{prefix}_met"] += 1
    elif met is False:
        day[f"{prefix}_breached"] += 1
