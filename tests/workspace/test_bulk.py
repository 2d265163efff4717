"""The queue's bulk actions (docs/workspace.md, «Bulk actions»): take, assign or change
the module of the selected tickets, each row through the ticket page's service in its own
transaction; a refusal names the row and its reason and undoes nothing of the others; a
request that cannot be done at all changes nothing (400, 403); only a POST with CSRF."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ModuleFactory, TicketFactory
from tickets.models import Impact, Priority, Ticket, TicketChange, Urgency
from workspace.bulk import BULK_LIMIT

pytestmark = pytest.mark.django_db

S = Ticket.State
BULK = "/mesa/lote/"
QUEUE = "/mesa/"


def post(client, tickets, action, query="vista=sin-asignar&q=timbrar"):
    return client.post(
        reverse("workspace:queue-bulk"),
        {"tickets": [t.pk if isinstance(t, Ticket) else t for t in tickets], "action": action, "query": query},
    )


def shown_messages(client) -> list[str]:
    """The messages the next page shows, in order."""
    response = client.get(QUEUE)
    return [str(message) for message in response.context["messages"]]


def bulk_choices(client) -> str:
    """The bulk bar's list of actions on the queue page."""
    page = client.get(QUEUE).content.decode()
    start = page.index('<select name="action"')
    return page[start : page.index("</select>", start)]


def fingerprint(tickets):
    """Everything a bulk action may change on these tickets."""
    rows = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("pk")
    return [(t.state, t.assignee_id, t.module_id, t.priority, t.changes.count()) for t in rows]


def test_the_address_is_the_shared_name():
    assert reverse("workspace:queue-bulk") == BULK


def test_taking_three_open_tickets_takes_all_three_with_their_history(agent_client, agent):
    tickets = [TicketFactory() for _ in range(3)]

    response = post(agent_client, tickets, "take")

    assert response.status_code == 302
    assert response["Location"] == "/mesa/?vista=sin-asignar&q=timbrar"  # the same view of the queue
    references = ", ".join(t.reference for t in tickets)
    assert shown_messages(agent_client) == [f"Usted tomó 3 tickets: {references}."]
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, agent)
        history = {(c.field, c.old_value, c.new_value, c.actor_id) for c in ticket.changes.all()}
        assert history == {
            (TicketChange.Field.STATE, S.OPEN, S.IN_PROGRESS, agent.pk),
            (TicketChange.Field.ASSIGNEE, "", str(agent.pk), agent.pk),
        }


def test_a_ticket_taken_by_someone_else_is_reported_and_the_others_are_taken(agent_client, agent, other_agent):
    first, second = TicketFactory(), TicketFactory()
    taken = TicketFactory(in_progress=True, assignee=other_agent)
    before = fingerprint([taken])

    response = post(agent_client, [first, taken, second], "take")

    assert response.status_code == 302
    assert shown_messages(agent_client) == [
        f"Usted tomó 2 tickets: {first.reference}, {second.reference}.",
        f"{taken.reference} no se pudo tomar: El ticket {taken.reference} ya fue tomado por Beto Agente.",
    ]
    assert fingerprint([taken]) == before
    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize(
    "state, expected_state",
    [
        (S.OPEN, S.IN_PROGRESS),  # an open ticket starts
        (S.IN_PROGRESS, S.IN_PROGRESS),  # one in course changes hands and keeps its state
        (S.PENDING_USER, S.PENDING_USER),
    ],
)
def test_a_coordinator_assigns_the_selected_tickets(coordinator_client, agent, other_agent, state, expected_state):
    tickets = [TicketFactory.row_in(state, assignee=other_agent) for _ in range(2)]

    response = post(coordinator_client, tickets, f"assign:{agent.pk}")

    assert response.status_code == 302
    references = ", ".join(t.reference for t in tickets)
    assert shown_messages(coordinator_client) == [f"Se asignaron 2 tickets a Ana Agente: {references}."]
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.state, ticket.assignee) == (expected_state, agent)
        assert ticket.changes.filter(field=TicketChange.Field.ASSIGNEE, new_value=str(agent.pk)).count() == 1


