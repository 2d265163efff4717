"""The ticket page's cancel and solve forms: the reasons each role may cancel with
(docs/process.md, «Who may do what»), the confirmation a cancellation needs, and the
module and impact a ticket still without them gets as it is solved (the priority
recomputed by the matrix of docs/process.md, «Priority»)."""

import re

import pytest
from django.urls import reverse

from tests.factories import ModuleFactory, TicketFactory
from tickets.models import Impact, Ticket, TicketChange, Urgency
from workspace.actions import ACTIONS

pytestmark = pytest.mark.django_db

R = Ticket.CancelReason
S = Ticket.State
CONFIRMATION = "Confirmo que quiero cancelar este ticket: el solicitante recibe un aviso y el ticket deja de atenderse."


def url(action, ticket) -> str:
    return reverse(f"workspace:ticket-{action}", args=[ticket.pk])


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


def form_of(client, action, ticket) -> str:
    response = client.get(url(action, ticket))  # the action's own page, as without JavaScript
    assert response.status_code == 200
    return response.content.decode()


def options(html, name) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def fingerprint(ticket):
    ticket.refresh_from_db()
    return (
        ticket.state,
        ticket.cancel_reason,
        ticket.duplicate_of_id,
        ticket.module_id,
        ticket.impact,
        ticket.priority,
        ticket.changes.count(),
        ticket.messages.count(),
    )


# Cancelling -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "reasons"),
    [
        ("agent", [R.DUPLICATE]),
        ("coordinator", ["", R.DUPLICATE, R.UNAUTHORIZED_CONTACT, R.NO_POLICY, R.WITHDRAWN, R.OTHER]),
    ],
)
def test_the_cancel_form_offers_each_role_its_reasons(request, client, role, reasons):
    client.force_login(request.getfixturevalue(role))
    ticket = TicketFactory(state=S.OPEN)

    html = form_of(client, "cancel", ticket)

    assert options(html, "reason") == reasons
    assert "Referencia del ticket original" in html
    assert CONFIRMATION in html
    # The help speaks of the reasons offered only.
    assert ("Obligatoria si el motivo es «Otro motivo»." in html) == (R.OTHER in reasons)


def test_an_agent_sees_the_cancel_action_on_the_ticket(client, agent):
    client.force_login(agent)
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent)

    html = client.get(page(ticket)).content.decode()

    assert f'href="{url("cancel", ticket)}"' in html


@pytest.mark.parametrize("reason", [R.WITHDRAWN, R.OTHER, R.NO_POLICY, R.UNAUTHORIZED_CONTACT])
def test_an_agent_cancelling_for_another_reason_is_refused_and_nothing_changes(client, agent, reason):
    client.force_login(agent)
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent)
    before = fingerprint(ticket)

    response = client.post(
        url("cancel", ticket), {"reason": reason, "note": "El cliente ya no lo necesita.", "confirm": "on"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Usted solo puede cancelar un ticket como duplicado de otro; los demás motivos son de un coordinador." in html
    assert "El cliente ya no lo necesita." in html
    assert fingerprint(ticket) == before


@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_cancel_without_the_confirmation_is_refused_and_keeps_what_was_typed(request, client, role, requester):
    client.force_login(request.getfixturevalue(role))
    original = TicketFactory(requester=requester, reference="INC-000432")
    ticket = TicketFactory(requester=requester, state=S.OPEN)
    before = fingerprint(ticket)

    response = client.post(
        url("cancel", ticket), {"reason": R.DUPLICATE, "original": original.reference, "note": "Mismo corte de red."}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Marque la casilla para confirmar que quiere cancelar el ticket." in html
    assert 'value="INC-000432"' in html and "Mismo corte de red." in html
    assert fingerprint(ticket) == before
    assert not original.duplicates.exists()


def test_an_agent_cancels_a_duplicate_and_both_tickets_link_each_other(client, agent, requester):
    client.force_login(agent)
    original = TicketFactory(requester=requester, reference="INC-000654", subject="Sin red en la sucursal")
    ticket = TicketFactory(requester=requester, state=S.IN_PROGRESS, assignee=agent)

    response = client.post(
        url("cancel", ticket), {"reason": R.DUPLICATE, "original": "inc-654", "confirm": "on"}, follow=True
    )

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason, ticket.duplicate_of) == (S.CANCELLED, R.DUPLICATE, original)
    html = response.content.decode()
    assert f"El ticket {ticket.reference} quedó cancelado como duplicado de INC-000654." in html
    assert "Duplicado de" in html and f'<a href="{page(original)}">INC-000654</a>' in html
    original_page = client.get(page(original)).content.decode()
    assert "Cancelados como duplicados de este ticket" in original_page
    assert f'<a href="{page(ticket)}">{ticket.reference}</a>' in original_page


def test_only_cancel_is_a_dangerous_action():
    assert [action.name for action in ACTIONS.values() if action.danger] == ["cancel"]


# Solving a ticket still without a module or an assessed impact ---------------------------


SOLUTION = {"solution": "Se liberó espacio en el servidor.", "resolution_code": Ticket.ResolutionCode.RESOLVED}


@pytest.mark.parametrize(
    ("module_set", "impact", "asks"),
    [
        (False, Impact.UNASSESSED, {"module", "impact"}),
        (False, Impact.LOW, {"module"}),
        (True, Impact.UNASSESSED, {"impact"}),
        (True, Impact.HIGH, set()),
    ],
)
def test_the_solve_form_asks_the_module_and_the_impact_only_while_unset(client, agent, module_set, impact, asks):
    client.force_login(agent)
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent, impact=impact, **({} if module_set else {"module": None}))

    html = form_of(client, "solve", ticket)

    asked = {name for name in ("module", "impact") if f'name="{name}"' in html}
    assert asked == asks


def test_solving_without_the_unset_module_and_impact_is_refused_and_keeps_the_solution(client, agent):
    client.force_login(agent)
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent, module=None, impact=Impact.UNASSESSED)
    before = fingerprint(ticket)

    response = client.post(url("solve", ticket), SOLUTION)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Elija el módulo del ticket." in html and "Evalúe el impacto del ticket." in html
    assert "Se liberó espacio en el servidor." in html
    assert fingerprint(ticket) == before


