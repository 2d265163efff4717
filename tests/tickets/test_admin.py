"""The coordinators' admin: the ticket list, its bulk assignment, the transition buttons
and forms (through the services, with history) and the priority matrix."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AgentFactory, ModuleFactory, SpecialtyFactory, TicketFactory, UserFactory
from tickets.models import Impact, Message, PriorityRule, Ticket, TicketChange, Urgency

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tickets_ticket_changelist")


def change_url(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


def transition_url(ticket, name):
    return reverse("admin:tickets_ticket_transition", kwargs={"object_id": ticket.pk, "transition_name": name})


def change_form_data(response, **overrides):
    """What the browser would post back from a rendered change page: the editable fields
    as shown, plus each inline's management form."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, "")
    data.update(overrides)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# The list ------------------------------------------------------------------


def test_changelist_lists_tickets_by_priority_then_oldest_first(coordinator_client):
    now = timezone.now()
    low_old = TicketFactory(priority=2, created_at=now - datetime.timedelta(days=3))
    high_new = TicketFactory(priority=5, created_at=now - datetime.timedelta(hours=1))
    high_old = TicketFactory(priority=5, created_at=now - datetime.timedelta(days=2))
    medium = TicketFactory(priority=3, created_at=now)

    response = coordinator_client.get(CHANGELIST)

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [high_old, high_new, medium, low_old]


def test_changelist_filters_by_state(coordinator_client):
    open_ticket = TicketFactory(state=Ticket.State.OPEN)
    TicketFactory(state=Ticket.State.SOLVED)

    response = coordinator_client.get(CHANGELIST, {"state__exact": "open"})

    assert list(response.context["cl"].result_list) == [open_ticket]


def test_changelist_search_finds_a_ticket_by_reference(coordinator_client):
    wanted = TicketFactory(reference="INC-000777")
    TicketFactory(reference="INC-000778")

    exact = coordinator_client.get(CHANGELIST, {"q": "inc-000777"})
    prefix = coordinator_client.get(CHANGELIST, {"q": "INC-00077"})

    assert list(exact.context["cl"].result_list) == [wanted]
    assert len(prefix.context["cl"].result_list) == 2


