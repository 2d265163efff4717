"""The sweep under real concurrency (PostgreSQL, real threads and commits): two sweeps at
once share the due tickets and record and send each event once; a ticket a service holds
is left for the next sweep, not waited for nor done twice."""


from django.db import connection, transaction

from notifications.models import OutgoingEmail
from sla.models import SLAEvent
from sla.sweep import sla_sweep
from tests.races import POSTGRES_ONLY, race, row_locked
from tickets.models import Ticket

from .conftest import mx, open_ticket

pytestmark = POSTGRES_ONLY

FIRST_RESPONSE_WARNING = mx(2025, 6, 16, 10, 1)


def test_the_due_tickets_are_read_by_a_range_scan_of_their_partial_index(desk, customer):
    for n in range(3):
        open_ticket(customer, subject=f"Falla {n}")
    query = Ticket.objects.due_for_sla(FIRST_RESPONSE_WARNING).select_for_update(no_key=True, skip_locked=True)[:500]
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = query.query.sql_with_params()
        # Three rows would be read sequentially; what matters is that the index serves the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_sla_next_check_idx" in plan, plan
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "sla_next_check_at <" in condition, plan


def test_two_sweeps_at_once_record_and_send_each_event_once(desk, customer, coordinator):
    tickets = [open_ticket(customer, subject=f"Falla {n}") for n in range(40)]
    results = race(
        (None, lambda _: sla_sweep(now=FIRST_RESPONSE_WARNING, batch_size=5)),
        (None, lambda _: sla_sweep(now=FIRST_RESPONSE_WARNING, batch_size=5)),
    )
    assert not any(isinstance(r, BaseException) for r in results), results
    assert sum(r.examined for r in results) == 40
    assert sum(r.warnings for r in results) == 40
    assert SLAEvent.objects.filter(kind="warning", notified=True).count() == 40
    # Every ticket is in exactly one of the coordinator's emails.
    bodies = list(OutgoingEmail.objects.filter(template="sla_alert", to=coordinator.email).values_list("body_text", flat=True))
    for ticket in tickets:
        assert sum(body.count(f"{ticket.reference} ·") for body in bodies) == 1, ticket.reference
    # And a third sweep, later, finds nothing left.
    assert sla_sweep(now=FIRST_RESPONSE_WARNING).examined == 0


def test_a_ticket_locked_by_a_service_is_left_for_the_next_sweep(desk, customer, coordinator):
    busy, free = open_ticket(customer, subject="Ocupado"), open_ticket(customer, subject="Libre")
    with row_locked(Ticket, busy.pk):  # an agent is working on it
        first = sla_sweep(now=FIRST_RESPONSE_WARNING)  # does not wait for the lock
    assert (first.examined, first.warnings) == (1, 1)
    assert list(SLAEvent.objects.values_list("ticket_id", flat=True)) == [free.pk]
    second = sla_sweep(now=FIRST_RESPONSE_WARNING)
    assert (second.examined, second.warnings) == (1, 1)
    assert SLAEvent.objects.filter(ticket=busy).count() == 1
