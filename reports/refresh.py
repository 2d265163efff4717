"""Keeping the reports current: the facts of the tickets that changed, and the daily and
monthly rows they count in (docs/reports.md, «Refresh»).

Every figure of a DailyFigure row is a sum over tickets, and every MonthlyFigure row the
sum of its month's days, so a ticket whose facts change takes its old contribution out of
both kinds of rows and puts its new one in, in the transaction
that saves its new facts: the cost follows the changed tickets and the rows they touch,
never the history. Runs take turns on the RefreshMark row (SELECT … FOR UPDATE), so two
refreshes at once do the same as one after the other; a ticket whose facts did not change
contributes nothing, so a second run changes nothing."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from sla.models import SLAEvent
from surveys.models import SurveyAnswer
from tickets.models import Ticket

from .facts import Key, add_into, compute_facts, contribution, replace_events
from .models import ALL_COUNTERS, DailyFigure, FactEvent, MonthlyFigure, RefreshMark, TicketFacts

# How far back each run looks again before the last run's start: a change committed by a
# transaction that started before that instant (its updated_at is earlier) and committed
# after it. Longer than any service's transaction (Celery's hard limit is 300 s).
OVERLAP = datetime.timedelta(minutes=10)
CHUNK = 500

FACT_FIELDS = [f.attname for f in TicketFacts._meta.concrete_fields if f.attname not in ("ticket_id", "computed_at")]


@dataclasses.dataclass
class RefreshResult:
    tickets: int = 0  # tickets looked at
    changed: int = 0  # whose facts changed
    rows: int = 0  # daily rows written or removed
    months: int = 0  # monthly rows written or removed


def changed_ticket_ids(since: datetime.datetime) -> set[int]:
    """The tickets with something new for the reports since `since`: the ticket itself
    (every lifecycle step saves updated_at), a survey answer (which leaves the ticket as it
    is) and an SLA event (the sweep records breaches)."""
    ids = set(Ticket.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids.update(SurveyAnswer.objects.filter(answered_at__gte=since).values_list("ticket_id", flat=True))
    ids.update(SLAEvent.objects.filter(recorded_at__gte=since).values_list("ticket_id", flat=True))
    return ids


def _same(old: TicketFacts, new: TicketFacts) -> bool:
    return all(getattr(old, name) == getattr(new, name) for name in FACT_FIELDS)


def _insert(model, key: tuple[str, str, str], rows: list[tuple]) -> None:
    """Write rollup rows (`key` then ALL_COUNTERS, as tuples): COPY on PostgreSQL,
    multi-row INSERTs elsewhere. Model instances and bulk_create spent over 1 ms a row on
    their 240 columns."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in (*key, *ALL_COUNTERS))
    one = "(" + ", ".join(["%s"] * (len(key) + len(ALL_COUNTERS))) + ")"
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY of text lines: binding the parameters of INSERTs took 6 µs a value.
        text = "".join("\t".join(str(value) for value in row) + "\n" for row in rows)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(text)
        return
    batch = 100  # SQLite allows 32 766 parameters a statement
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))}",
                [value for row in part for value in row],
            )


def _apply_to(model, key: tuple[str, str, str], delta: dict[Key, Counter]) -> int:
    """Add `delta` into one table of rows (key: its date column, "dimension", "value"):
    the rows it touches are read, summed in Python, deleted and written again (rows left all
    zero are not written). Returns rows touched."""
    delta = {row_key: counts for row_key, counts in delta.items() if any(counts.values())}
    if not delta:
        return 0
    date_column = key[0]
    # One read per dimension, of the dates and values the delta touches in it.
    by_dimension: dict[str, tuple[set, set]] = {}
    for date, dimension, value in delta:
        dates, values = by_dimension.setdefault(dimension, (set(), set()))
        dates.add(date)
        values.add(value)
    existing: dict[Key, tuple] = {}
    stale = []
    for dimension, (dates, values) in by_dimension.items():
        found = model.objects.filter(
            **{"dimension": dimension, f"{date_column}__in": dates, "value__in": values}
        ).values_list("pk", *key, *ALL_COUNTERS)
        for pk, date, dimension_, value, *counters in found:
            if (date, dimension_, value) in delta:
                existing[(date, dimension_, value)] = counters
                stale.append(pk)
    index = {name: n for n, name in enumerate(ALL_COUNTERS)}
    rows = []
    for row_key, counts in delta.items():
        values = list(existing.get(row_key) or [0] * len(ALL_COUNTERS))
        for name, n in counts.items():
            values[index[name]] += n
        if any(values):
            rows.append((*row_key, *values))
    if stale:
        model.objects.filter(pk__in=stale).delete()
    _insert(model, key, rows)
    return len(delta)