def test_assigning_to_whoever_has_it_already_says_so(coordinator_client, agent):
    theirs = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)

    post(coordinator_client, [theirs], f"assign:{agent.pk}")

    assert shown_messages(coordinator_client) == [f"{theirs.reference} ya estaba asignado a Ana Agente."]
    assert theirs.changes.count() == 0


def test_a_closed_ticket_is_not_assigned_and_the_others_are(coordinator_client, agent, other_agent):
    open_ticket = TicketFactory()
    closed = TicketFactory.row_in(S.CLOSED, assignee=other_agent)

    post(coordinator_client, [open_ticket, closed], f"assign:{agent.pk}")

    assert shown_messages(coordinator_client) == [
        f"Se asignó 1 ticket a Ana Agente: {open_ticket.reference}.",
        f"{closed.reference} no se pudo asignar: No se puede «reasignar» un ticket en estado «Cerrado».",
    ]
    closed.refresh_from_db()
    assert closed.assignee == other_agent


def test_an_agent_may_not_assign_and_nothing_changes(agent_client, other_agent):
    tickets = [TicketFactory(), TicketFactory()]
    before = fingerprint(tickets)

    response = post(agent_client, tickets, f"assign:{other_agent.pk}")

    assert response.status_code == 403
    assert "Usted no tiene permiso para «asignar» tickets." in response.content.decode()
    assert "No se cambió ningún ticket." in response.content.decode()
    assert fingerprint(tickets) == before


def test_changing_the_module_keeps_urgency_impact_and_priority(agent_client, agent):
    old, new = ModuleFactory(name="Facturación"), ModuleFactory(name="Nómina")
    # Classified when the matrix said Crítico for this cell; the matrix says Muy bajo now
    # (docs/process.md, «Priority»): a new module does not recompute the priority.
    earlier = TicketFactory(module=old, urgency=Urgency.LOW, impact=Impact.LOW, priority=Priority.CRITICAL)
    in_progress = TicketFactory.row_in(
        S.IN_PROGRESS, assignee=agent, module=old, urgency=Urgency.HIGH, impact=Impact.HIGH, priority=Priority.CRITICAL
    )
    already = TicketFactory(module=new, urgency=Urgency.MEDIUM, impact=Impact.MEDIUM, priority=Priority.MEDIUM)
    closed = TicketFactory.row_in(S.CLOSED, assignee=agent, module=old)

    post(agent_client, [earlier, in_progress, already, closed], f"module:{new.pk}")

    assert shown_messages(agent_client) == [
        f"2 tickets pasaron al módulo Nómina: {earlier.reference}, {in_progress.reference}.",
        f"{already.reference} ya estaba en el módulo Nómina.",
        f"{closed.reference} no cambió de módulo: Un ticket cerrado ya no se reclasifica.",
    ]
    expected = {
        earlier.pk: (new.pk, Urgency.LOW, Impact.LOW, Priority.CRITICAL, S.OPEN),
        in_progress.pk: (new.pk, Urgency.HIGH, Impact.HIGH, Priority.CRITICAL, S.IN_PROGRESS),
        already.pk: (new.pk, Urgency.MEDIUM, Impact.MEDIUM, Priority.MEDIUM, S.OPEN),
        closed.pk: (old.pk, closed.urgency, closed.impact, closed.priority, S.CLOSED),
    }
    for ticket in (earlier, in_progress, already, closed):
        ticket.refresh_from_db()
        assert (ticket.module_id, ticket.urgency, ticket.impact, ticket.priority, ticket.state) == expected[ticket.pk]
    for moved in (earlier, in_progress):
        changes = [(c.field, c.old_display, c.new_display) for c in moved.changes.all()]
        assert changes == [(TicketChange.Field.MODULE, "Facturación", "Nómina")]


def test_an_inactive_module_is_not_offered_nor_accepted(agent_client):
    retired = ModuleFactory(name="Telefonía antigua", is_active=False)
    ticket = TicketFactory()

    assert "Telefonía antigua" not in bulk_choices(agent_client)
    response = post(agent_client, [ticket], f"module:{retired.pk}")

    assert response.status_code == 400
    assert "Ese agente o módulo ya no está en la lista: elija otro." in response.content.decode()


