"""Canned replies in the workspace (docs/workspace.md, «Canned replies»): the list every
agent reads, the coordinators' editor, archive and restore, and the ticket page's picker
that fills each reply for the ticket."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from canned.models import CannedReply
from tests.factories import (
    AgentFactory,
    CannedReplyFactory,
    ContactFactory,
    ModuleFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

LIST = reverse("workspace:canned-list")
NEW = reverse("workspace:canned-new")


def text(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-canned="(\d+)"', response.content.decode())]


def state(reply: CannedReply) -> tuple:
    reply = CannedReply.objects.get(pk=reply.pk)
    return (reply.title, reply.body, reply.module_id, reply.is_active, reply.updated_at)


# The list ----------------------------------------------------------------------------


def test_an_agent_reads_the_list_without_managing_it(agent_client):
    reply = CannedReplyFactory(title="Recibimos su reporte", body="Hola {nombre}, recibimos {referencia}.")

    response = agent_client.get(LIST)

    assert response.status_code == 200
    assert listed(response) == [reply.pk]
    assert "Hola {nombre}, recibimos {referencia}." in text(response)  # the text as written
    assert "Global: en todos los tickets" in text(response)
    page = response.content.decode()
    assert f'<a href="{LIST}" aria-current="page">Respuestas predefinidas</a>' in page  # the menu's entry
    assert NEW not in page
    assert reverse("workspace:canned-edit", args=[reply.pk]) not in page
    assert reverse("workspace:canned-archive", args=[reply.pk]) not in page


def test_a_coordinator_is_offered_new_edit_and_archive(coordinator_client):
    reply = CannedReplyFactory(title="Recibimos su reporte")
    page = coordinator_client.get(LIST).content.decode()
    assert f'href="{NEW}"' in page
    assert reverse("workspace:canned-edit", args=[reply.pk]) in page
    assert f'action="{reverse("workspace:canned-archive", args=[reply.pk])}"' in page


def test_the_list_searches_words_module_and_archived(agent_client):
    payroll = ModuleFactory(name="Nómina")
    greeting = CannedReplyFactory(title="Recibimos su reporte", body="Hola {nombre}.")
    receipt = CannedReplyFactory(title="Recibo de nómina", body="Descárguelo del portal.", module=payroll)
    old = CannedReplyFactory(title="Recibo anterior", body="Ya no se usa.", is_active=False)

    assert listed(agent_client.get(LIST)) == [greeting.pk, receipt.pk]
    assert listed(agent_client.get(LIST, {"q": "PORTAL"})) == [receipt.pk]
    assert listed(agent_client.get(LIST, {"modulo": payroll.pk})) == [receipt.pk]
    archived = agent_client.get(LIST, {"estado": "archivadas"})
    assert listed(archived) == [old.pk] and "1 respuesta archivada." in text(archived)


def test_a_bad_filter_is_reported_with_400_and_left_out(agent_client):
    reply = CannedReplyFactory()
    response = agent_client.get(LIST, {"estado": "borradas", "q": "x" * 101})
    assert response.status_code == 400
    assert "Algunos filtros no son válidos y no se aplicaron" in text(response)
    assert listed(response) == [reply.pk]


def test_the_list_makes_the_same_number_of_queries_with_one_or_ten_replies(coordinator_client):
    module = ModuleFactory()
    CannedReplyFactory()
    coordinator_client.get(LIST)  # warm up
    counts = []
    for extra in (0, 9):
        for number in range(extra):
            CannedReplyFactory(module=module if number % 2 else None, updated_by=AgentFactory())
        coordinator_client.get(LIST)  # the new agents joined a group: permissions read again
        with CaptureQueriesContext(connection) as queries:
            assert len(listed(coordinator_client.get(LIST))) == 1 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# Who may manage them -------------------------------------------------------------------


def test_a_coordinator_creates_a_reply(coordinator_client, coordinator):
    payroll = ModuleFactory(name="Nómina")
    response = coordinator_client.post(
        NEW, {"title": "Recibo de nómina", "body": "Hola {nombre}: su recibo está en el portal.", "module": payroll.pk}
    )
    assert response.status_code == 302 and response["Location"] == LIST
    reply = CannedReply.objects.get()
    assert (reply.title, reply.body, reply.module, reply.created_by, reply.is_active) == (
        "Recibo de nómina",
        "Hola {nombre}: su recibo está en el portal.",
        payroll,
        coordinator,
        True,
    )
    assert "Respuesta «Recibo de nómina» guardada." in text(coordinator_client.get(LIST))


def test_a_coordinator_edits_archives_and_restores_a_reply(coordinator_client):
    reply = CannedReplyFactory(title="Saludo", body="Hola {nombre}", module=ModuleFactory())
    edit = reverse("workspace:canned-edit", args=[reply.pk])
    assert 'value="Saludo"' in coordinator_client.get(edit).content.decode()

    assert coordinator_client.post(edit, {"title": "Saludo global", "body": "Buen día, {nombre}.", "module": ""}).status_code == 302
    reply.refresh_from_db()
    assert (reply.title, reply.body, reply.module) == ("Saludo global", "Buen día, {nombre}.", None)

    assert coordinator_client.post(reverse("workspace:canned-archive", args=[reply.pk])).status_code == 302
    assert not CannedReply.objects.get(pk=reply.pk).is_active
    # Archiving twice says so, and changes nothing.
    coordinator_client.post(reverse("workspace:canned-archive", args=[reply.pk]))
    assert "La respuesta ya estaba archivada." in text(coordinator_client.get(LIST))
    assert coordinator_client.post(reverse("workspace:canned-restore", args=[reply.pk])).status_code == 302
    assert CannedReply.objects.get(pk=reply.pk).is_active


@pytest.mark.parametrize(
    "method, name, data",
    [
        ("get", "canned-new", None),
        ("post", "canned-new", {"title": "Otra", "body": "Texto"}),
        ("get", "canned-edit", None),
        ("post", "canned-edit", {"title": "Cambiada", "body": "Texto"}),
        ("post", "canned-archive", {}),
        ("post", "canned-restore", {}),
    ],
)
def test_an_agent_may_not_create_edit_or_archive(agent_client, method, name, data):
    reply = CannedReplyFactory(title="Saludo", body="Hola")
    before = state(reply)
    args = [] if name == "canned-new" else [reply.pk]

    response = getattr(agent_client, method)(reverse(f"workspace:{name}", args=args), data)

    assert response.status_code == 403
    assert "Solo los coordinadores administran las respuestas predefinidas." in text(response)
    assert state(reply) == before and CannedReply.objects.count() == 1


@pytest.mark.parametrize("name", ["canned-archive", "canned-restore"])
def test_a_get_never_changes_a_reply(coordinator_client, name):
    reply = CannedReplyFactory(is_active=name == "canned-archive")
    before = state(reply)
    assert coordinator_client.get(reverse(f"workspace:{name}", args=[reply.pk])).status_code == 405
    assert state(reply) == before


def test_the_pages_are_for_agents_only(client):
    reply = CannedReplyFactory()
    assert client.get(LIST).status_code == 302  # to sign in
    client.force_login(UserFactory())
    for address in (LIST, NEW, reverse("workspace:canned-edit", args=[reply.pk])):
        assert client.get(address).status_code == 403


def test_an_unknown_placeholder_is_refused_on_its_field_keeping_the_text(coordinator_client):
    response = coordinator_client.post(NEW, {"title": "Saludo", "body": "Hola {cliente}, su folio {referencia}."})

    assert response.status_code == 400
    shown = text(response)
    assert "No existe el marcador {cliente}: use {nombre}, {referencia}, {agente}, {modulo} o {asunto}" in shown
    assert "Hola {cliente}, su folio {referencia}." in shown  # what was typed stays
    assert not CannedReply.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "", "body": "Hola"}, "Este campo es obligatorio."),
        ({"title": "Saludo", "body": "Hola", "module": "999999"}, "Escoja una opción válida."),
        ({"title": "Saludo", "body": "x" * 5001}, "5000"),
    ],
)
def test_bad_input_is_refused_with_400(coordinator_client, data, message):
    response = coordinator_client.post(NEW, data)
    assert response.status_code == 400
    assert "Revise los campos marcados." in text(response) and message in text(response)
    assert not CannedReply.objects.exists()


def test_the_editor_lists_the_placeholders(coordinator_client):
    shown = text(coordinator_client.get(NEW))
    for name in ("{nombre}", "{referencia}", "{agente}", "{modulo}", "{asunto}"):
        assert name in shown


# The ticket page's picker ----------------------------------------------------------------


@pytest.fixture
def payroll_ticket(agent):
    return TicketFactory(
        requester=ContactFactory(name="Lucía Ortega"),
        module=ModuleFactory(name="Nómina"),
        subject="No llega el recibo",
        reference="INC-000321",
        state=Ticket.State.IN_PROGRESS,
        assignee=agent,
    )


def picker(client, ticket, *, htmx=True, target="reply-canned-results", **params):
    headers = {"HX-Request": "true", "HX-Target": target} if htmx else {}
    return client.get(reverse("workspace:ticket-canned-picker", args=[ticket.pk]), params, headers=headers)


def picked(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [int(pk) for pk in re.findall(r'data-pick-canned="(\d+)"', response.content.decode())]


def test_the_picker_offers_the_replies_filled_for_the_ticket_and_the_agent(agent_client, payroll_ticket):
    receipt = CannedReplyFactory(
        title="Recibo de nómina",
        body="Hola {nombre}:\nSu reporte {referencia} del módulo {modulo} lo atiende {agente}.",
        module=payroll_ticket.module,
    )
    greeting = CannedReplyFactory(title="Acuse", body="Recibimos «{asunto}».")
    CannedReplyFactory(title="De otro módulo", module=ModuleFactory())
    CannedReplyFactory(title="Archivada", is_active=False)

    response = picker(agent_client, payroll_ticket, para="respuesta")

    assert picked(response) == [greeting.pk, receipt.pk]
    page = response.content.decode()
    filled = "Hola Lucía:\nSu reporte INC-000321 del módulo Nómina lo atiende Ana Agente."
    assert f'data-insert="{filled}"' in page
    assert 'data-insert="Recibimos «No llega el recibo»."' in page
    assert page.count('data-insert-into="reply-body"') == 2
    # The buttons wait for the page's script (static/js/ticket.js) to show them.
    assert 'aria-label="Insertar «Recibo de nómina»" hidden>Insertar</button>' in page
    assert "Del módulo Nómina" in text(response) and "Global" in text(response)


def test_the_picker_for_a_note_inserts_into_the_note(agent_client, payroll_ticket):
    CannedReplyFactory(body="Revisado por {agente}.")
    page = picker(agent_client, payroll_ticket, para="nota", target="note-canned-results").content.decode()
    assert 'data-insert="Revisado por Ana Agente."' in page and 'data-insert-into="note-body"' in page


def test_the_picker_escapes_what_it_fills(agent_client, agent):
    ticket = TicketFactory(requester=ContactFactory(name='<b>Ana</b> "x"'), reference="INC-000001")
    CannedReplyFactory(body="Hola {nombre}")
    page = picker(agent_client, ticket, para="respuesta").content.decode()
    assert 'data-insert="Hola &lt;b&gt;Ana&lt;/b&gt;"' in page and "<b>Ana" not in page


def test_the_picker_searches_as_the_agent_types(agent_client, payroll_ticket):
    greeting = CannedReplyFactory(title="Acuse de recibo", body="Recibimos su reporte.")
    capture = CannedReplyFactory(title="Pedir captura", body="¿Nos envía una captura de pantalla?")

    assert picked(picker(agent_client, payroll_ticket, para="respuesta", q="pantalla")) == [capture.pk]
    assert picked(picker(agent_client, payroll_ticket, para="respuesta", q="acuse")) == [greeting.pk]
    nothing = picker(agent_client, payroll_ticket, para="respuesta", q="vacaciones")
    assert picked(nothing) == []
    assert "Ninguna respuesta predefinida de este ticket coincide con «vacaciones»." in text(nothing)


def test_the_picker_shows_five_alphabetically_and_says_there_are_more(agent_client, payroll_ticket):
    replies = [CannedReplyFactory(title=f"Respuesta {number}") for number in (5, 3, 1, 4, 2)]
    exactly = picker(agent_client, payroll_ticket, para="respuesta")
    assert picked(exactly) == [replies[n].pk for n in (2, 4, 1, 3, 0)]
    assert "Hay más respuestas" not in text(exactly)
    CannedReplyFactory(title="Respuesta 0")
    more = picker(agent_client, payroll_ticket, para="respuesta")
    assert len(picked(more)) == 5 and replies[0].pk not in picked(more)
    assert "Hay más respuestas: escriba otra palabra" in text(more)


def test_the_pickers_first_request_brings_its_search_box(agent_client, payroll_ticket):
    CannedReplyFactory(title="Acuse")
    address = reverse("workspace:ticket-canned-picker", args=[payroll_ticket.pk])

    page = picker(agent_client, payroll_ticket, para="respuesta", target="reply-canned-picker").content.decode()

    box = re.search(r'<input type="search" name="q" id="reply-canned-q"[^>]*>', page).group(0)
    assert f'hx-get="{address}?para=respuesta"' in box
    assert 'hx-trigger="input changed delay:300ms, search"' in box
    assert 'hx-target="#reply-canned-results"' in box
    # The box belongs to no form: typing Enter in it never sends the reply around it.
    assert 'form="reply-canned-search"' in box and 'id="reply-canned-search"' not in page
    assert 'id="reply-canned-results" aria-live="polite"' in page
    # A later request (the results box as target) brings the list alone.
    later = picker(agent_client, payroll_ticket, para="respuesta", q="acuse").content.decode()
    assert 'type="search"' not in later and "data-pick-canned" in later


@pytest.mark.parametrize(
    "params, message",
    [
        ({"para": "otro"}, "«para» debe ser «respuesta» o «nota»"),
        ({}, "«para» debe ser «respuesta» o «nota»"),
        ({"para": "respuesta", "q": "x" * 101}, "Escriba menos palabras: hasta 100 caracteres."),
    ],
)
@pytest.mark.parametrize("htmx", [True, False])
def test_the_picker_refuses_bad_input_with_400_in_spanish(agent_client, payroll_ticket, params, message, htmx):
    CannedReplyFactory()
    response = picker(agent_client, payroll_ticket, htmx=htmx, **params)
    assert response.status_code == 400
    assert message in text(response)
    assert "data-pick-canned" not in response.content.decode()


def test_without_javascript_the_picker_is_a_page_with_the_whole_texts_to_copy(agent_client, payroll_ticket):
    CannedReplyFactory(title="Largo", body="Hola {nombre}. " + "Texto largo. " * 30 + "Fin de {referencia}.")

    response = picker(agent_client, payroll_ticket, htmx=False, para="nota", q="largo")

    shown = text(response)
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert "Respuestas predefinidas para una nota interna" in shown
    assert "Hola Lucía. Texto largo." in shown and "Fin de INC-000321." in shown
    assert "copie el que necesite" in shown and "Volver al ticket" in shown
    assert 'value="largo"' in response.content.decode()


def test_the_picker_makes_the_same_number_of_queries_with_one_or_five_replies(agent_client, payroll_ticket):
    CannedReplyFactory(module=payroll_ticket.module)
    picker(agent_client, payroll_ticket, para="respuesta")  # warm up
    counts = []
    for extra in (0, 4):
        for number in range(extra):
            CannedReplyFactory(module=payroll_ticket.module if number % 2 else None)
        picker(agent_client, payroll_ticket, para="respuesta")  # their authors joined a group: permissions read again
        with CaptureQueriesContext(connection) as queries:
            assert len(picked(picker(agent_client, payroll_ticket, para="respuesta"))) == 1 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_picker_changes_nothing_and_refuses_a_post(agent_client, payroll_ticket):
    reply = CannedReplyFactory()
    before = state(reply)
    picker(agent_client, payroll_ticket, para="respuesta")
    posted = agent_client.post(reverse("workspace:ticket-canned-picker", args=[payroll_ticket.pk]), {"para": "nota"})
    assert posted.status_code == 405
    assert state(reply) == before and not payroll_ticket.messages.exists()


def test_the_picker_is_for_agents_only(client, payroll_ticket):
    address = reverse("workspace:ticket-canned-picker", args=[payroll_ticket.pk])
    assert client.get(address, {"para": "nota"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(address, {"para": "nota"}).status_code == 403


@pytest.mark.parametrize(("action", "para"), [("reply", "respuesta"), ("note", "nota")])
def test_the_reply_and_note_forms_carry_the_canned_picker(agent_client, payroll_ticket, action, para):
    page = agent_client.get(
        reverse(f"workspace:ticket-{action}", args=[payroll_ticket.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    address = reverse("workspace:ticket-canned-picker", args=[payroll_ticket.pk])
    assert f'id="{action}-canned-picker" hx-get="{address}?para={para}" hx-trigger="load"' in page
    # Without JavaScript: a link to the picker's page, in another tab.
    assert f'<a href="{address}?para={para}" target="_blank" rel="noopener">' in page


def test_other_actions_with_a_text_carry_no_canned_picker(agent_client, payroll_ticket):
    page = agent_client.get(
        reverse("workspace:ticket-wait-user", args=[payroll_ticket.pk]), headers={"HX-Request": "true"}
    )
    assert page.status_code == 200 and 'name="message"' in page.content.decode()
    assert "canned-picker" not in page.content.decode()
