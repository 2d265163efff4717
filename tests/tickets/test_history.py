"""Every change to a ticket leaves a TicketChange row: who, what, from what to what,
stored raw for reports and as shown at the time for people."""

import pytest

from accounts.models import SupportLevel
from tests.factories import ModuleFactory
from tickets.models import Impact, Ticket, TicketChange, Urgency
from tickets.services import ticket_classify, ticket_escalate, ticket_open, ticket_take

F = TicketChange.Field


def row(ticket, field):
    """The ticket's only history row for one field, as a comparable tuple."""
    change = ticket.changes.get(field=field)
    return (change.actor, change.old_value, change.new_value, change.old_display, change.new_display)


@pytest.fixture
def ticket(requester, agent):
    """An incident an agent registered from a phone call."""
    return ticket_open(
        requester=requester, subject="Sin red", description="No hay red en el piso 3", channel=Ticket.Channel.PHONE, by=agent
    )


def test_creation_is_recorded_with_actor_and_channel(ticket, agent):
    created = ticket.changes.get()

    assert (created.field, created.actor, created.old_value, created.new_value) == (F.CREATED, agent, "", "open")
    assert created.old_display == "—"
    assert created.note == "Teléfono"


def test_creation_row_shows_the_initial_state_label(ticket):
    # Displays are "as shown at the time for people": Spanish labels, not codes.
    assert ticket.changes.get(field=F.CREATED).new_display == "Abierto"


def test_state_change_is_recorded_with_labels(ticket, agent):
    ticket_take(ticket=ticket, agent=agent)

    assert row(ticket, F.STATE) == (agent, "open", "in_progress", "Abierto", "En proceso")


def test_assignee_change_is_recorded_with_names(ticket, agent):
    ticket_take(ticket=ticket, agent=agent)

    assert row(ticket, F.ASSIGNEE) == (agent, "", str(agent.pk), "—", "Ana Agente")


def test_urgency_change_is_recorded(ticket, agent):
    ticket_classify(ticket=ticket, by=agent, urgency=Urgency.HIGH)

    assert row(ticket, F.URGENCY) == (agent, "1", "3", "Baja", "Alta")


def test_impact_change_is_recorded(ticket, agent):
    ticket_classify(ticket=ticket, by=agent, impact=Impact.HIGH)

    assert row(ticket, F.IMPACT) == (agent, "0", "3", "Sin evaluar", "Alto")


def test_priority_change_is_recorded(ticket, agent):
    ticket_classify(ticket=ticket, by=agent, urgency=Urgency.HIGH)

    assert row(ticket, F.PRIORITY) == (agent, "2", "4", "2 · Bajo", "4 · Alto")


def test_level_change_is_recorded_with_reason(ticket, agent):
    ticket_escalate(ticket=ticket, by=agent, reason="Requiere acceso al conmutador.")

    assert row(ticket, F.LEVEL) == (agent, "1", "2", "N1", "N2")
    assert ticket.changes.get(field=F.LEVEL).note == "Requiere acceso al conmutador."
    ticket.refresh_from_db()
    assert (ticket.level, ticket.escalation_count) == (SupportLevel.N2, 1)


def test_module_change_is_recorded_with_names(ticket, agent):
    networks = ModuleFactory(name="Redes")
    ticket_classify(ticket=ticket, by=agent, module=networks)
    telephony = ModuleFactory(name="Telefonía")

    ticket_classify(ticket=ticket, by=agent, module=telephony)

    changes = ticket.changes.filter(field=F.MODULE)
    assert [(c.old_value, c.new_value, c.old_display, c.new_display) for c in changes] == [
        ("", str(networks.pk), "—", "Redes"),
        (str(networks.pk), str(telephony.pk), "Redes", "Telefonía"),
    ]


def test_kind_change_is_recorded(ticket, agent):
    ticket_classify(ticket=ticket, by=agent, kind=Ticket.Kind.REQUEST, note="Es un alta, no una falla")

    assert row(ticket, F.KIND) == (agent, "incident", "request", "Incidente", "Solicitud")
    assert ticket.changes.get(field=F.KIND).note == "Es un alta, no una falla"


def test_history_reads_in_order_of_events(ticket, agent):
    taken = ticket_take(ticket=ticket, agent=agent)
    ticket_classify(ticket=taken, by=agent, impact=Impact.HIGH)

    assert [c.field for c in ticket.changes.all()] == [F.CREATED, F.STATE, F.ASSIGNEE, F.IMPACT, F.PRIORITY]


def test_change_reads_as_a_sentence(ticket, agent):
    ticket_take(ticket=ticket, agent=agent)

    assert str(ticket.changes.get(field=F.STATE)) == "Estado: Abierto → En proceso"
