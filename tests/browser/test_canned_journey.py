"""Canned replies in the browser (docs/workspace.md, «Canned replies»): a coordinator
writes one with placeholders; an agent on a ticket finds it as they type, inserts it into
the reply already filled for the ticket, and sends it. At a desktop's size and a phone's."""

import re

import pytest
from playwright.sync_api import expect

from canned.models import CannedReply
from tests.browser.screens import horizontal_overflow, open_reply, sign_in, watch_console
from tests.factories import ContactFactory, ModuleFactory, TicketFactory
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": (1366, 900), "phone": (375, 740)}

BODY = (
    "Hola {nombre}:\n\n"
    "Su reporte {referencia} del módulo {modulo} ya está en revisión; le escribo en cuanto tenga noticias.\n\n"
    "Saludos,\n{agente}"
)


@pytest.mark.parametrize("size", SIZES)
def test_a_coordinator_writes_a_canned_reply_and_an_agent_sends_it_filled(
    browser, live_server, page, agent, coordinator, accessible, size
):
    width, height = SIZES[size]
    payroll = ModuleFactory(name="Nómina")
    ticket = TicketFactory(
        requester=ContactFactory(name="Lucía Ortega"),
        module=payroll,
        in_progress=True,
        assignee=agent,
        subject="No me llegó el recibo de nómina",
    )
    reference = Ticket.objects.get(pk=ticket.pk).reference

    # The coordinator writes the reply, for the payroll module.
    context = browser.new_context(base_url=live_server.url, locale="es-MX", timezone_id="America/Mexico_City")
    try:
        desk = context.new_page()
        desk.set_default_timeout(15_000)
        desk.set_viewport_size({"width": width, "height": height})
        errors = watch_console(desk)
        sign_in(desk, coordinator.username)
        desk.get_by_role("navigation", name="Espacio de trabajo").get_by_role(
            "link", name="Respuestas predefinidas"
        ).click()
        desk.wait_for_url(re.compile(r"/mesa/respuestas/$"))
        accessible(desk)
        desk.get_by_role("link", name="Nueva respuesta").click()
        desk.wait_for_url(re.compile(r"/mesa/respuestas/nueva/$"))
        accessible(desk)
        assert not horizontal_overflow(desk)
        desk.get_by_label("Título").fill("Recibo de nómina en revisión")
        # A placeholder that does not exist is refused, what was typed kept.
        desk.get_by_label("Texto").fill("Hola {cliente}")
        desk.get_by_role("button", name="Guardar la respuesta").click()
        expect(desk.locator("main")).to_contain_text("No existe el marcador {cliente}")
        expect(desk.get_by_label("Texto")).to_have_value("Hola {cliente}")
        accessible(desk)
        assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
        errors.clear()
        desk.get_by_label("Texto").fill(BODY)
        desk.get_by_label("Módulo").select_option(label="Nómina")
        desk.get_by_role("button", name="Guardar la respuesta").click()
        desk.wait_for_url(re.compile(r"/mesa/respuestas/$"))
        expect(desk.locator("main")).to_contain_text("Respuesta «Recibo de nómina en revisión» guardada.")
        expect(desk.locator(".canned-item")).to_contain_text("Del módulo Nómina")
        accessible(desk)
        assert not horizontal_overflow(desk)
        assert errors == []
    finally:
        context.close()
    saved = CannedReply.objects.get()
    assert (saved.body, saved.module, saved.created_by) == (BODY, payroll, coordinator)

    # The agent finds it on the ticket as they type, and inserts it filled.
    page.set_viewport_size({"width": width, "height": height})
    errors = watch_console(page)
    sign_in(page, agent.username)
    page.goto(f"/mesa/tickets/{ticket.pk}/")
    reply = open_reply(page)
    # The note's form, with its own picker, is the composer's other mode.
    search = page.locator("#accion-reply").get_by_label("Buscar una respuesta predefinida")
    expect(search).to_be_visible()
    results = page.locator("#reply-canned-results")
    expect(results).to_contain_text("Recibo de nómina en revisión")
    accessible(page)
    assert not horizontal_overflow(page)

    search.press_sequentially("nada parecido", delay=30)
    expect(results).to_contain_text("Ninguna respuesta predefinida de este ticket coincide con «nada parecido».")
    search.fill("")
    search.press_sequentially("revisión", delay=30)
    insert = results.get_by_role("button", name="Insertar «Recibo de nómina en revisión»")
    expect(insert).to_be_visible()
    accessible(page)
    # Enter in the search box searches; it never sends the reply around it.
    search.press("Enter")
    expect(insert).to_be_visible()
    assert page.url.endswith(f"/mesa/tickets/{ticket.pk}/") and len(page.context.pages) == 1
    assert not ticket.messages.exists()

    insert.click()

    filled = (
        "Hola Lucía:\n\n"
        f"Su reporte {reference} del módulo Nómina ya está en revisión; le escribo en cuanto tenga noticias.\n\n"
        "Saludos,\nAna Agente"
    )
    expect(reply).to_have_value(filled)
    expect(reply).to_be_focused()
    accessible(page)

    page.get_by_role("button", name="Enviar la respuesta").click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{ticket.pk}/$"))
    expect(page.locator(".timeline")).to_contain_text(f"Su reporte {reference} del módulo Nómina ya está en revisión")
    expect(page.locator(".timeline")).to_contain_text("Hola Lucía:")
    accessible(page)
    assert not horizontal_overflow(page)
    # The browser sends the text's line breaks as "\r\n"; the message keeps them so.
    assert ticket.messages.get(kind=Message.Kind.PUBLIC_REPLY).body.replace("\r\n", "\n") == filled
    assert errors == []