def test_changelist_query_count_does_not_grow_with_rows(coordinator_client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(CHANGELIST).status_code == 200
        return len(queries)

    TicketFactory.create_batch(2, assignee=AgentFactory())
    few = count_queries()
    for _ in range(8):
        TicketFactory(assignee=AgentFactory())
    assert count_queries() == few


# Bulk assignment -------------------------------------------------------------


def test_bulk_assign_shows_specialists_first(coordinator_client):
    specialty = SpecialtyFactory(name="Redes")
    ticket = TicketFactory(module=ModuleFactory(specialty=specialty))
    AgentFactory(first_name="Aaron", last_name="Generalista")
    specialist = AgentFactory(first_name="Zoe", last_name="Redes", profile=[specialty])

    response = coordinator_client.post(
        CHANGELIST, {"action": "assign_to_agent", "_selected_action": [ticket.pk], "index": 0}
    )

    assert response.status_code == 200
    assert "admin/tickets/ticket/assign.html" in [t.name for t in response.templates]
    agents = list(response.context["form"].fields["assignee"].queryset)
    assert agents[0] == specialist
    assert "especialista" in response.content.decode()


def test_bulk_assign_action_assigns_open_tickets_and_records_history(coordinator_client, coordinator, agent):
    tickets = TicketFactory.create_batch(2, state=Ticket.State.OPEN)
    closed = TicketFactory(state=Ticket.State.CLOSED)
    selected = [t.pk for t in (*tickets, closed)]

    response = coordinator_client.post(
        CHANGELIST + "?situacion=all",
        {"action": "assign_to_agent", "_selected_action": selected, "apply": "1", "assignee": agent.pk},
    )

    assert response.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.state == Ticket.State.IN_PROGRESS
        assert ticket.assignee == agent
        fields = set(ticket.changes.filter(actor=coordinator).values_list("field", flat=True))
        assert fields == {TicketChange.Field.STATE, TicketChange.Field.ASSIGNEE}
    closed.refresh_from_db()
    assert closed.assignee is None
    texts = messages_of(response)
    assert any("Se asignaron 2 tickets" in text for text in texts)
    assert any(closed.reference in text and "No se pudo asignar 1 ticket" in text for text in texts)


def test_bulk_assign_action_is_not_offered_to_an_agent(agent_client, agent):
    ticket = TicketFactory(state=Ticket.State.OPEN)

    response = agent_client.get(CHANGELIST)
    action_form = response.context["action_form"]
    choices = [name for name, _label in action_form.fields["action"].choices] if action_form else []
    assert "assign_to_agent" not in choices

    agent_client.post(
        CHANGELIST,
        {"action": "assign_to_agent", "_selected_action": [ticket.pk], "apply": "1", "assignee": agent.pk},
    )
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.OPEN
    assert ticket.assignee is None


# Transition buttons and forms ----------------------------------------------


def test_change_page_renders_transition_buttons_and_history(coordinator_client, coordinator, agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)
    TicketChange.objects.create(
        ticket=ticket, actor=coordinator, field=TicketChange.Field.ASSIGNEE, old_display="—", new_display="Ana Agente"
    )

    response = coordinator_client.get(change_url(ticket))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_fsm_transition_to" value="solve"' in content
    assert 'name="_fsm_transition_to" value="cancel"' in content
    assert "Acciones del ticket" in content
    assert "Historial" in content
    assert "Ana Agente" in content


def test_resume_button_goes_through_the_service_and_records_history(coordinator_client, coordinator, agent):
    ticket = TicketFactory(state=Ticket.State.PENDING_USER, assignee=agent)
    page = coordinator_client.get(change_url(ticket))

    response = coordinator_client.post(change_url(ticket), change_form_data(page, _fsm_transition_to="resume"))

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS
    change = ticket.changes.get(field=TicketChange.Field.STATE)
    assert (change.old_value, change.new_value, change.actor) == ("pending_user", "in_progress", coordinator)
    assert any("Reanudar" in text and "En proceso" in text for text in messages_of(response))


def test_button_of_a_transition_with_arguments_leads_to_its_form(coordinator_client, agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)
    page = coordinator_client.get(change_url(ticket))

    response = coordinator_client.post(change_url(ticket), change_form_data(page, _fsm_transition_to="solve"))

    assert response.status_code == 302
    assert response.url == transition_url(ticket, "solve")
    form_page = coordinator_client.get(response.url)
    assert form_page.status_code == 200
    assert "Código de resolución" in form_page.content.decode()


def test_solve_through_the_transition_form(coordinator_client, coordinator, agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent, impact=Impact.LOW)

    response = coordinator_client.post(
        transition_url(ticket, "solve"),
        {"solution": "Se reinició el servicio de timbrado.", "resolution_code": Ticket.ResolutionCode.RESOLVED},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.SOLVED
    assert ticket.resolution_code == Ticket.ResolutionCode.RESOLVED
    assert ticket.changes.filter(field=TicketChange.Field.STATE, new_value="solved", actor=coordinator).exists()
    assert ticket.messages.filter(kind=Message.Kind.PUBLIC_REPLY, body__startswith="Se reinició").exists()


def test_solve_form_asks_the_unset_module_and_impact_and_applies_them(coordinator_client, coordinator, agent):
    # Urgencia Alta × impacto sin evaluar (weighed Medio) → 4 Alto; with impact Bajo the
    # matrix (docs/process.md, «Priority») says 3 Medio.
    ticket = TicketFactory(
        state=Ticket.State.IN_PROGRESS, assignee=agent, module=None, urgency=Urgency.HIGH, impact=Impact.UNASSESSED, priority=4
    )
    module = ModuleFactory(name="Nómina")
    solution = {"solution": "Se corrigió el cálculo.", "resolution_code": Ticket.ResolutionCode.RESOLVED}

    form_page = coordinator_client.get(transition_url(ticket, "solve")).content.decode()
    assert "Módulo" in form_page and "Impacto" in form_page
    refused = coordinator_client.post(transition_url(ticket, "solve"), solution)
    assert "Elija el módulo del ticket." in refused.content.decode()
    assert "Evalúe el impacto del ticket." in refused.content.decode()

    coordinator_client.post(transition_url(ticket, "solve"), {**solution, "module": module.pk, "impact": Impact.LOW})

    ticket.refresh_from_db()
    assert (ticket.state, ticket.module, ticket.impact, ticket.priority) == (Ticket.State.SOLVED, module, Impact.LOW, 3)
    assert set(ticket.changes.filter(actor=coordinator).values_list("field", flat=True)) == {
        TicketChange.Field.MODULE,
        TicketChange.Field.IMPACT,
        TicketChange.Field.PRIORITY,
        TicketChange.Field.STATE,
    }


def test_solve_form_requires_a_solution(coordinator_client, agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)

    response = coordinator_client.post(transition_url(ticket, "solve"), {"solution": "", "resolution_code": "resolved"})

    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS


def test_assign_form_lists_specialists_first_and_assigns(coordinator_client, coordinator):
    specialty = SpecialtyFactory(name="Facturación")
    ticket = TicketFactory(state=Ticket.State.OPEN, module=ModuleFactory(specialty=specialty))
    AgentFactory(first_name="Aaron")
    specialist = AgentFactory(first_name="Zoe", profile=[specialty], profile__level=2)

    page = coordinator_client.get(transition_url(ticket, "assign"))
    assert list(page.context["transition_form"].fields["assignee"].queryset)[0] == specialist

    coordinator_client.post(transition_url(ticket, "assign"), {"assignee": specialist.pk})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (Ticket.State.IN_PROGRESS, specialist)


def test_coordinator_cancels_a_duplicate_by_the_original_reference(coordinator_client):
    original = TicketFactory(reference="INC-000100")
    ticket = TicketFactory(state=Ticket.State.OPEN)

    unknown = coordinator_client.post(
        transition_url(ticket, "cancel"), {"reason": "duplicate", "duplicate_of": "INC-999999"}
    )
    assert unknown.status_code == 200
    assert "No existe un ticket con la referencia INC-999999." in unknown.content.decode()

    coordinator_client.post(transition_url(ticket, "cancel"), {"reason": "duplicate", "duplicate_of": "inc-000100"})
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.CANCELLED
    assert ticket.duplicate_of == original


def test_agent_may_cancel_a_duplicate_in_the_admin_but_for_no_other_reason(agent_client, agent):
    # docs/process.md, «Who may do what»: the duplicate is the agent's decision.
    original = TicketFactory(reference="INC-000101")
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)

    page = agent_client.get(change_url(ticket))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'value="solve"' in content
    assert 'value="cancel"' in content

    response = agent_client.post(transition_url(ticket, "cancel"), {"reason": "withdrawn"})
    assert response.status_code == 200  # the form again, with the service's refusal
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS
    assert not ticket.changes.exists()
    assert any("por «Retirado por el solicitante» lo cancela un coordinador" in text for text in messages_of(response))

    agent_client.post(transition_url(ticket, "cancel"), {"reason": "duplicate", "duplicate_of": "INC-000101"})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.duplicate_of) == (Ticket.State.CANCELLED, original)


