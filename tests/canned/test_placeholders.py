"""The placeholders of a canned reply (docs/workspace.md, «Canned replies»)."""

import pytest

from canned.placeholders import fill, first_name, unknown_placeholders, values_for
from tests.factories import AgentFactory, ContactFactory, ModuleFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return TicketFactory(
        requester=ContactFactory(name="Lucía Ortega Ruiz"),
        module=ModuleFactory(name="Nómina"),
        subject="No llega el recibo de nómina",
        reference="INC-000123",
    )


@pytest.fixture
def laura():
    return AgentFactory(first_name="Laura", last_name="Méndez", username="lmendez")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hola {nombre}:", "Hola Lucía:"),
        ("Su reporte {referencia} está en curso.", "Su reporte INC-000123 está en curso."),
        ("Le atiende {agente}.", "Le atiende Laura Méndez."),
        ("Módulo: {modulo}.", "Módulo: Nómina."),
        ("Sobre «{asunto}»", "Sobre «No llega el recibo de nómina»"),
        # Capitals and accents do not count.
        ("{Nombre} / {MÓDULO} / {módulo}", "Lucía / Nómina / Nómina"),
        # Several, repeated.
        ("{nombre}, {nombre}: {referencia}", "Lucía, Lucía: INC-000123"),
        # Unknown names and other braces stay as written.
        ("Hola {cliente}, {nombre}", "Hola {cliente}, Lucía"),
        ("Un {} vacío, { nombre } con espacios, {{nombre}}", "Un {} vacío, { nombre } con espacios, {Lucía}"),
        ("Sin marcadores.", "Sin marcadores."),
    ],
)
def test_each_placeholder_becomes_the_tickets_value(ticket, laura, text, expected):
    assert fill(text, values_for(ticket, laura)) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Lucía Ortega", "Lucía"),
        ("  Pablo   Ruiz ", "Pablo"),
        ("Ing. Pablo Ruiz", "Pablo"),
        ("Lic. Ma. Elena Soto", "Elena"),
        ("jperez", "jperez"),
        ("", ""),
        ("Dr.", ""),
    ],
)
def test_the_first_name_skips_titles(name, expected):
    assert first_name(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "Ing."])
def test_a_requester_without_a_first_name_is_greeted_as_usuario(ticket, laura, name):
    ticket.requester.name = name
    assert fill("Hola {nombre}:", values_for(ticket, laura)) == "Hola usuario:"


def test_a_ticket_without_module_says_so(laura):
    ticket = TicketFactory(module=None, reference="REQ-000124")
    assert fill("{modulo} ({referencia})", values_for(ticket, laura)) == "sin módulo (REQ-000124)"


def test_an_agent_without_a_full_name_is_named_by_their_username(ticket):
    agent = AgentFactory(first_name="", last_name="", username="soporte1")
    assert fill("Le atiende {agente}.", values_for(ticket, agent)) == "Le atiende soporte1."


def test_a_value_is_never_read_again_for_placeholders(laura):
    ticket = TicketFactory(requester=ContactFactory(name="{agente}"), subject="{referencia} <b>", reference="INC-000001")
    assert fill("{nombre} · {asunto}", values_for(ticket, laura)) == "{agente} · {referencia} <b>"


@pytest.mark.parametrize(
    "text, unknown",
    [
        ("Hola {nombre}, {referencia} {agente} {modulo} {asunto}", []),
        ("Hola {Nombre} {módulo}", []),
        ("Hola {cliente}", ["{cliente}"]),
        ("{fecha} y {fecha} y {folio}", ["{fecha}", "{folio}"]),
        ("{} { nombre } sin marcadores", []),
    ],
)
def test_unknown_placeholders_are_listed_once_as_written(text, unknown):
    assert unknown_placeholders(text) == unknown
