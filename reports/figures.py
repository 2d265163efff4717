"""The reads of the reports: a period's figures by a dimension against the period of the
same kind before it (previous_period), and the figures of each day (docs/reports.md defines each one).
They read only the rollup (whole months from MonthlyFigure, the days around them from
DailyFigure), in a constant number of queries whatever the tickets and the period: two
for a period, two for a series of days.

Periods are inclusive ranges of the desk's days (settings.TIME_ZONE); `named_period`
gives today, this week, this month and last month."""

from __future__ import annotations

import calendar
import dataclasses
import datetime

from django.db import connection

from tickets.models import Ticket

from . import buckets
from .models import ALL_COUNTERS, DailyFigure, Dimension, MonthlyFigure


@dataclasses.dataclass(frozen=True)
class Times:
    """Durations in seconds: how many, their mean (exact) and their median and 90th
    percentile (from the histogram: within 12.2 %, reports.buckets)."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, count: int, total: int, histogram: list[int]) -> Times:
        if not count:
            return cls(0, None, None, None)
        return cls(count, total / count, buckets.percentile(histogram, 0.5), buckets.percentile(histogram, 0.9))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclasses.dataclass(frozen=True)
class Clock:
    """One SLA clock (first response or resolution): its times and its verdicts."""

    wall: Times
    business: Times
    met: int
    breached: int

    @property
    def within_share(self) -> float | None:
        """Share of the verdicts that met the deadline."""
        return _share(self.met, self.met + self.breached)


@dataclasses.dataclass(frozen=True)
class Satisfaction:
    sent: int
    answered: int
    rating_sum: int
    distribution: dict[int, int]  # rating 1–5 → answers
    solved: int  # answers "¿se resolvió?" = sí

    @property
    def answer_rate(self) -> float | None:
        return _share(self.answered, self.sent)

    @property
    def mean(self) -> float | None:
        return self.rating_sum / self.answered if self.answered else None

    @property
    def solved_share(self) -> float | None:
        return _share(self.solved, self.answered)


@dataclasses.dataclass(frozen=True)
class Row:
    """The figures of one value of the dimension over a period ("" with the whole desk, or
    for no value: no module, no agent, no organization)."""

    value: str
    created: int
    solved: int
    closed: int
    cancelled: int
    cancellations: dict[str, int]  # reason → tickets
    backlog: int  # in course at the end of the period's last day
    first_response: Clock
    resolution: Clock
    resolved: int
    first_contact: int
    escalations: dict[int, int]  # level reached (2, 3) → escalations
    resolved_escalated: int
    reopenings: int
    resolved_reopened: int
    false_incidents: int
    satisfaction: Satisfaction

    @property
    def first_contact_share(self) -> float | None:
        return _share(self.first_contact, self.resolved)

    @property
    def escalated_share(self) -> float | None:
        return _share(self.resolved_escalated, self.resolved)

    @property
    def reopened_share(self) -> float | None:
        return _share(self.resolved_reopened, self.resolved)

    @classmethod
    def of(cls, value: str, sums: dict, backlog: int) -> Row:
        def n(name: str) -> int:
            return int(sums.get(name) or 0)

        def histogram(name: str) -> list[int]:
            return [n(column) for column in buckets.columns(name)]

        def clock(prefix: str) -> Clock:
            return Clock(
                wall=Times.of(n(f"{prefix}_count"), n(f"{prefix}_wall_sum"), histogram(f"{prefix}_wall")),
                business=Times.of(n(f"{prefix}_business_count"), n(f"{prefix}_business_sum"), histogram(f"{prefix}_business")),
                met=n(f"{prefix}_met"),
                breached=n(f"{prefix}_breached"),
            )

        return cls(
            value=value,
            created=n("created"),
            solved=n("solved"),
            closed=n("closed"),
            cancelled=n("cancelled"),
            cancellations={reason: n(f"cancelled_{reason}") for reason in Ticket.CancelReason.values},
            backlog=backlog,
            first_response=clock("fr"),
            resolution=clock("res"),
            resolved=n("res_count"),
            first_contact=n("fcr"),
            escalations={2: n("escalations_n2"), 3: n("escalations_n3")},
            resolved_escalated=n("resolved_escalated"),
            reopenings=n("reopenings"),
            resolved_reopened=n("resolved_reopened"),
            false_incidents=n("false_incidents"),
            satisfaction=Satisfaction(
                sent=n("surveys_sent"),
                answered=n("surveys_answered"),
                rating_sum=n("rating_sum"),
                distribution={rating: n(f"rating_{rating}") for rating in range(1, 6)},
                solved=n("survey_solved"),
            ),
        )


@dataclasses.dataclass(frozen=True)
class Report:
    """A period's rows and the same rows over the period it is compared with (previous_period)."""

    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    breakdown: str
    rows: list[Row]  # by value; the values with anything in either period
    previous: dict[str, Row]  # value → its row of the period before

    def previous_of(self, row: Row) -> Row:
        return self.previous[row.value]


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier, or that month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def previous_period(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """What a period is compared with (docs/reports.md, «Days, periods and dimensions»):
    whole calendar months → as many whole months before (November → October, a quarter →
    the quarter before); a week up to a day of it, from its Monday, and a single day → the
    same days of the week before; a month up to a day of it → the same days of the month
    before (1–22 November → 1–22 October); any other range → as many days just before it."""
    length = (end - start).days + 1
    last_of_end_month = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and end.day == last_of_end_month:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        previous_start = _months_before(start, months)
        return previous_start, start - datetime.timedelta(days=1)
    week = datetime.timedelta(days=7)
    if length == 1 or (start.weekday() == 0 and length <= 7):
        # Before the month to date: 1–7 December 2025, a Monday to a Sunday, is a week.
        return start - week, end - week
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        previous_start = _months_before(start, 1)
        return previous_start, _months_before(end, 1)
    return start - datetime.timedelta(days=length), start - datetime.timedelta(days=1)


def named_period(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """"today", "week" (Monday to today), "month" (the 1st to today), "last_month"."""
    if name == "today":
        return today, today
    if name == "week":
        return today - datetime.timedelta(days=today.weekday()), today
    if name == "month":
        return today.replace(day=1), today
    if name == "last_month":
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    raise ValueError(f"unknown period {name!r}")


def _scope(breakdown: str | None, agent) -> tuple[str, list[str] | None]:
    if agent is not None:
        if breakdown not in (None, Dimension.AGENT):
            # The rollup keeps one dimension a row: an agent's figures by module would need
            # rows of both, which it does not keep.
            raise ValueError("an agent's figures are not broken down further")
        return Dimension.AGENT, [str(getattr(agent, "pk", agent))]
    dimension = Dimension(breakdown or Dimension.ALL)
    return dimension, None


# Reading a period from the rollup -----------------------------------------------------
#
# A period is read as whole months from MonthlyFigure and its ragged edges from
# DailyFigure: a partial month either as its days (added) or, when it covers more than half
# of the month, as the month's row less the days left out (subtracted). Every figure is a
# sum, so the result is exactly the sum of the period's daily rows, reading at most about
# half a month of daily rows at each edge instead of every day.

MONTHLY = "month"
DAILY = "day"
# (table, first, last, sign): the rows of that table from first to last (inclusive dates).
Piece = tuple[str, datetime.date, datetime.date, int]


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def pieces(start: datetime.date | None, end: datetime.date) -> list[Piece]:
    """The monthly and daily row ranges whose signed sum is the sum of the days start…end
    (start None: every day up to end)."""
    one = datetime.timedelta(days=1)
    out: list[Piece] = []
    whole_from = None  # the first of a run of whole months not yet written
    last_month = _month_start(end)
    if start is None:
        whole_from, month = datetime.date.min, last_month  # every month before end's, whole
    else:
        month = _month_start(start)

    def close_whole(until: datetime.date) -> None:
        nonlocal whole_from
        if whole_from is not None:
            out.append((MONTHLY, whole_from, until, 1))
            whole_from = None

    while month <= last_month:
        month_end = _month_end(month)
        first = month if start is None or start < month else start
        last = min(end, month_end)
        if first == month and last == month_end:
            if whole_from is None:
                whole_from = month
        else:
            close_whole(month - one)
            inside = (last - first).days + 1
            outside = (month_end - month).days + 1 - inside
            if inside <= outside + 1:
                out.append((DAILY, first, last, 1))
            else:
                out.append((MONTHLY, month, month, 1))
                if first > month:
                    out.append((DAILY, month, first - one, -1))
                if last < month_end:
                    out.append((DAILY, last + one, month_end, -1))
        month = month_end + one
    close_whole(_month_end(last_month))
    return out


TABLES = {
    MONTHLY: (MonthlyFigure._meta.db_table, "month"),
    DAILY: (DailyFigure._meta.db_table, "day"),
}


def _union(columns: dict[str, str], parts: list[tuple[int, Piece]], dimension: str, values) -> tuple[str, list]:
    """SELECT value, period, SUM(each column) over the signed pieces of each period
    (columns: name → SQL expression over a row)."""
    quote = connection.ops.quote_name
    selects, params = [], []
    for period, (table, first, last, sign) in parts:
        name, date_column = TABLES[table]
        where = [f"{quote('dimension')} = %s", f"{quote(date_column)} BETWEEN %s AND %s"]
        params.extend([dimension, first, last])
        if values is not None:
            where.append(f"{quote('value')} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
        minus = "" if sign > 0 else "-"
        picked = ", ".join(f"{minus}({expression}) AS {quote(column)}" for column, expression in columns.items())
        selects.append(
            f"SELECT {quote('value')} AS {quote('value')}, {period} AS period, {picked} "
            f"FROM {quote(name)} WHERE {' AND '.join(where)}"
        )
    # As bigint: PostgreSQL sums bigints as numeric, which the driver reads as Decimal.
    sums = ", ".join(f"CAST(SUM({quote(column)}) AS BIGINT)" for column in columns)
    sql = (
        f"SELECT {quote('value')}, period, {sums} FROM ({' UNION ALL '.join(selects)}) AS parts "
        f"GROUP BY {quote('value')}, period"
    )
    return sql, params


def _read(columns: dict[str, str], periods: list[tuple[datetime.date | None, datetime.date]], dimension: str, values):
    """{period index: {value: {column: sum}}} for each (start, end) of `periods`: one query."""
    parts = [(n, piece) for n, (start, end) in enumerate(periods) for piece in pieces(start, end)]
    out: dict[int, dict[str, dict]] = {n: {} for n in range(len(periods))}
    sql, params = _union(columns, parts, dimension, values)
    names = list(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for value, period, *sums in cursor.fetchall():
            if any(sums):
                out[int(period)][value] = dict(zip(names, sums, strict=True))
    return out


def _all_columns() -> dict[str, str]:
    return {name: connection.ops.quote_name(name) for name in ALL_COUNTERS}


def _net() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {"net": f"{quote('entered_course')} - {quote('left_course')}"}


def _backlogs(ends: list[datetime.date], dimension: str, values) -> dict[int, dict[str, int]]:
    """The tickets in course at the end of each day of `ends`, by value: one query."""
    read = _read(_net(), [(None, end) for end in ends], dimension, values)
    return {n: {value: int(sums["net"]) for value, sums in by_value.items()} for n, by_value in read.items()}


def period_figures(start: datetime.date, end: datetime.date, *, breakdown: str | None = None, agent=None) -> Report:
    """The figures of the days start…end (inclusive) for the whole desk, or one row per
    value of `breakdown` (a Dimension), or one agent's own (`agent`: a user or an id);
    with the period it is compared with (previous_period). Two queries."""
    if end < start:
        raise ValueError("the period ends before it starts")
    dimension, values = _scope(breakdown, agent)
    previous_start, previous_end = previous_period(start, end)
    sums = _read(_all_columns(), [(start, end), (previous_start, previous_end)], dimension, values)
    current, before = sums[0], sums[1]
    # The backlog: everything that entered the tickets in course minus everything that
    # left, up to the end of each period.
    backlogs = _backlogs([end, previous_end], dimension, values)
    keys = sorted(set(current) | set(before) | {v for b in backlogs.values() for v, n in b.items() if n})
    if values is not None:
        keys = sorted(set(keys) | set(values))
    if dimension == Dimension.ALL:
        keys = [""]

    return Report(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        breakdown=str(dimension),
        rows=[Row.of(value, current.get(value, {}), backlogs[0].get(value, 0)) for value in keys],
        previous={value: Row.of(value, before.get(value, {}), backlogs[1].get(value, 0)) for value in keys},
    )


@dataclasses.dataclass(frozen=True)
class Day:
    """One day's volume and SLA verdicts (the charts' series)."""

    day: datetime.date
    created: int
    solved: int
    closed: int
    backlog: int  # in course at the end of the day
    fr_met: int
    fr_breached: int
    res_met: int
    res_breached: int


DAY_FIELDS = ("created", "solved", "closed", "entered_course", "left_course", "fr_met", "fr_breached", "res_met", "res_breached")


def daily_figures(
    start: datetime.date, end: datetime.date, *, dimension: str = Dimension.ALL, value: str = ""
) -> list[Day]:
    """Each day of start…end (inclusive, days without tickets too) for one value of one
    dimension (the whole desk by default). Two queries."""
    rows = {
        row["day"]: row
        for row in DailyFigure.objects.filter(dimension=dimension, value=value, day__gte=start, day__lte=end).values(
            "day", *DAY_FIELDS
        )
    }
    backlog = _backlogs([start - datetime.timedelta(days=1)], dimension, [value])[0].get(value, 0)
    days = []
    day = start
    while day <= end:
        row = rows.get(day, {})
        backlog += row.get("entered_course", 0) - row.get("left_course", 0)
        days.append(
            Day(
                day=day,
                backlog=backlog,
                **{name: row.get(name, 0) for name in DAY_FIELDS if name not in ("entered_course", "left_course")},
            )
        )
        day += datetime.timedelta(days=1)
    return days
