"""The rollup is the sum of the tickets' facts: for random small desks over three months,
and after random changes refreshed incrementally, every figure of `period_figures` (for a
period and the one before it, whole months read from the monthly rows and the edges from
the daily ones) equals the same figure computed directly over TicketFacts in this test,
and every monthly row is the sum of its days (docs/reports.md)."""

import datetime
import math
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import buckets
from reports.figures import period_figures
from reports.models import ALL_COUNTERS, DailyFigure, MonthlyFigure, TicketFacts
from reports.refresh import refresh_tickets, reports_rebuild
from tests.factories import AgentFactory, ContactFactory, ModuleFactory
from tickets.models import Ticket, TicketChange

from .desk import mx

pytestmark = pytest.mark.django_db

S = Ticket.State
# The tickets' days run from late November to early January: periods take whole months
# (December), parts of months under and over half of them, and straddle month and year ends.
DAY0 = datetime.date(2025, 11, 24)
DAYS = 40
DIMENSIONS = ["all", "module", "agent", "level", "priority", "organization", "channel", "kind"]


@pytest.fixture
def cast(db):
    requester = ContactFactory()
    return dict(
        requester=requester,
        modules=[ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación"), None],
        agents=[AgentFactory(username="ana"), AgentFactory(username="beto"), None],
    )


durations = st.one_of(st.none(), st.integers(0, 12 * 86400))
ticket_plans = st.fixed_dictionaries(
    {
        "day": st.integers(0, DAYS),
        "hour": st.integers(0, 23),
        "state": st.sampled_from(S.values),
        "module": st.integers(0, 2),
        "agent": st.integers(0, 2),
        "priority": st.integers(1, 5),
        "level": st.integers(1, 3),
        "channel": st.sampled_from(Ticket.Channel.values),
        "kind": st.sampled_from(Ticket.Kind.values),
        "first_response": durations,
        "first_response_time": durations,
        "first_response_met": st.one_of(st.none(), st.booleans()),
        "solved": durations,
        "resolution_time": durations,
        "resolution_met": st.one_of(st.none(), st.booleans()),
        "code": st.sampled_from(Ticket.ResolutionCode.values),
        "cancel_reason": st.sampled_from(Ticket.CancelReason.values),
        "reopens": st.integers(0, 2),
        "escalations": st.integers(0, 2),
        # (hours after creation, new state) of its history; levels as escalations.
        "moves": st.lists(st.tuples(st.integers(1, 200), st.sampled_from(S.values)), max_size=4),
        "rating": st.one_of(st.none(), st.integers(1, 5)),
        "survey_solved": st.booleans(),
    }
)


def make_ticket(plan, cast) -> Ticket:
    day = DAY0 + datetime.timedelta(days=plan["day"])
    created = mx(day.year, day.month, day.day, plan["hour"])

    def after(seconds):
        return None if seconds is None else created + datetime.timedelta(seconds=seconds)

    state = plan["state"]
    solved_at = after(plan["solved"]) if state in (S.SOLVED, S.CLOSED) else None
    if state in (S.SOLVED, S.CLOSED) and solved_at is None:
        solved_at = created
    ticket = Ticket.objects.create(
        requester=cast["requester"],
        organization=cast["requester"].organization,
        module=cast["modules"][plan["module"]],
        assignee=cast["agents"][plan["agent"]],
        subject="S",
        description="D",
        channel=plan["channel"],
        kind=plan["kind"],
        priority=plan["priority"],
        level=plan["level"],
        state=state,
        created_at=created,
        first_response_at=after(plan["first_response"]),
        first_response_time=None if plan["first_response_time"] is None else datetime.timedelta(seconds=plan["first_response_time"]),
        first_response_met=plan["first_response_met"],
        solved_at=solved_at,
        resolution_time=None if plan["resolution_time"] is None else datetime.timedelta(seconds=plan["resolution_time"]),
        resolution_met=plan["resolution_met"],
        resolution_code=plan["code"] if solved_at else "",
        closed_at=solved_at + datetime.timedelta(hours=5) if state == S.CLOSED else None,
        cancelled_at=after(3600) if state == S.CANCELLED else None,
        cancel_reason=plan["cancel_reason"] if state == S.CANCELLED else "",
        reopen_count=plan["reopens"],
        escalation_count=plan["escalations"],
    )
    previous = S.OPEN
    changes = []
    for hours, new in plan["moves"]:
        changes.append(TicketChange(ticket=ticket, at=created + datetime.timedelta(hours=hours), field="state", old_value=previous, new_value=new))
        previous = new
    for n in range(plan["escalations"]):
        changes.append(TicketChange(ticket=ticket, at=created + datetime.timedelta(hours=n + 1), field="level", old_value=str(n + 1), new_value=str(n + 2)))
    TicketChange.objects.bulk_create(changes)
    if state == S.CLOSED:
        from surveys.models import Survey, SurveyAnswer

        survey = Survey.objects.create(ticket=ticket, sent_at=ticket.closed_at, expires_at=ticket.closed_at + datetime.timedelta(days=7))
        if plan["rating"] is not None:
            SurveyAnswer.objects.create(
                survey=survey, ticket=ticket, rating=plan["rating"], solved=plan["survey_solved"], answered_at=ticket.closed_at
            )
    return ticket

def change_tickets(tickets, changes, cast) -> set[int]:
    """Some tickets change, as a new plan would have made them, and one in two of those
    disappears instead; returns their ids (for the refresh to be told)."""
    touched = set()
    for index, plan in changes:
        if index >= len(tickets) or tickets[index].pk in touched:
            continue
        old = tickets[index]
        touched.add(old.pk)
        replacement = make_ticket(plan, cast)
        TicketChange.objects.filter(ticket=old).delete()
        TicketChange.objects.filter(ticket=replacement).update(ticket=old)
        columns = {f.attname: getattr(replacement, f.attname) for f in Ticket._meta.concrete_fields if f.attname not in ("id", "reference", "search_vector")}
        Ticket.objects.filter(pk=replacement.pk).delete()
        Ticket.objects.filter(pk=old.pk).update(**columns)
        if old.pk % 2 == 0:
            Ticket.objects.filter(pk=old.pk).delete()
    return touched


def value_of(facts: TicketFacts, dimension: str) -> str:
    raw = {
        "all": "",
        "module": facts.module_id,
        "agent": facts.agent_id,
        "level": facts.level,
        "priority": facts.priority,
        "organization": facts.organization_id,
        "channel": facts.channel,
        "kind": facts.kind,
    }[dimension]
    return "" if raw is None else str(raw)


def nearest_rank(values, share):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def as_day(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def direct(start, end, dimension):
    """The figures straight from TicketFacts, by value."""
    out = {}

    def inside(day):
        return day is not None and start <= day <= end

    for f in TicketFacts.objects.all():
        o = out.setdefault(value_of(f, dimension), dict(
            created=0, solved=0, closed=0, cancelled=0, backlog=0, fr_wall=[], fr_business=[], fr_met=0, fr_breached=0,
            res_wall=[], res_business=[], res_met=0, res_breached=0, fcr=0, false=0, esc2=0, esc3=0, reopenings=0,
            sent=0, answered=0, ratings=[], survey_solved=0,
        ))
        o["created"] += inside(f.created_day)
        o["solved"] += inside(f.solved_day)
        o["closed"] += inside(f.closed_day)
        o["cancelled"] += inside(f.cancelled_day)
        o["backlog"] += sum(delta for day, delta in f.course_moves if as_day(day) <= end)
        if inside(f.first_response_day):
            o["fr_wall"].append(f.first_response_wall)
            if f.first_response_business is not None:
                o["fr_business"].append(f.first_response_business)
            o["fr_met"] += f.first_response_met is True
            o["fr_breached"] += f.first_response_met is False
        if f.resolved and inside(f.solved_day):
            o["res_wall"].append(f.resolution_wall)
            if f.resolution_business is not None:
                o["res_business"].append(f.resolution_business)
            o["res_met"] += f.resolution_met is True
            o["res_breached"] += f.resolution_met is False
            o["fcr"] += f.first_contact_resolution
            o["false"] += f.false_incident
        o["esc2"] += sum(1 for day, level in f.escalations if level == 2 and inside(as_day(day)))
        o["esc3"] += sum(1 for day, level in f.escalations if level == 3 and inside(as_day(day)))
        o["reopenings"] += sum(1 for day in f.reopenings if inside(as_day(day)))
        if inside(f.survey_day):
            o["sent"] += 1
            if f.survey_answered:
                o["answered"] += 1
                o["ratings"].append(f.survey_rating)
                o["survey_solved"] += bool(f.survey_solved)
    return out


def check_times(times, values):
    assert times.count == len(values)
    if not values:
        assert times.mean is None
        return
    assert times.mean == pytest.approx(sum(values) / len(values))
    assert times.median == buckets.representative(buckets.bucket_of(nearest_rank(values, 0.5)))
    assert times.p90 == buckets.representative(buckets.bucket_of(nearest_rank(values, 0.9)))


def check_rows(rows, expected):
    for value, o in expected.items():
        row = rows.get(value)
        if row is None:  # a value with nothing in the period nor its backlog
            assert not (o["created"] or o["solved"] or o["closed"] or o["cancelled"] or o["backlog"] or o["fr_wall"] or o["sent"])
            continue
        assert (row.created, row.solved, row.closed, row.cancelled, row.backlog) == (
            o["created"], o["solved"], o["closed"], o["cancelled"], o["backlog"]
        )
        check_times(row.first_response.wall, o["fr_wall"])
        check_times(row.first_response.business, o["fr_business"])
        check_times(row.resolution.wall, o["res_wall"])
        check_times(row.resolution.business, o["res_business"])
        assert (row.first_response.met, row.first_response.breached) == (o["fr_met"], o["fr_breached"])
        assert (row.resolution.met, row.resolution.breached) == (o["res_met"], o["res_breached"])
        assert (row.first_contact, row.false_incidents) == (o["fcr"], o["false"])
        assert row.escalations == {2: o["esc2"], 3: o["esc3"]}
        assert row.reopenings == o["reopenings"]
        s = row.satisfaction
        assert (s.sent, s.answered, s.rating_sum, s.solved) == (o["sent"], o["answered"], sum(o["ratings"]), o["survey_solved"])
        assert s.distribution == {r: o["ratings"].count(r) for r in range(1, 6)}


def check(start, end, dimension):
    report = period_figures(start, end, breakdown=dimension)
    check_rows({row.value: row for row in report.rows}, direct(start, end, dimension))
    check_rows(report.previous, direct(report.previous_start, report.previous_end, dimension))


def stored_rows():
    return sorted(DailyFigure.objects.values_list(*[f.attname for f in DailyFigure._meta.concrete_fields if f.attname != "id"]))


def stored_months():
    return sorted(MonthlyFigure.objects.values_list(*[f.attname for f in MonthlyFigure._meta.concrete_fields if f.attname != "id"]))


def months_of_the_days():
    """The monthly rows as the sums of the daily rows, computed here."""
    sums: dict[tuple, Counter] = {}
    for row in DailyFigure.objects.values("day", "dimension", "value", *ALL_COUNTERS):
        total = sums.setdefault((row["day"].replace(day=1), row["dimension"], row["value"]), Counter())
        for name in ALL_COUNTERS:
            total[name] += row[name]
    return sorted((*key, *(total[name] for name in ALL_COUNTERS)) for key, total in sums.items() if any(total.values()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    plans=st.lists(ticket_plans, min_size=1, max_size=8),
    changes=st.lists(st.tuples(st.integers(0, 7), ticket_plans), max_size=3),
    period=st.tuples(st.integers(0, DAYS + 5), st.integers(0, DAYS + 5)),
    dimension=st.sampled_from(DIMENSIONS),
)
def test_the_rollup_is_the_sum_of_the_facts(cast, plans, changes, period, dimension):
    Ticket.objects.all().delete()
    TicketFacts.objects.all().delete()
    DailyFigure.objects.all().delete()
    MonthlyFigure.objects.all().delete()
    start, end = DAY0 + datetime.timedelta(days=min(period)), DAY0 + datetime.timedelta(days=max(period))
    tickets = [make_ticket(plan, cast) for plan in plans]
    refresh_tickets([t.pk for t in tickets])
    check(start, end, dimension)
    assert stored_months() == months_of_the_days()

    # Some tickets change (or go): their old contribution leaves, their new one comes in.
    refresh_tickets(change_tickets(tickets, changes, cast))
    check(start, end, dimension)
    incremental, incremental_months = stored_rows(), stored_months()
    assert incremental_months == months_of_the_days()
    refresh_tickets([t.pk for t in tickets])  # again: nothing changes
    assert (stored_rows(), stored_months()) == (incremental, incremental_months)
    reports_rebuild()  # and everything from nothing gives the same rows
    assert stored_months() == incremental_months
    rebuilt = stored_rows()
    assert set(rebuilt) - set(incremental) == set() and set(incremental) - set(rebuilt) == set(), (
        [r[:3] for r in set(rebuilt) ^ set(incremental)]
    )


@given(st.floats(60, 60 * 2**16, exclude_max=True))
def test_a_percentile_reads_within_12_percent(seconds):
    assert abs(buckets.representative(buckets.bucket_of(seconds)) / seconds - 1) <= 2 ** (1 / 6) - 1 + 1e-9


@given(st.floats(0, 10**9))
def test_buckets_are_ordered(seconds):
    k = buckets.bucket_of(seconds)
    assert buckets.lower_edge(k) <= seconds * (1 + 1e-12)
    assert k == buckets.LAST or seconds < buckets.lower_edge(k + 1) * (1 + 1e-12)