def test_transition_refused_by_the_service_reports_why(coordinator_client):
    # The button was shown while the ticket was open; someone took it meanwhile.
    ticket = TicketFactory(state=Ticket.State.OPEN)
    page = coordinator_client.get(change_url(ticket))
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.IN_PROGRESS)

    response = coordinator_client.post(change_url(ticket), change_form_data(page, _fsm_transition_to="take"))

    assert response.status_code == 302
    assert any("No se pudo" in text for text in messages_of(response))


# Editing and permissions ---------------------------------------------------


def test_editing_impact_recomputes_priority_and_writes_history(coordinator_client, coordinator):
    ticket = TicketFactory(state=Ticket.State.OPEN, urgency=Urgency.HIGH, impact=Impact.UNASSESSED, priority=4)
    page = coordinator_client.get(change_url(ticket))

    response = coordinator_client.post(change_url(ticket), change_form_data(page, impact=Impact.HIGH, _save="1"))

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.impact, ticket.priority) == (Impact.HIGH, 5)
    history = {c.field: (c.old_value, c.new_value) for c in ticket.changes.filter(actor=coordinator)}
    assert history == {TicketChange.Field.IMPACT: ("0", "3"), TicketChange.Field.PRIORITY: ("4", "5")}


def test_refused_reclassification_is_reported_without_a_success_message(client):
    # Someone who may change tickets in the admin but does not work them: the service refuses.
    clerk = UserFactory()
    clerk.user_permissions.set(
        Permission.objects.filter(content_type__app_label="tickets", codename__in=["view_ticket", "change_ticket"])
    )
    client.force_login(clerk)
    ticket = TicketFactory(state=Ticket.State.OPEN, urgency=Urgency.HIGH)
    page = client.get(change_url(ticket))

    response = client.post(change_url(ticket), change_form_data(page, impact=Impact.HIGH, _save="1"))

    ticket.refresh_from_db()
    assert ticket.impact == Impact.UNASSESSED
    assert not ticket.changes.exists()
    assert messages_of(response) == ["Solo el personal de la mesa puede clasificar tickets."]