@pytest.mark.parametrize(
    "tickets, action, message",
    [
        ([], "take", "Elija al menos un ticket de la cola."),
        (["tres"], "take", "La selección de tickets no es válida: vuelva a la cola y elija de nuevo."),
        (["9" * 30], "take", "La selección de tickets no es válida: vuelva a la cola y elija de nuevo."),
        (
            ["known", 987654321],
            "take",
            "Alguno de los tickets elegidos ya no existe. No se cambió ninguno: vuelva a la cola y elija de nuevo.",
        ),
        (["known"], "", "Elija qué hacer con los tickets seleccionados."),
        (["known"], "close", "Esa acción no existe: elija una de la lista."),
        (["known"], "take:3", "Esa acción no existe: elija una de la lista."),
        (["known"], "assign", "Esa acción no existe: elija una de la lista."),
        (["known"], "module:x", "Esa acción no existe: elija una de la lista."),
        (["known"], "assign:987654321", "Ese agente o módulo ya no está en la lista: elija otro."),
        (["known"], "module:987654321", "Ese agente o módulo ya no está en la lista: elija otro."),
    ],
)
def test_a_request_that_cannot_be_done_changes_nothing_and_says_why(coordinator_client, tickets, action, message):
    known = TicketFactory()
    before = fingerprint([known])

    response = post(coordinator_client, [known if t == "known" else t for t in tickets], action)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "No se cambió ningún ticket." in page
    assert 'href="/mesa/?vista=sin-asignar&amp;q=timbrar"' in page  # back to the same view
    assert fingerprint([known]) == before


def test_more_than_the_limit_is_refused_before_any_is_taken(agent_client):
    tickets = [TicketFactory() for _ in range(BULK_LIMIT + 1)]

    response = post(agent_client, tickets, "take")

    assert response.status_code == 400
    assert "Elija como máximo 100 tickets a la vez; eligió 101." in response.content.decode()
    assert not Ticket.objects.exclude(state=S.OPEN).exists()


def test_the_way_back_is_always_the_queue(agent_client):
    ticket = TicketFactory()

    response = post(agent_client, [ticket], "take", query="https://evil.example/?x=1")

    assert response["Location"].startswith("/mesa/?")


def test_a_get_changes_nothing(agent_client):
    ticket = TicketFactory()

    response = agent_client.get(BULK, {"tickets": [ticket.pk], "action": "take"})

    assert response.status_code == 405
    ticket.refresh_from_db()
    assert ticket.state == S.OPEN


def test_a_post_without_the_csrf_token_is_refused(agent):
    ticket = TicketFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)

    refused = browser.post(BULK, {"tickets": [ticket.pk], "action": "take"})
    assert refused.status_code == 403
    ticket.refresh_from_db()
    assert ticket.state == S.OPEN

    queue = browser.get(QUEUE)
    token = queue.context["csrf_token"]
    done = browser.post(BULK, {"tickets": [ticket.pk], "action": "take", "csrfmiddlewaretoken": str(token)})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == S.IN_PROGRESS


def test_the_bar_offers_what_the_role_may_do(agent_client, agent, coordinator):
    module = ModuleFactory(name="Nómina")
    ticket = TicketFactory(module=module)

    page = agent_client.get(QUEUE).content.decode()
    assert f'<input type="checkbox" name="tickets" value="{ticket.pk}" form="queue-bulk"' in page
    as_agent = bulk_choices(agent_client)
    assert '<option value="take">Tomar</option>' in as_agent
    assert f'<option value="module:{module.pk}">Nómina</option>' in as_agent
    assert "assign:" not in as_agent

    coordinator_browser = Client()
    coordinator_browser.force_login(coordinator)
    assert f'<option value="assign:{agent.pk}">Ana Agente</option>' in bulk_choices(coordinator_browser)


def test_the_refresh_brings_the_rows_with_their_checkboxes_but_not_the_bar(agent_client):
    ticket = TicketFactory()

    rows = agent_client.get(QUEUE, headers={"HX-Request": "true"}).content.decode()

    assert f'value="{ticket.pk}" form="queue-bulk"' in rows
    assert 'id="queue-bulk"' not in rows  # the bar stays as the agent left it
