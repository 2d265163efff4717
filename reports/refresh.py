"""Keeping the reports current: the facts of the tickets that changed, and the daily rows
they count in (docs/reports.md, «Refresh»).

Every figure of a DailyFigure row is a sum over tickets, so a ticket whose facts change
takes its old contribution out of the rows and puts its new one in, in the transaction
that saves its new facts: the cost follows the changed tickets and the rows they touch,
never the history. Runs take turns on the RefreshMark row (SELECT … FOR UPDATE), so two
refreshes at once do the same as one after the other; a ticket whose facts did not change
contributes nothing, so a second run changes nothing."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter

from django.db import transaction
from django.utils import timezone

from sla.models import SLAEvent
from surveys.models import SurveyAnswer
from tickets.models import Ticket

from .facts import Key, add_into, compute_facts, contribution
from .models import ALL_COUNTERS, DailyFigure, RefreshMark, TicketFacts

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


def apply(delta: dict[Key, Counter]) -> int:
    """Add `delta` into the daily rows: the rows it touches are read, summed in Python,
    deleted and written again (rows left all zero are not written). Returns rows touched."""
    delta = {key: counts for key, counts in delta.items() if any(counts.values())}
    if not delta:
        return 0
    # One read per dimension, of the days and values the delta touches in it.
    by_dimension: dict[str, tuple[set, set]] = {}
    for day, dimension, value in delta:
        days, values = by_dimension.setdefault(dimension, (set(), set()))
        days.add(day)
        values.add(value)
    existing = {}
    for dimension, (days, values) in by_dimension.items():
        for row in DailyFigure.objects.filter(dimension=dimension, day__in=days, value__in=values):
            if (row.day, row.dimension, row.value) in delta:
                existing[(row.day, row.dimension, row.value)] = row
    stale = [row.pk for row in existing.values()]
    new_rows = []
    for key, counts in delta.items():
        row = existing.get(key) or DailyFigure(day=key[0], dimension=key[1], value=key[2])
        for name, n in counts.items():
            setattr(row, name, getattr(row, name) + n)
        if any(getattr(row, name) for name in ALL_COUNTERS):
            row.pk = None
            new_rows.append(row)
    if stale:
        DailyFigure.objects.filter(pk__in=stale).delete()
    DailyFigure.objects.bulk_create(new_rows, batch_size=200)
    return len(delta)


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
        result.rows += apply(delta)
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
        if since is None:
            ids = set(Ticket.objects.values_list("pk", flat=True))
            ids.update(TicketFacts.objects.values_list("ticket_id", flat=True))
        else:
            ids = changed_ticket_ids(since)
        result = refresh_tickets(ids, now=started)
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
        DailyFigure.objects.all().delete()
        TicketFacts.objects.all().delete()
        ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
        result = refresh_tickets(ids, now=started)
        mark.refreshed_to = started
        mark.save(update_fields=["refreshed_to"])
        return result


__all__ = ["reports_refresh", "reports_rebuild", "refresh_tickets", "changed_ticket_ids", "RefreshResult"]