def by_month(delta: dict[Key, Counter]) -> dict[Key, Counter]:
    """A delta of daily rows as the delta of their months' rows (keyed by the month's 1st)."""
    months: dict[Key, Counter] = {}
    for (day, dimension, value), counts in delta.items():
        row = months.setdefault((day.replace(day=1), dimension, value), Counter())
        for name, n in counts.items():
            row[name] += n
    return months


def apply(delta: dict[Key, Counter]) -> tuple[int, int]:
    """Add a delta of daily rows into the daily rows and into their months' rows, so that
    each monthly row stays the sum of its days. Returns the daily and monthly rows touched."""
    return (
        _apply_to(DailyFigure, ("day", "dimension", "value"), delta),
        _apply_to(MonthlyFigure, ("month", "dimension", "value"), by_month(delta)),
    )


def refresh_tickets(ticket_ids, *, now=None) -> RefreshResult:
    """Recompute these tickets' facts and move their rows. The caller holds the mark's lock."""
    result = RefreshResult()
    now = now or timezone.now()
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        old = {facts.ticket_id: facts for facts in TicketFacts.objects.filter(ticket_id__in=part)}
        new = {facts.ticket_id: facts for facts in compute_facts(part, now=now)}
        delta: dict[Key, Counter] = {}
        changed_new, gone = [], []
        for ticket_id in part:
            before, after = old.get(ticket_id), new.get(ticket_id)
            if before is not None and after is not None and _same(before, after):
                continue
            if before is not None:
                add_into(delta, contribution(before, -1))
                if after is None:
                    gone.append(ticket_id)
            if after is not None:
                add_into(delta, contribution(after, 1))
                changed_new.append(after)
        result.tickets += len(part)
        result.changed += len(changed_new) + len(gone)
        if gone:
            TicketFacts.objects.filter(ticket_id__in=gone).delete()
        if changed_new:
            TicketFacts.objects.filter(ticket_id__in=[f.ticket_id for f in changed_new]).delete()
            TicketFacts.objects.bulk_create(changed_new, batch_size=200)
        if gone or changed_new:
            # The facts' dated lists as rows, for the tickets behind a figure (reports.drilldown).
            replace_events([*gone, *(f.ticket_id for f in changed_new)], changed_new)
        days, months = apply(delta)
        result.rows += days
        result.months += months
    return result


def _locked_mark() -> RefreshMark:
    RefreshMark.objects.get_or_create(pk=1)
    return RefreshMark.objects.select_for_update().get(pk=1)


def reports_refresh(*, since: datetime.datetime | None = None) -> RefreshResult:
    """Bring the reports up to date: the tickets changed since the last run (less OVERLAP),
    or since `since`; a first run computes every ticket."""
    with transaction.atomic():
        mark = _locked_mark()
        started = timezone.now()
        if since is None and mark.refreshed_to is not None:
            since = mark.refreshed_to - OVERLAP
        result = _everything(started) if since is None else refresh_tickets(changed_ticket_ids(since), now=started)
        mark.refreshed_to = started
        mark.save(update_fields=["refreshed_to"])
        return result


def reports_rebuild() -> RefreshResult:
    """Everything again from the tickets (after an upgrade that changes what the figures
    read, or `manage.py sla_recompute`): the facts and the rows are emptied and recomputed,
    under the same lock as the refresh."""
    with transaction.atomic():
        mark = _locked_mark()
        started = timezone.now()
        result = _everything(started)
        mark.refreshed_to = started
        mark.save(update_fields=["refreshed_to"])
    _analyze()
    return result


def _analyze() -> None:
    """After a rebuild, PostgreSQL's statistics of the emptied and refilled tables are
    stale: without them it counts the tickets behind a figure from the table rather than
    from its indexes, several times slower."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in (TicketFacts, FactEvent, DailyFigure, MonthlyFigure)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def _everything(started: datetime.datetime) -> RefreshResult:
    """The facts and rows of every ticket, from nothing. The caller holds the mark's lock."""
    DailyFigure.objects.all().delete()
    MonthlyFigure.objects.all().delete()
    TicketFacts.objects.all().delete()
    FactEvent.objects.all().delete()
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    # From nothing, the rows are summed in memory and written once (a few hundred
    # thousand rows at a million tickets), instead of read and written per chunk.
    result = RefreshResult(tickets=len(ids))
    total: dict[Key, Counter] = {}
    for start in range(0, len(ids), CHUNK):
        facts = compute_facts(ids[start : start + CHUNK], now=started)
        TicketFacts.objects.bulk_create(facts, batch_size=CHUNK)
        replace_events([], facts)
        for one in facts:
            add_into(total, contribution(one))
        result.changed += len(facts)
    result.rows, result.months = apply(total)
    return result


__all__ = ["reports_refresh", "reports_rebuild", "refresh_tickets", "changed_ticket_ids", "RefreshResult"]