def test_final_ticket_cannot_be_reclassified(coordinator_client):
    ticket = TicketFactory(state=Ticket.State.CLOSED)

    response = coordinator_client.get(change_url(ticket))

    assert response.status_code == 200
    assert "impact" not in response.context["adminform"].form.fields


def test_tickets_are_not_added_or_deleted_from_the_admin(coordinator_client):
    ticket = TicketFactory()

    assert coordinator_client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    assert coordinator_client.get(reverse("admin:tickets_ticket_delete", args=[ticket.pk])).status_code == 403


# The priority matrix -------------------------------------------------------


def test_coordinator_edits_a_cell_of_the_priority_matrix(coordinator_client):
    url = reverse("admin:tickets_priorityrule_changelist")
    page = coordinator_client.get(url)
    assert page.status_code == 200
    formset = page.context["cl"].formset
    assert formset.total_form_count() == 9
    cell = PriorityRule.objects.get(urgency=Urgency.HIGH, impact=Impact.HIGH)

    data = {"_save": "1"}
    management = formset.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management.initial.get(name, "")
    for form in formset.forms:
        data[form.add_prefix("id")] = form.instance.pk
        data[form.add_prefix("priority")] = 4 if form.instance.pk == cell.pk else form.instance.priority
    response = coordinator_client.post(url, data)

    assert response.status_code == 302
    cell.refresh_from_db()
    assert cell.priority == 4
    assert PriorityRule.objects.count() == 9


def test_list_opens_on_the_work_still_to_do(coordinator_client):
    open_ticket = TicketFactory(state=Ticket.State.OPEN)
    closed = TicketFactory(state=Ticket.State.CLOSED)

    default = coordinator_client.get(CHANGELIST).content.decode()
    assert open_ticket.reference in default and closed.reference not in default
    finished = coordinator_client.get(CHANGELIST + "?situacion=final").content.decode()
    assert closed.reference in finished and open_ticket.reference not in finished


def test_the_admin_offers_a_superuser_as_the_workspace_does(coordinator_client):
    # One rule (accounts/roles.py): a superuser is an agent in every list.
    from workspace.assignment import eligible_agents

    ticket = TicketFactory(state=Ticket.State.OPEN)
    admin_user = UserFactory(username="raiz", is_superuser=True)

    page = coordinator_client.get(transition_url(ticket, "assign"))

    assert admin_user in page.context["transition_form"].fields["assignee"].queryset
    assert admin_user in eligible_agents(ticket, show_all=True)
