"""Who a ticket can be assigned to: agents with the module's specialty and a level at
least the ticket's, each with their open load read in one query; everyone else on
request; and the coordinator's list on the ticket page."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import SupportLevel
from tests.factories import AgentFactory, ModuleFactory, SpecialtyFactory, TicketFactory, UserFactory
from tickets.models import Ticket
from workspace.assignment import eligible_agents

pytestmark = pytest.mark.django_db

S = Ticket.State


@pytest.fixture
def specialty():
    return SpecialtyFactory(name="Redes")


@pytest.fixture
def ticket(specialty):
    return TicketFactory(module=ModuleFactory(specialty=specialty), level=SupportLevel.N2)


def names(agents):
    return [user.username for user in agents]


def test_agents_with_the_specialty_and_enough_level_are_eligible(ticket, specialty):
    AgentFactory(username="n2_redes", profile=[specialty], profile__level=SupportLevel.N2)
    AgentFactory(username="n3_redes", profile=[specialty, SpecialtyFactory()], profile__level=SupportLevel.N3)
    AgentFactory(username="n1_redes", profile=[specialty], profile__level=SupportLevel.N1)
    AgentFactory(username="n3_otra", profile=[SpecialtyFactory()], profile__level=SupportLevel.N3)
    AgentFactory(username="sin_especialidad", profile__level=SupportLevel.N3)

    assert sorted(names(eligible_agents(ticket))) == ["n2_redes", "n3_redes"]


def test_unavailable_inactive_and_non_agents_are_not_offered(ticket, specialty):
    AgentFactory(username="disponible", profile=[specialty], profile__level=SupportLevel.N2)
    away = AgentFactory(username="de_vacaciones", profile=[specialty], profile__level=SupportLevel.N2)
    away.agent_profile.is_available = False
    away.agent_profile.save()
    AgentFactory(username="dado_de_baja", profile=[specialty], profile__level=SupportLevel.N2, is_active=False)
    UserFactory(username="solo_personal")

    assert names(eligible_agents(ticket)) == ["disponible"]
    everyone = names(eligible_agents(ticket, show_all=True))
    assert "de_vacaciones" in everyone
    assert "dado_de_baja" not in everyone and "solo_personal" not in everyone


def test_a_user_with_the_work_permission_directly_is_an_agent(ticket):
    direct = UserFactory(username="permiso_directo")
    direct.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="work_ticket"))

    assert "permiso_directo" in names(eligible_agents(ticket, show_all=True))


def test_show_all_lists_those_who_fit_first_then_the_least_loaded(ticket, specialty):
    busy_fit = AgentFactory(username="apta_ocupada", profile=[specialty], profile__level=SupportLevel.N2)
    AgentFactory(username="apta_libre", profile=[specialty], profile__level=SupportLevel.N3)
    other_busy = AgentFactory(username="otra_ocupada", profile__level=SupportLevel.N1)
    AgentFactory(username="otra_libre", profile__level=SupportLevel.N1)
    TicketFactory(state=S.IN_PROGRESS, assignee=busy_fit)
    TicketFactory.create_batch(2, state=S.IN_PROGRESS, assignee=other_busy)

    agents = list(eligible_agents(ticket, show_all=True))

    assert names(agents) == ["apta_libre", "apta_ocupada", "otra_libre", "otra_ocupada"]
    assert [(a.fits, a.open_load) for a in agents] == [(True, 0), (True, 1), (False, 0), (False, 2)]


def test_open_load_counts_only_not_final_tickets(ticket, specialty):
    agent = AgentFactory(username="cargada", profile=[specialty], profile__level=SupportLevel.N2)
    for state in [S.IN_PROGRESS, S.PENDING_USER, S.PENDING_VENDOR, S.SOLVED, S.CLOSED, S.CANCELLED]:
        TicketFactory(state=state, assignee=agent)

    assert [a.open_load for a in eligible_agents(ticket)] == [4]


def test_escalation_level_asks_for_a_higher_level(ticket, specialty):
    AgentFactory(username="n2", profile=[specialty], profile__level=SupportLevel.N2)
    AgentFactory(username="n3", profile=[specialty], profile__level=SupportLevel.N3)

    assert names(eligible_agents(ticket, level=SupportLevel.N3)) == ["n3"]


def test_a_ticket_without_module_fits_nobody_but_lists_everyone_on_request(specialty):
    ticket = TicketFactory(module=None)
    AgentFactory(username="alguien", profile=[specialty], profile__level=SupportLevel.N3)

    assert names(eligible_agents(ticket)) == []
    assert "alguien" in names(eligible_agents(ticket, show_all=True))


def test_the_list_and_its_loads_are_one_query(django_assert_num_queries, ticket, specialty):
    for number in range(5):
        agent = AgentFactory(profile=[specialty], profile__level=SupportLevel.N3)
        TicketFactory.create_batch(number, state=S.IN_PROGRESS, assignee=agent)

    with django_assert_num_queries(1):
        loads = [(a.username, a.open_load, a.agent_profile.level) for a in eligible_agents(ticket, show_all=True)]

    assert sorted(load for _, load, _ in loads if load) == [1, 2, 3, 4]


# On the ticket page -----------------------------------------------------------------


def assign_options(response) -> list[str]:
    html = response.content.decode()
    select = re.search(r'<select name="assignee"[^>]*id="assign-assignee">(.*?)</select>', html, re.DOTALL).group(1)
    return [" ".join(label.split()) for label in re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', select)]


def assign_form(client, ticket):
    """The assignment form as htmx loads it when the coordinator opens «Asignar»."""
    return client.get(reverse("workspace:ticket-assign", args=[ticket.pk]), headers={"HX-Request": "true"})


def test_coordinator_sees_the_fitting_agents_with_their_load(client, coordinator, ticket, specialty):
    eva = AgentFactory(first_name="Eva", last_name="Redes", profile=[specialty], profile__level=SupportLevel.N2)
    TicketFactory.create_batch(2, state=S.IN_PROGRESS, assignee=eva)
    AgentFactory(first_name="Iván", last_name="Redes", profile=[specialty], profile__level=SupportLevel.N3)
    AgentFactory(first_name="Otto", last_name="Otro", profile__level=SupportLevel.N3)
    client.force_login(coordinator)

    response = assign_form(client, ticket)

    assert assign_options(response) == [
        "Iván Redes (N3): 0 tickets en curso",
        "Eva Redes (N2): 2 tickets en curso",
    ]
    assert "Mostrar todos los agentes" in response.content.decode()


def test_show_all_adds_the_others_marked(client, coordinator, ticket, specialty):
    AgentFactory(first_name="Eva", last_name="Redes", profile=[specialty], profile__level=SupportLevel.N2)
    otto = AgentFactory(first_name="Otto", last_name="Otro", profile__level=SupportLevel.N1)
    TicketFactory(state=S.PENDING_USER, assignee=otto)
    client.force_login(coordinator)

    response = client.get(reverse("workspace:ticket", args=[ticket.pk]), {"agentes": "todos"})

    options = assign_options(response)
    assert options[0] == "Eva Redes (N2): 0 tickets en curso"
    assert "Otto Otro (N1): 1 ticket en curso, sin la especialidad o el nivel" in options


def test_when_nobody_fits_everyone_is_listed_and_the_page_says_so(client, coordinator, ticket):
    AgentFactory(first_name="Otto", last_name="Otro", profile__level=SupportLevel.N1)
    client.force_login(coordinator)

    response = assign_form(client, ticket)

    assert any(option.startswith("Otto Otro (N1)") for option in assign_options(response))
    assert (
        "Ningún agente disponible tiene la especialidad del módulo y nivel N2 o superior" in response.content.decode()
    )


def test_coordinator_may_assign_someone_from_show_all(client, coordinator, ticket):
    outsider = AgentFactory(profile__level=SupportLevel.N1)
    client.force_login(coordinator)

    response = client.post(reverse("workspace:ticket-assign", args=[ticket.pk]), {"assignee": outsider.pk})

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, outsider)