# urgency × the impact chosen → the priority, by the default matrix (docs/process.md, «Priority»);
# before, "sin evaluar" weighed as Medio.
@pytest.mark.parametrize(
    ("urgency", "impact", "before", "after"),
    [
        (Urgency.LOW, Impact.LOW, 2, 1),  # Baja × Medio 2 Bajo → Baja × Bajo 1 Muy bajo
        (Urgency.LOW, Impact.HIGH, 2, 3),  # → Baja × Alto 3 Medio
        (Urgency.MEDIUM, Impact.MEDIUM, 3, 3),  # Media × Medio stays 3 Medio
        (Urgency.HIGH, Impact.HIGH, 4, 5),  # Alta × Medio 4 Alto → Alta × Alto 5 Crítico
        (Urgency.HIGH, Impact.LOW, 4, 3),  # → Alta × Bajo 3 Medio
    ],
)
def test_solving_applies_the_module_and_impact_and_recomputes_the_priority(
    client, agent, urgency, impact, before, after
):
    client.force_login(agent)
    ticket = TicketFactory(
        state=S.IN_PROGRESS, assignee=agent, module=None, urgency=urgency, impact=Impact.UNASSESSED, priority=before
    )
    module = ModuleFactory(name="Servidores")

    response = client.post(url("solve", ticket), {**SOLUTION, "module": module.pk, "impact": impact})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.module, ticket.impact, ticket.priority) == (S.SOLVED, module, impact, after)
    rows = {change.field: change for change in ticket.changes.filter(actor=agent)}
    assert (rows[TicketChange.Field.MODULE].old_display, rows[TicketChange.Field.MODULE].new_display) == (
        "—",
        "Servidores",
    )
    assert (rows[TicketChange.Field.IMPACT].old_display, rows[TicketChange.Field.IMPACT].new_value) == (
        "Sin evaluar",
        str(impact),
    )
    assert (TicketChange.Field.PRIORITY in rows) == (after != before)
    assert rows[TicketChange.Field.STATE].new_value == S.SOLVED


def test_a_ticket_already_classified_is_solved_as_before(client, agent, module):
    client.force_login(agent)
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent, module=module, impact=Impact.LOW, priority=1)

    response = client.post(url("solve", ticket), {**SOLUTION, "impact": Impact.HIGH})  # not asked: ignored

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.impact, ticket.priority) == (S.SOLVED, Impact.LOW, 1)
    assert list(ticket.changes.values_list("field", flat=True)) == [TicketChange.Field.STATE]
