"""The agents' queue: order, views and their counts, filters, search, empty states, keyset
pages, access, escaping, constant queries and the htmx refresh (docs/workspace.md,
«The queue»)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AgentFactory,
    ContactFactory,
    ModuleFactory,
    OrganizationFactory,
    SpecialtyFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Ticket, TicketChange
from workspace import queue as queue_module

pytestmark = pytest.mark.django_db

QUEUE = reverse("workspace:queue")
NOW = timezone.now().replace(microsecond=0)


class QueueRows(HTMLParser):
    """The rows of the queue table as a person reads them: one list of cell texts per
    row (without the bulk actions' checkbox), plus the attributes of each row's reference link."""

    def __init__(self, html):
        super().__init__()
        self.rows, self.links, self._row, self._cell = [], [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("class") == "queue-row":
            self._row = []
        elif self._row is not None and tag == "td" and "bulk-cell" not in (attrs.get("class") or "").split():
            self._cell = []  # the bulk actions' checkbox cell is not something a person reads
        elif self._row is not None and tag == "a":
            self.links.append(attrs)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


def subjects(response):
    """The subjects shown, top to bottom."""
    assert response.status_code == 200, response.content[:500]
    return [row[1] for row in QueueRows(response.content.decode()).rows]


def rows_fragment(html):
    """The rows container, exactly as rendered."""
    match = re.search(r'<div id="queue-rows".*?</div>\s*(?=</section>|<nav id="queue-tabs"|$)', html, re.DOTALL)
    assert match, "no rows container"
    return match.group(0).strip()


def link(response, rel):
    """The address of the page link `rel` ("next"/"prev"), as the browser resolves it."""
    match = re.search(rf'<a [^>]*href="([^"]+)" rel="{rel}"', response.content.decode())
    return QUEUE + match.group(1).replace("&amp;", "&") if match else None


@pytest.fixture
def requester_contact(db):
    return ContactFactory(name="Rosa Solicitante", email="rosa@cliente.example.mx")


def make(subject, *, requester=None, module=None, hours_ago=1, **fields):
    """A ticket created `hours_ago` hours before NOW, sharing a requester and module
    unless told otherwise."""
    requester = requester or ContactFactory()
    return TicketFactory(
        subject=subject,
        requester=requester,
        organization=requester.organization,
        module=module or ModuleFactory(),
        created_at=NOW - datetime.timedelta(hours=hours_ago),
        **fields,
    )


# Order -------------------------------------------------------------------------------

ORDER_CASES = {
    "higher priority first, even when newer": (
        [("bajo antiguo", 2, 50), ("crítico nuevo", 5, 1), ("medio", 3, 10)],
        ["crítico nuevo", "medio", "bajo antiguo"],
    ),
    "equal priority, the oldest first": (
        [("alto reciente", 4, 1), ("alto de ayer", 4, 24), ("alto de hace una hora y media", 4, 1.5)],
        ["alto de ayer", "alto de hace una hora y media", "alto reciente"],
    ),
    "equal priority and age, the first registered first": (
        [("gemelo 1", 3, 5), ("gemelo 2", 3, 5), ("gemelo 3", 3, 5)],
        ["gemelo 1", "gemelo 2", "gemelo 3"],
    ),
    "every level of priority": (
        [(f"prioridad {p}", p, 10 - p) for p in (1, 3, 5, 2, 4)],
        [f"prioridad {p}" for p in (5, 4, 3, 2, 1)],
    ),
}


@pytest.mark.parametrize("tickets, expected", ORDER_CASES.values(), ids=ORDER_CASES.keys())
def test_queue_shows_higher_priority_first_then_oldest(agent_client, requester_contact, module, tickets, expected):
    for subject, priority, hours_ago in tickets:
        make(subject, requester=requester_contact, module=module, priority=priority, hours_ago=hours_ago)
    assert subjects(agent_client.get(QUEUE, {"vista": "todos"})) == expected


# Views (tabs) ------------------------------------------------------------------------


@pytest.fixture
def desk(agent, other_agent, requester_contact):
    """One ticket in each situation an agent meets; the agent's specialty is Redes."""
    networks = SpecialtyFactory(name="Redes")
    agent.agent_profile.specialties.set([networks])
    vpn = ModuleFactory(name="VPN", specialty=networks)
    erp = ModuleFactory(name="ERP", specialty=SpecialtyFactory(name="Sistemas administrativos"))
    State = Ticket.State
    rows = [
        ("nuevo de redes", vpn, State.OPEN, None),
        ("nuevo del ERP", erp, State.OPEN, None),
        ("mío en proceso", erp, State.IN_PROGRESS, agent),
        ("de Beto en proceso", erp, State.IN_PROGRESS, other_agent),
        ("de Beto esperando al usuario", vpn, State.PENDING_USER, other_agent),
        ("mío esperando al proveedor", erp, State.PENDING_VENDOR, agent),
        ("mío solucionado", vpn, State.SOLVED, agent),
        ("mío cerrado", vpn, State.CLOSED, agent),
        ("cancelado", vpn, State.CANCELLED, None),
    ]
    for hours_ago, (subject, module, state, assignee) in enumerate(rows, start=1):
        make(subject, requester=requester_contact, module=module, state=state, assignee=assignee, hours_ago=hours_ago)
    return {"vpn": vpn, "erp": erp}


TAB_CASES = {
    "sin-asignar": ["nuevo de redes", "nuevo del ERP"],
    "mios": ["mío en proceso", "mío esperando al proveedor"],
    "especialidad": ["nuevo de redes", "de Beto esperando al usuario"],
    "pendientes": ["de Beto esperando al usuario", "mío esperando al proveedor"],
    "todos": [
        "nuevo de redes",
        "nuevo del ERP",
        "mío en proceso",
        "de Beto en proceso",
        "de Beto esperando al usuario",
        "mío esperando al proveedor",
    ],
    # Every ticket can be found by browsing: the finished ones have a view of their own.
    "terminados": ["mío solucionado", "mío cerrado", "cancelado"],
}


@pytest.mark.parametrize("tab, expected", TAB_CASES.items(), ids=TAB_CASES.keys())
def test_each_view_shows_its_tickets_in_course_or_the_finished_ones(agent_client, desk, tab, expected):
    # All tickets have the same priority: the oldest (registered first above) comes first.
    response = agent_client.get(QUEUE, {"vista": tab})
    assert sorted(subjects(response)) == sorted(expected)
    assert f'aria-current="page">{dict(queue_module.QueueTab.choices)[tab]}<span' in response.content.decode()


def tab_labels(response):
    """Each tab as a screen reader names it, and its visible figure."""
    body = response.content.decode()
    nav = re.search(r'<nav id="queue-tabs".*?</nav>', body, re.DOTALL).group(0)
    return {
        value: (name, figure)
        for value, name, figure in re.findall(
            r'<a id="queue-tab-([\w-]+)" href="[^"]*" aria-label="([^"]+)"[^>]*>[^<]+'
            r'<span class="tab-count" aria-hidden="true">([^<]+)</span></a>',
            nav,
        )
    }


def test_each_tab_says_how_many_tickets_it_holds(agent_client, desk):
    # Counted by hand from the desk fixture (TAB_CASES), whatever the tab shown.
    for shown in ("sin-asignar", "terminados"):
        assert tab_labels(agent_client.get(QUEUE, {"vista": shown})) == {
            "sin-asignar": ("Sin asignar, 2 tickets", "2"),
            "mios": ("Mis tickets, 2 tickets", "2"),
            "especialidad": ("Mi especialidad, 2 tickets", "2"),
            "pendientes": ("Pendientes, 2 tickets", "2"),
            "todos": ("Todos los abiertos, 6 tickets", "6"),
            "terminados": ("Terminados, 3 tickets", "3"),
        }


def test_a_tab_count_ignores_the_filters_of_the_list_shown(agent_client, desk):
    labels = tab_labels(agent_client.get(QUEUE, {"vista": "todos", "modulo": desk["vpn"].pk}))
    assert labels["todos"] == ("Todos los abiertos, 6 tickets", "6")


def test_a_tab_count_stops_at_its_cap(agent_client, desk, monkeypatch):
    monkeypatch.setattr(queue_module, "TAB_COUNT_CAP", 2)
    labels = tab_labels(agent_client.get(QUEUE))
    assert labels["todos"] == ("Todos los abiertos, más de 2 tickets", "2+")
    assert labels["terminados"] == ("Terminados, más de 2 tickets", "2+")
    assert labels["pendientes"] == ("Pendientes, 2 tickets", "2")


def test_one_ticket_is_named_in_the_singular(agent_client, requester_contact):
    make("nuevo", requester=requester_contact)
    labels = tab_labels(agent_client.get(QUEUE))
    assert labels["sin-asignar"] == ("Sin asignar, 1 ticket", "1")
    assert labels["terminados"] == ("Terminados, 0 tickets", "0")


def test_agents_land_on_the_unassigned_tickets(agent_client, desk):
    assert sorted(subjects(agent_client.get(QUEUE))) == sorted(TAB_CASES["sin-asignar"])


STATE_FILTER_CASES = {
    "solved tickets only when asked for": ("mios", "solved", ["mío solucionado"]),
    "a state narrows a view": ("todos", "pending_user", ["de Beto esperando al usuario"]),
    "a state outside the view shows nothing": ("pendientes", "open", []),
    "open and unassigned": ("sin-asignar", "open", ["nuevo de redes", "nuevo del ERP"]),
    "closed among the finished": ("terminados", "closed", ["mío cerrado"]),
    "cancelled among the finished": ("terminados", "cancelled", ["cancelado"]),
    "a closed ticket is in no view of tickets in course": ("mios", "closed", []),
    "an open ticket is not finished": ("terminados", "open", []),
}


@pytest.mark.parametrize("tab, state, expected", STATE_FILTER_CASES.values(), ids=STATE_FILTER_CASES.keys())
def test_the_state_filter_narrows_the_view(agent_client, desk, tab, state, expected):
    assert sorted(subjects(agent_client.get(QUEUE, {"vista": tab, "estado": state}))) == sorted(expected)


def test_specialty_view_says_so_when_the_agent_has_no_specialty(client, desk):
    client.force_login(AgentFactory(username="sin_especialidad"))
    response = client.get(QUEUE, {"vista": "especialidad"})
    assert subjects(response) == []
    assert "Su perfil de agente no tiene especialidades" in response.content.decode()


def test_specialty_view_names_the_agents_specialties(agent_client, desk):
    assert "Tickets de los módulos de sus especialidades: Redes." in agent_client.get(
        QUEUE, {"vista": "especialidad"}
    ).content.decode()


def test_specialty_view_follows_a_change_of_the_agents_specialties_at_once(agent_client, agent, desk):
    assert sorted(subjects(agent_client.get(QUEUE, {"vista": "especialidad"}))) == sorted(TAB_CASES["especialidad"])
    agent.agent_profile.specialties.set([desk["erp"].specialty])
    response = agent_client.get(QUEUE, {"vista": "especialidad"})
    assert "Tickets de los módulos de sus especialidades: Sistemas administrativos." in response.content.decode()
    assert sorted(subjects(response)) == sorted(
        ["nuevo del ERP", "mío en proceso", "de Beto en proceso", "mío esperando al proveedor"]
    )
    desk["erp"].specialty.name = "ERP y nómina"
    desk["erp"].specialty.save()
    assert "sus especialidades: ERP y nómina." in agent_client.get(QUEUE, {"vista": "especialidad"}).content.decode()


# Filters -----------------------------------------------------------------------------


@pytest.fixture
def filtered(requester_contact):
    """Tickets that differ in one field each from a plain one."""
    plain_module = ModuleFactory(name="Correo")
    other_org_contact = ContactFactory(organization=OrganizationFactory(name="Ferretería López"))
    made = {
        "común": make("común", requester=requester_contact, module=plain_module, priority=2, level=1),
        "módulo": make("módulo", requester=requester_contact, module=ModuleFactory(name="Nómina"), priority=2),
        "prioridad": make("prioridad", requester=requester_contact, module=plain_module, priority=5),
        "nivel": make("nivel", requester=requester_contact, module=plain_module, priority=2, level=3),
        "organización": make("organización", requester=other_org_contact, module=plain_module, priority=2),
        "estado": make(
            "estado", requester=requester_contact, module=plain_module, priority=2, state=Ticket.State.PENDING_VENDOR
        ),
    }
    return made


FILTER_CASES = {
    "module": (lambda t: {"modulo": t["módulo"].module_id}, ["módulo"]),
    "priority": (lambda t: {"prioridad": 5}, ["prioridad"]),
    "level": (lambda t: {"nivel": 3}, ["nivel"]),
    "organization": (lambda t: {"organizacion": t["organización"].organization_id}, ["organización"]),
    "state": (lambda t: {"estado": "pending_vendor"}, ["estado"]),
    "two filters together": (lambda t: {"modulo": t["común"].module_id, "nivel": 1}, ["común", "prioridad", "organización", "estado"]),
}


@pytest.mark.parametrize("params, expected", FILTER_CASES.values(), ids=FILTER_CASES.keys())
def test_each_filter_keeps_only_matching_tickets(agent_client, filtered, params, expected):
    response = agent_client.get(QUEUE, {"vista": "todos", **params(filtered)})
    assert sorted(subjects(response)) == sorted(expected)


INVALID_CASES = {
    "priority out of range": ({"prioridad": "9", "nivel": "3"}, "Prioridad", ["nivel"]),
    "module that does not exist": ({"modulo": "999999", "nivel": "3"}, "Módulo", ["nivel"]),
    "module that is not a number": ({"modulo": "abc", "nivel": "3"}, "Módulo", ["nivel"]),
    "unknown state": ({"estado": "borrado", "nivel": "3"}, "Estado", ["nivel"]),
    "level that is not a number": ({"nivel": "N9", "prioridad": "5"}, "Nivel", ["prioridad"]),
    "organization that does not exist": ({"organizacion": "-4", "nivel": "3"}, "Organización", ["nivel"]),
    # An unknown view falls back to the default one (unassigned), where all these are.
    "unknown view": ({"vista": "favoritos", "nivel": "3"}, "Vista", ["nivel"]),
}


@pytest.mark.parametrize("params, label, expected", INVALID_CASES.values(), ids=INVALID_CASES.keys())
def test_an_invalid_filter_is_told_in_spanish_and_the_others_still_apply(agent_client, filtered, params, label, expected):
    response = agent_client.get(QUEUE, {"vista": "todos", **params})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Algunos valores de la búsqueda no son válidos y no se aplicaron:" in body
    assert f"{label}: Escoja una opción válida" in body
    assert sorted(subjects(response)) == sorted(expected)


def test_a_broken_page_link_shows_the_first_page_with_a_message(agent_client, filtered):
    response = agent_client.get(QUEUE, {"vista": "todos", "despues": "7.no-es-un-cursor"})
    assert "El enlace de la página no es válido; se muestra la primera página." in response.content.decode()
    assert len(subjects(response)) == len(filtered)


# Search ------------------------------------------------------------------------------


@pytest.fixture
def searchable(requester_contact, other_agent):
    module = ModuleFactory()
    return {
        "referenced": make(
            "Impresora atascada",
            requester=requester_contact,
            module=module,
            reference="INC-000123",
            state=Ticket.State.CLOSED,
        ),
        "request": make("Alta de usuario", requester=requester_contact, module=module, reference="REQ-000123"),
        "billing": make("No funciona la facturación electrónica", module=module, reference="INC-000200"),
        "other": make(
            "Correo lento",
            requester=ContactFactory(name="Jesús Peña", email="jpena@ferreteria.example.mx"),
            module=module,
            reference="INC-000201",
            assignee=other_agent,
            state=Ticket.State.IN_PROGRESS,
        ),
    }


REFERENCE_CASES = {
    "full reference, lower case": ("inc-000123", ["Impresora atascada"]),
    "reference with spaces": ("  INC 123 ", ["Impresora atascada"]),
    "request reference": ("REQ-123", ["Alta de usuario"]),
    "just the number names both kinds": ("123", ["Impresora atascada", "Alta de usuario"]),
    "number with a hash": ("#000123", ["Impresora atascada", "Alta de usuario"]),
    "a reference that does not exist": ("INC-999999", []),
}


@pytest.mark.parametrize("text, expected", REFERENCE_CASES.values(), ids=REFERENCE_CASES.keys())
def test_search_by_reference_finds_the_ticket_in_any_view_and_state(agent_client, searchable, text, expected):
    # The closed INC-000123 belongs to no view; looking for its reference still finds it.
    response = agent_client.get(QUEUE, {"vista": "mios", "q": text})
    assert sorted(subjects(response)) == sorted(expected)
    assert "en todos los tickets, de cualquier vista y estado" in response.content.decode()


WORD_CASES = {
    "a word of the subject": ("facturación", ["No funciona la facturación electrónica"]),
    "case does not matter": ("CORREO", ["Correo lento"]),
    "every word must match": ("correo rápido", []),
    "words in any order": ("electrónica funciona", ["No funciona la facturación electrónica"]),
    "an accent typed that the text lacks": ("léntó", ["Correo lento"]),
    "the requester's name": ("peña", ["Correo lento"]),
    "the requester's email": ("ferreteria.example", ["Correo lento"]),
    "subject and requester together": ("rosa alta", ["Alta de usuario"]),
    "a number inside words is not a reference": ("error 500", []),
}


@pytest.mark.parametrize("text, expected", WORD_CASES.values(), ids=WORD_CASES.keys())
def test_search_by_words_looks_in_subject_and_requester_within_the_view(agent_client, searchable, text, expected):
    response = agent_client.get(QUEUE, {"vista": "todos", "q": text})
    assert sorted(subjects(response)) == sorted(expected)


def test_search_by_words_keeps_the_view(agent_client, searchable):
    assert subjects(agent_client.get(QUEUE, {"vista": "sin-asignar", "q": "correo"})) == []


EVERY_STATE_CASES = {
    # INC-000123 «Impresora atascada» is closed and belongs to no view of tickets in course.
    "a closed ticket by its subject": ({"q": "impresora"}, ["Impresora atascada"]),
    "a ticket of someone else's": ({"q": "correo"}, ["Correo lento"]),
    "the requester's name, in any state, newest first": ({"q": "rosa"}, ["Alta de usuario", "Impresora atascada"]),
    "the filters still apply": ({"q": "rosa", "estado": "closed"}, ["Impresora atascada"]),
    "nothing matches": ({"q": "teclado"}, []),
}


@pytest.mark.parametrize("params, expected", EVERY_STATE_CASES.values(), ids=EVERY_STATE_CASES.keys())
def test_search_in_every_state_finds_tickets_of_any_view_and_state(agent_client, searchable, params, expected):
    response = agent_client.get(QUEUE, {"vista": "mios", "en_todos": "1", **params})
    assert subjects(response) == expected
    body = response.content.decode()
    if expected:
        assert "de cualquier vista y estado" in body
    else:
        assert "Ningún ticket, de ninguna vista ni estado, contiene estas palabras." in body
    # No view is the current one: the list is every ticket's.
    assert 'aria-current="page">Mis tickets' not in body


def test_search_in_every_state_shows_each_tickets_state(agent_client, searchable):
    rows = QueueRows(agent_client.get(QUEUE, {"en_todos": "1", "q": "rosa"}).content.decode()).rows
    assert [(row[0], row[5]) for row in rows] == [("REQ-000123", "Abierto"), ("INC-000123", "Cerrado")]


def test_search_in_every_state_counts_up_to_its_cap_and_shows_the_newest(agent_client, requester_contact, monkeypatch):
    monkeypatch.setattr(queue_module, "SEARCH_COUNT_CAP", 2)
    for n in range(3):
        make(f"Impresora {n}", requester=requester_contact, state=Ticket.State.CLOSED)
    response = agent_client.get(QUEUE, {"en_todos": "1", "q": "impresora"})
    assert subjects(response) == ["Impresora 2", "Impresora 1", "Impresora 0"]
    assert "Más de 2 tickets de cualquier vista y estado contienen estas palabras" in response.content.decode()
    assert link(response, "next") is None


def test_words_among_the_finished_tickets_list_the_newest_first(agent_client, requester_contact, monkeypatch):
    monkeypatch.setattr(queue_module, "SEARCH_COUNT_CAP", 2)
    for n, state in enumerate([Ticket.State.CLOSED, Ticket.State.CANCELLED, Ticket.State.SOLVED]):
        make(f"Impresora {n}", requester=requester_contact, state=state, priority=3 - n, hours_ago=10 - n)
    make("Impresora abierta", requester=requester_contact)
    response = agent_client.get(QUEUE, {"vista": "terminados", "q": "impresora"})
    assert subjects(response) == ["Impresora 2", "Impresora 1", "Impresora 0"]
    assert "Más de 2 tickets terminados contienen estas palabras" in response.content.decode()
    assert link(response, "next") is None


def test_the_every_state_box_without_words_shows_the_view(agent_client, desk):
    assert sorted(subjects(agent_client.get(QUEUE, {"vista": "mios", "en_todos": "1"}))) == sorted(TAB_CASES["mios"])


def test_a_search_that_finds_nothing_in_the_view_offers_every_state(agent_client, searchable):
    body = agent_client.get(QUEUE, {"vista": "todos", "q": "impresora"}).content.decode()
    assert "No hay tickets en esta vista con estos filtros." in body
    assert '<a href="?vista=todos&amp;q=impresora&amp;en_todos=1">Buscar estas palabras en todos los estados</a>' in body


# Empty views ---------------------------------------------------------------------------

EMPTY_CASES = {
    "sin-asignar": ("No hay tickets sin asignar. Revise", ["mios", "pendientes"]),
    "mios": ("No tiene tickets en curso asignados. Tome uno de", ["sin-asignar", "especialidad"]),
    "especialidad": ("No hay tickets en curso de los módulos de sus especialidades.", ["sin-asignar"]),
    "pendientes": ("Ningún ticket espera al solicitante ni a un proveedor.", ["todos"]),
    "todos": ("No hay tickets en curso: la mesa está al día.", ["terminados"]),
    "terminados": ("Todavía no hay tickets solucionados, cerrados ni cancelados.", ["todos"]),
}


@pytest.mark.parametrize("tab, expected", EMPTY_CASES.items(), ids=EMPTY_CASES.keys())
def test_an_empty_view_says_where_to_look_next(agent_client, agent, tab, expected):
    agent.agent_profile.specialties.set([SpecialtyFactory(name="Redes")])
    words, tabs = expected
    body = agent_client.get(QUEUE, {"vista": tab}).content.decode()
    empty = re.search(r'<p class="empty">(.*?)</p>', body, re.DOTALL).group(1)
    assert words in empty
    assert re.findall(r'href="/mesa/\?vista=([\w-]+)"', empty) == tabs


# Wording -------------------------------------------------------------------------------


def test_each_filter_says_all_in_its_own_gender_and_number(agent_client, desk):
    body = agent_client.get(QUEUE).content.decode()
    filters = re.search(r'<form method="get" class="queue-filters".*?</form>', body, re.DOTALL).group(0)
    first_options = dict(re.findall(r'<select name="(\w+)"[^>]*>\s*<option value=""[^>]*>([^<]+)</option>', filters))
    assert first_options == {
        "modulo": "Todos los módulos",
        "estado": "Todos los estados",
        "prioridad": "Todas las prioridades",
        "nivel": "Todos los niveles",
        "organizacion": "Todas las organizaciones",
    }


AGE_CASES = {
    "just now": (datetime.timedelta(0), "hace un momento"),
    "half a minute": (datetime.timedelta(seconds=30), "hace un momento"),
    "59 seconds": (datetime.timedelta(seconds=59), "hace un momento"),
    "one minute": (datetime.timedelta(minutes=1), "hace 1 minuto"),
    "three hours and some": (datetime.timedelta(hours=3, minutes=20), "hace 3 horas"),
    "two days": (datetime.timedelta(days=2, hours=5), "hace 2 días"),
    # A clock a little ahead of the server's: never "hace 0 minutos".
    "a few seconds ahead": (-datetime.timedelta(seconds=10), "hace un momento"),
}


@pytest.mark.parametrize("ago, expected", AGE_CASES.values(), ids=AGE_CASES.keys())
def test_the_age_reads_naturally(agent_client, requester_contact, ago, expected):
    now = datetime.datetime(2025, 3, 10, 18, 30, tzinfo=datetime.UTC)
    with time_machine.travel(now, tick=False):
        TicketFactory(subject="nuevo", requester=requester_contact, created_at=now - ago)
        row = QueueRows(agent_client.get(QUEUE).content.decode()).rows[0]
    assert row[7] == expected


# Rows --------------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2025, 3, 10, 18, 30, tzinfo=datetime.UTC), tick=False)
def test_a_row_shows_what_an_agent_needs_in_spanish_and_the_desks_time_zone(agent_client, other_agent):
    requester = ContactFactory(name="Rosa Solicitante", organization=OrganizationFactory(name="Ferretería López"))
    ticket = TicketFactory(
        reference="INC-000042",
        subject="Sin acceso a la VPN",
        requester=requester,
        organization=requester.organization,
        module=ModuleFactory(name="VPN"),
        priority=4,
        state=Ticket.State.PENDING_VENDOR,
        assignee=other_agent,
        created_at=datetime.datetime(2025, 3, 10, 15, 30, tzinfo=datetime.UTC),
    )
    response = agent_client.get(QUEUE, {"vista": "todos"})
    parsed = QueueRows(response.content.decode())
    assert parsed.rows == [
        [
            "INC-000042",
            "Sin acceso a la VPN",
            "Rosa Solicitante Ferretería López",
            "VPN",
            "Alto",
            "Pendiente proveedor",
            "Beto Agente",
            "hace 3 horas",
            "Sin plazo",  # made around the services: no SLA deadlines (tests/sla covers the light)
        ]
    ]
    assert parsed.links[0]["href"] == reverse("workspace:ticket", args=[ticket.pk])
    body = response.content.decode()
    # America/Mexico_City is UTC-6 in March.
    assert 'title="10 de marzo de 2025 a las 09:30"' in body
    assert '<time datetime="2025-03-10T09:30:00-06:00"' in body
    assert 'class="priority-level priority-4"' in body


def test_an_unassigned_ticket_says_so(agent_client, requester_contact):
    make("nuevo", requester=requester_contact)
    row = QueueRows(agent_client.get(QUEUE).content.decode()).rows[0]
    assert row[6] == "Sin asignar"


def test_requester_data_is_shown_as_text(agent_client):
    requester = ContactFactory(name='<img src=x onerror="alert(1)">', email="x@example.mx")
    make("<script>alert('asunto')</script>", requester=requester)
    body = agent_client.get(QUEUE).content.decode()
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(&#x27;asunto&#x27;)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body


def test_a_ticket_without_deadlines_says_so_in_the_sla_column(agent_client, requester_contact):
    make("nuevo", requester=requester_contact)
    parsed = QueueRows(agent_client.get(QUEUE).content.decode())
    assert parsed.rows[0][-1] == "Sin plazo"


def test_the_count_is_capped(agent_client, requester_contact, module, monkeypatch):
    monkeypatch.setattr(queue_module, "COUNT_CAP", 3)
    for n in range(3):
        make(f"t{n}", requester=requester_contact, module=module)
    assert "3 tickets en esta vista." in agent_client.get(QUEUE).content.decode()
    make("t3", requester=requester_contact, module=module)
    assert "Más de 3 tickets en esta vista." in agent_client.get(QUEUE).content.decode()


def test_a_search_by_words_counts_up_to_its_own_cap(agent_client, requester_contact, module, monkeypatch):
    monkeypatch.setattr(queue_module, "SEARCH_COUNT_CAP", 2)
    for n in range(3):
        make(f"Impresora {n}", requester=requester_contact, module=module)
    make("Correo caído", requester=requester_contact, module=module)

    searched = agent_client.get(QUEUE, {"vista": "todos", "q": "impresora"}).content.decode()
    assert "Más de 2 tickets en esta vista." in searched
    assert len(QueueRows(searched).rows) == 3  # the page still shows every match
    assert "4 tickets en esta vista." in agent_client.get(QUEUE, {"vista": "todos"}).content.decode()


# Pages -------------------------------------------------------------------------------


def test_keyset_pages_walk_forward_and_back_without_duplicates_or_gaps(agent_client, requester_contact, module):
    # 60 tickets with many ties in priority and creation time: 25 + 25 + 10.
    for n in range(60):
        make(f"ticket {n:02d}", requester=requester_contact, module=module, priority=1 + n % 3, hours_ago=n % 4)
    expected = list(Ticket.objects.in_course().in_queue_order().values_list("subject", flat=True))

    response = agent_client.get(QUEUE, {"vista": "todos"})
    pages = [subjects(response)]
    assert link(response, "prev") is None
    while next_url := link(response, "next"):
        response = agent_client.get(next_url)
        pages.append(subjects(response))
    assert [len(page) for page in pages] == [25, 25, 10]
    assert sum(pages, []) == expected
    assert "Primera página" in response.content.decode()

    back = []
    while prev_url := link(response, "prev"):
        response = agent_client.get(prev_url)
        back.insert(0, subjects(response))
    assert back == pages[:-1]
    assert "Primera página" not in response.content.decode()


def test_a_page_keeps_its_place_when_tickets_before_it_are_taken(agent_client, requester_contact, module):
    for n in range(30):
        make(f"ticket {n:02d}", requester=requester_contact, module=module, hours_ago=100 - n)
    second = agent_client.get(link(agent_client.get(QUEUE), "next"))
    assert subjects(second) == [f"ticket {n:02d}" for n in range(25, 30)]
    Ticket.objects.filter(subject="ticket 00").update(assignee=UserFactory())
    assert subjects(agent_client.get(second.wsgi_request.get_full_path())) == subjects(second)


def test_going_back_after_the_earlier_tickets_left_shows_the_first_page(agent_client, requester_contact, module):
    for n in range(30):
        make(f"ticket {n:02d}", requester=requester_contact, module=module, hours_ago=100 - n)
    second = agent_client.get(link(agent_client.get(QUEUE), "next"))
    Ticket.objects.filter(subject__in=[f"ticket {n:02d}" for n in range(10)]).update(assignee=UserFactory())
    response = agent_client.get(link(second, "prev"))
    assert subjects(response) == [f"ticket {n:02d}" for n in range(10, 30)]
    assert link(response, "prev") is None


def test_filters_and_view_survive_paging(agent_client, requester_contact):
    module = ModuleFactory()
    for n in range(30):
        make(f"ticket {n:02d}", requester=requester_contact, module=module, hours_ago=100 - n, level=2)
    make("otro nivel", requester=requester_contact, module=module, level=1)
    first = agent_client.get(QUEUE, {"vista": "todos", "nivel": 2, "modulo": module.pk})
    next_url = link(first, "next")
    assert "vista=todos" in next_url and "nivel=2" in next_url and f"modulo={module.pk}" in next_url
    assert subjects(agent_client.get(next_url)) == [f"ticket {n:02d}" for n in range(25, 30)]


# Queries and the htmx refresh --------------------------------------------------------


def queries_for(client, params, headers=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, params, headers=headers or {})
    assert response.status_code == 200
    return len(captured)


def add_distinct_tickets(count):
    """Tickets that each have their own requester, organization, module and assignee, so
    that any per-row query would show."""
    for n in range(count):
        make(f"distinto {n}", assignee=AgentFactory(), state=Ticket.State.IN_PROGRESS, hours_ago=n + 1)


@pytest.mark.parametrize(
    "params",
    [
        {"vista": "todos"},
        {"vista": "especialidad"},
        {"vista": "todos", "q": "distinto"},
        {"vista": "todos", "nivel": "1", "prioridad": "2"},
        {"vista": "terminados"},
        {"vista": "mios", "q": "distinto", "en_todos": "1"},
    ],
    ids=["todos", "especialidad", "words", "filters", "terminados", "every state"],
)
def test_a_page_costs_the_same_queries_whatever_its_rows(agent_client, agent, params):
    specialty = SpecialtyFactory(name="Todas las áreas")
    agent.agent_profile.specialties.set([specialty])
    add_distinct_tickets(3)
    Ticket.objects.update(module=ModuleFactory(specialty=specialty))
    few = queries_for(agent_client, params)
    few_htmx = queries_for(agent_client, params, {"HX-Request": "true"})
    add_distinct_tickets(27)
    Ticket.objects.update(module=ModuleFactory(specialty=specialty))
    assert queries_for(agent_client, params) == few
    assert queries_for(agent_client, params, {"HX-Request": "true"}) == few_htmx


def test_a_deep_page_costs_the_same_queries_whatever_its_depth(agent_client):
    add_distinct_tickets(90)
    second_url = link(agent_client.get(QUEUE, {"vista": "todos"}), "next")
    third_url = link(agent_client.get(second_url), "next")
    with CaptureQueriesContext(connection) as on_first:
        agent_client.get(QUEUE, {"vista": "todos"})
    with CaptureQueriesContext(connection) as on_second:
        agent_client.get(second_url)
    with CaptureQueriesContext(connection) as on_third:
        agent_client.get(third_url)
    # The first page reads its rows in queue order at once; a later page its positions from
    # the cursor, then their rows. Then each counts: the same queries however deep.
    assert len(on_third) == len(on_second) == len(on_first) + 1


def test_the_htmx_refresh_returns_exactly_the_rows_of_the_full_page_and_the_tabs(agent_client, desk):
    params = {"vista": "todos", "modulo": desk["erp"].pk}
    full = agent_client.get(QUEUE, params).content.decode()
    refresh = agent_client.get(QUEUE, params, headers={"HX-Request": "true"})
    fragment = refresh.content.decode().strip()
    assert rows_fragment(fragment) == rows_fragment(full)
    # The tabs' counts come along, swapped out of band.
    tabs = re.search(r'<nav id="queue-tabs".*?</nav>', fragment, re.DOTALL).group(0)
    assert 'hx-swap-oob="true"' in tabs
    assert tab_labels(refresh) == tab_labels(agent_client.get(QUEUE, params))
    assert subjects(refresh) == subjects(agent_client.get(QUEUE, params))
    assert "<html" not in fragment and "queue-filters" not in fragment
    assert refresh["Vary"] and "HX-Request" in refresh["Vary"]


def version_of(response):
    return re.search(r'"X-Queue-Version": "(\w+)"', response.content.decode()).group(1)


def test_the_refresh_sends_nothing_when_nothing_shown_has_changed(agent_client, requester_contact):
    make("nuevo", requester=requester_contact)
    version = version_of(agent_client.get(QUEUE))
    refresh = agent_client.get(QUEUE, headers={"HX-Request": "true", "X-Queue-Version": version})
    assert refresh.status_code == 204 and refresh.content == b""
    assert "X-Queue-Version" in refresh["Vary"]


@pytest.mark.parametrize(
    "change",
    [
        lambda: make("otro", hours_ago=2),
        lambda: Ticket.objects.filter(subject="nuevo").update(priority=5),
        lambda: Ticket.objects.filter(subject="nuevo").update(assignee=UserFactory()),
    ],
    ids=["a new ticket", "a new priority", "taken by someone"],
)
def test_the_refresh_sends_the_rows_when_something_shown_changed(agent_client, requester_contact, change):
    make("nuevo", requester=requester_contact)
    version = version_of(agent_client.get(QUEUE))
    change()
    refresh = agent_client.get(QUEUE, headers={"HX-Request": "true", "X-Queue-Version": version})
    assert refresh.status_code == 200
    assert version_of(refresh) != version


def test_the_rows_refresh_themselves_every_30_seconds_with_the_same_query(agent_client, desk):
    response = agent_client.get(QUEUE, {"vista": "todos", "nivel": "1"})
    container = re.search(r'<div id="queue-rows"[^>]*>', response.content.decode()).group(0)
    assert 'hx-get="/mesa/?vista=todos&amp;nivel=1"' in container
    assert 'hx-trigger="every 30s, queue-refresh"' in container
    assert 'hx-swap="outerHTML"' in container
    # The live region that tells what a refresh changed is outside the swapped rows.
    body = response.content.decode()
    assert body.index('id="queue-announce"') < body.index('id="queue-rows"')
    assert re.search(r'<p id="queue-announce"[^>]*aria-live="polite"', body)


def test_each_row_opens_its_ticket_from_one_link_with_an_id(agent_client, desk):
    body = agent_client.get(QUEUE, {"vista": "todos"}).content.decode()
    rows = re.findall(r'<tr class="queue-row" data-ticket="(\d+)".*?</tr>', body, re.DOTALL)
    opens = re.findall(r'<a class="queue-open" id="queue-open-(\d+)" href="/mesa/tickets/(\d+)/"', body)
    assert len(rows) == 6
    assert [pk for pk, _ in opens] == rows and [pk for _, pk in opens] == rows


def test_the_filter_form_is_a_plain_get_form(agent_client, desk):
    body = agent_client.get(QUEUE).content.decode()
    form = re.search(r'<form method="get" class="queue-filters"[^>]*>', body)
    assert form is not None
    for name in ("q", "modulo", "estado", "prioridad", "nivel", "organizacion", "vista"):
        assert f'name="{name}"' in body


# Access and safety -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(QUEUE, {"vista": "todos"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_a_user_without_the_agent_role_is_refused_in_spanish(client):
    client.force_login(UserFactory(username="sistemas"))
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "Su cuenta no tiene acceso a la cola de tickets" in response.content.decode()


def test_the_coordinator_works_the_queue_too(client, coordinator, requester_contact):
    make("nuevo", requester=requester_contact)
    client.force_login(coordinator)
    assert subjects(client.get(QUEUE)) == ["nuevo"]


def test_reading_the_queue_changes_nothing(agent_client, desk):
    def snapshot():
        return list(Ticket.objects.order_by("pk").values_list("pk", "state", "assignee_id", "priority", "updated_at"))

    before, changes = snapshot(), TicketChange.objects.count()
    for tab in TAB_CASES:
        agent_client.get(QUEUE, {"vista": tab})
        agent_client.get(QUEUE, {"vista": tab}, headers={"HX-Request": "true"})
    assert snapshot() == before
    assert TicketChange.objects.count() == changes
    assert agent_client.post(QUEUE, {"vista": "todos"}).status_code == 405


# The kept lists (the filters', the bulk bar's) follow every change at once --------------


def select_options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.DOTALL).group(0)
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select, re.DOTALL)]


