"""Priority weighs the requester's urgency with the agent's impact (docs/process.md,
«Priority»), follows every reclassification, and orders the queue."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ModuleFactory, TicketFactory
from tickets.models import Impact, Priority, PriorityRule, Ticket, TicketChange, Urgency
from tickets.services import ticket_cancel, ticket_classify, ticket_open

# The default matrix (docs/process.md, «Priority»): urgency × impact → priority
MATRIX = [
    (Urgency.LOW, Impact.LOW, Priority.VERY_LOW),
    (Urgency.LOW, Impact.MEDIUM, Priority.LOW),
    (Urgency.LOW, Impact.HIGH, Priority.MEDIUM),
    (Urgency.MEDIUM, Impact.LOW, Priority.LOW),
    (Urgency.MEDIUM, Impact.MEDIUM, Priority.MEDIUM),
    (Urgency.MEDIUM, Impact.HIGH, Priority.HIGH),
    (Urgency.HIGH, Impact.LOW, Priority.MEDIUM),
    (Urgency.HIGH, Impact.MEDIUM, Priority.HIGH),
    (Urgency.HIGH, Impact.HIGH, Priority.CRITICAL),
]


def open_with(requester, urgency=Urgency.LOW, subject="Sin red"):
    return ticket_open(
        requester=requester, subject=subject, description="No hay red en el piso 3", channel=Ticket.Channel.WEB, urgency=urgency
    )


@pytest.mark.parametrize(("urgency", "impact", "priority"), MATRIX)
def test_priority_follows_the_matrix(requester, agent, urgency, impact, priority):
    ticket = open_with(requester, urgency)

    ticket = ticket_classify(ticket=ticket, by=agent, impact=impact)

    ticket.refresh_from_db()
    assert (ticket.urgency, ticket.impact, ticket.priority) == (urgency, impact, priority)


@pytest.mark.parametrize(
    ("urgency", "priority"),
    [(urgency, priority) for urgency, impact, priority in MATRIX if impact == Impact.MEDIUM],
)
def test_unassessed_impact_counts_as_medium(requester, urgency, priority):
    ticket = open_with(requester, urgency)

    assert (ticket.impact, ticket.priority) == (Impact.UNASSESSED, priority)


def test_urgency_not_given_means_low(requester):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.PHONE)

    assert (ticket.urgency, ticket.priority) == (Urgency.LOW, Priority.LOW)


def test_edited_matrix_cell_applies_to_new_classifications(requester, agent):
    cell = PriorityRule.objects.get(urgency=Urgency.LOW, impact=Impact.LOW)
    cell.priority = Priority.HIGH
    cell.save()
    ticket = open_with(requester)

    ticket = ticket_classify(ticket=ticket, by=agent, impact=Impact.LOW)

    assert ticket.priority == Priority.HIGH


@pytest.mark.parametrize(
    "change",
    [{"module": "other"}, {"kind": Ticket.Kind.REQUEST}],
    ids=["module", "kind"],
)
def test_a_new_module_or_type_keeps_the_priority_after_a_matrix_edit(requester, agent, change):
    ticket = open_with(requester)  # Baja × sin evaluar: Bajo
    cell = PriorityRule.objects.get(urgency=Urgency.LOW, impact=Impact.MEDIUM)
    cell.priority = Priority.CRITICAL
    cell.save()
    if change.get("module") == "other":
        change = {"module": ModuleFactory(name="Nómina")}

    ticket = ticket_classify(ticket=ticket, by=agent, **change)

    ticket.refresh_from_db()
    assert ticket.priority == Priority.LOW
    assert not ticket.changes.filter(field=TicketChange.Field.PRIORITY).exists()


def test_reassessing_urgency_recomputes_and_records_priority(requester, agent):
    ticket = open_with(requester, Urgency.LOW)

    ticket = ticket_classify(ticket=ticket, by=agent, urgency=Urgency.HIGH, note="Afecta la nómina")

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    row = ticket.changes.get(field=TicketChange.Field.PRIORITY)
    assert (row.old_value, row.new_value, row.actor, row.note) == ("2", "4", agent, "Afecta la nómina")


def test_reassessing_impact_recomputes_and_records_priority(requester, agent):
    ticket = open_with(requester, Urgency.MEDIUM)
    ticket = ticket_classify(ticket=ticket, by=agent, impact=Impact.HIGH)

    ticket = ticket_classify(ticket=ticket, by=agent, impact=Impact.LOW)

    rows = ticket.changes.filter(field=TicketChange.Field.PRIORITY)
    assert [(r.old_value, r.new_value) for r in rows] == [("3", "4"), ("4", "2")]


def test_assessing_impact_as_medium_changes_no_priority(requester, agent):
    ticket = open_with(requester, Urgency.MEDIUM)

    ticket = ticket_classify(ticket=ticket, by=agent, impact=Impact.MEDIUM)

    assert ticket.priority == Priority.MEDIUM
    assert [c.field for c in ticket.changes.exclude(field=TicketChange.Field.CREATED)] == [TicketChange.Field.IMPACT]


def test_classifying_with_the_same_values_records_nothing(requester, agent):
    ticket = open_with(requester, Urgency.MEDIUM)

    ticket_classify(ticket=ticket, by=agent, urgency=Urgency.MEDIUM)

    assert ticket.changes.count() == 1  # the creation only


def test_final_ticket_is_not_reclassified(requester, coordinator):
    ticket = open_with(requester)
    ticket = ticket_cancel(ticket=ticket, by=coordinator, reason=Ticket.CancelReason.WITHDRAWN)

    with pytest.raises(Exception) as refused:
        ticket_classify(ticket=ticket, by=coordinator, impact=Impact.HIGH)

    assert getattr(refused.value, "code", None) == "not_allowed"


def test_queue_puts_higher_priority_first_then_oldest(requester, agent, coordinator):
    # Recent times: the requester's policy must be in force when each ticket is opened.
    start = timezone.now() - datetime.timedelta(hours=2)
    tickets = {}
    for minutes, name, urgency in [
        (0, "old-low", Urgency.LOW),
        (10, "old-high", Urgency.HIGH),
        (20, "new-low", Urgency.LOW),
        (30, "new-high", Urgency.HIGH),
        (40, "critical-cancelled", Urgency.HIGH),
        (50, "medium", Urgency.MEDIUM),
    ]:
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            tickets[name] = open_with(requester, urgency, subject=name)
    critical = ticket_classify(ticket=tickets["critical-cancelled"], by=agent, impact=Impact.HIGH)
    assert critical.priority == Priority.CRITICAL
    ticket_cancel(ticket=critical, by=coordinator, reason=Ticket.CancelReason.WITHDRAWN)

    queue = Ticket.objects.not_final().in_queue_order()

    assert [t.subject for t in queue] == ["old-high", "new-high", "medium", "old-low", "new-low"]


def test_queue_breaks_equal_creation_times_by_id(db):
    moment = datetime.datetime(2025, 3, 10, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        first, second = TicketFactory(priority=Priority.MEDIUM), TicketFactory(priority=Priority.MEDIUM)

    assert list(Ticket.objects.not_final().in_queue_order()) == [first, second]