def test_the_filters_and_the_bulk_bar_list_a_module_or_an_organization_made_or_renamed_a_moment_ago(
    coordinator_client, desk
):
    first = coordinator_client.get(QUEUE, {"vista": "todos"}).content.decode()
    assert "Telefonía" not in select_options(first, "id_modulo")
    module = ModuleFactory(name="Telefonía")
    desk["vpn"].name = "VPN corporativa"
    desk["vpn"].save()
    page = coordinator_client.get(QUEUE, {"vista": "todos"}).content.decode()
    assert {"Telefonía", "VPN corporativa"} <= set(select_options(page, "id_modulo"))
    assert "VPN" not in select_options(page, "id_modulo")
    assert {"Telefonía", "VPN corporativa"} <= set(select_options(page, "bulk-action"))
    module.is_active = False
    module.save()
    page = coordinator_client.get(QUEUE, {"vista": "todos"}).content.decode()
    assert "Telefonía" not in select_options(page, "bulk-action")  # the bar offers active modules only
    assert "Telefonía" in select_options(page, "id_modulo")  # its tickets can still be found


def test_the_bulk_bar_offers_an_agent_as_soon_as_they_join_and_not_once_they_leave(coordinator_client, desk):
    assert "Dora Nueva" not in select_options(coordinator_client.get(QUEUE).content.decode(), "bulk-action")
    newcomer = AgentFactory(first_name="Dora", last_name="Nueva")
    assert "Dora Nueva" in select_options(coordinator_client.get(QUEUE).content.decode(), "bulk-action")
    newcomer.is_active = False
    newcomer.save()
    assert "Dora Nueva" not in select_options(coordinator_client.get(QUEUE).content.decode(), "bulk-action")


def test_a_row_drawn_once_is_drawn_again_when_anything_it_prints_changes(agent_client, agent, desk):
    """Rows are kept as drawn, by what they print (workspace.queue.ROW_HTML): the language,
    and every shown value of the ticket."""
    queue_module.ROW_HTML.clear()
    spanish = agent_client.get(QUEUE, {"vista": "todos"}).content.decode()
    assert 'aria-label="Elegir ' in spanish and ">Sin asignar<" in spanish
    english = agent_client.get(QUEUE, {"vista": "todos"}, headers={"Accept-Language": "en"}).content.decode()
    assert 'aria-label="Select ' in english and 'aria-label="Elegir ' not in english
    assert ">Unassigned<" in english and ">Sin asignar<" not in english
    ticket = Ticket.objects.get(subject="nuevo del ERP")
    Ticket.objects.filter(pk=ticket.pk).update(subject="nuevo del ERP, ya sin timbrar")
    again = agent_client.get(QUEUE, {"vista": "todos"}).content.decode()
    assert "nuevo del ERP, ya sin timbrar" in again
    assert again.count("<tr class=\"queue-row\"") == spanish.count("<tr class=\"queue-row\"")
