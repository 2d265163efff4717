"""The ticket page, conversation first (docs/workspace.md, «The ticket page»), in the
browser at 1366×900 and at 375×740: with fifteen messages the reply box is in view on
load, nothing overflows sideways, the history toggle hides the history rows (and the
browser remembers it), the «Más acciones» menu works by keyboard, the side column folds
on a phone, and an agent replies from the composer and sees the message at the top."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import ModuleFactory
from tickets.models import Message, Ticket
from tickets.services import record_change, ticket_open, ticket_take

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "clave-segura-123"
SIZES = [pytest.param(1366, 900, id="1366x900"), pytest.param(375, 740, id="375x740")]


def sign_in(page, username):
    page.goto("/entrar/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/mesa/$"))


def busy_ticket(agent, requester) -> Ticket:
    """A ticket opened and taken a day ago, then fifteen messages, one an hour (the three
    kinds in turn), and a change of priority."""
    start = timezone.now() - datetime.timedelta(hours=20)
    with time_machine.travel(start, tick=False):
        ticket = _opened_and_taken(agent, requester)
    kinds = [Message.Kind.FROM_REQUESTER, Message.Kind.PUBLIC_REPLY, Message.Kind.INTERNAL_NOTE]
    for number in range(15):
        kind = kinds[number % 3]
        Message.objects.create(
            ticket=ticket,
            kind=kind,
            author=None if kind == Message.Kind.FROM_REQUESTER else agent,
            body=f"Mensaje {number + 1}: revisamos el cálculo de la quincena y el archivo de incidencias del periodo.",
            created_at=start + datetime.timedelta(hours=number + 1),
        )
    record_change(ticket=ticket, actor=agent, field="priority", old=3, new=4)
    return ticket


def _opened_and_taken(agent, requester) -> Ticket:
    ticket = ticket_open(
        requester=requester,
        subject="El sistema de nómina no calcula las horas extra de la segunda quincena",
        description="Desde la actualización del lunes las horas extra salen en cero.\nAdjunto el reporte.",
        channel=Ticket.Channel.WEB,
        module=ModuleFactory(name="Nómina"),
        notify=False,
    )
    return ticket_take(ticket=ticket, agent=agent)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_composer_is_in_view_on_load_and_the_history_toggles(page, agent, requester, accessible, width, height):
    ticket = busy_ticket(agent, requester)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, agent.username)

    page.goto(f"/mesa/tickets/{ticket.pk}/")
    page.wait_for_load_state("networkidle")

    # The reply box, whole, in the window on load: no scrolling past anything.
    reply = page.locator('textarea[data-shortcut="reply"]')
    expect(reply).to_be_visible()
    box = reply.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert page.evaluate("window.scrollY") == 0
    # The newest message comes right under the composer.
    expect(page.locator(".timeline [data-message]").first).to_contain_text("Mensaje 15")
    assert no_horizontal_overflow(page)
    # The side column folds on a phone (below the conversation); it stays open on a laptop.
    assert page.locator("details#datos").evaluate("d => d.open") is (width > 860)
    accessible(page)

    # History rows show, quieter; unticked they hide, the messages stay.
    history = page.locator(".timeline .entry.change")
    assert history.count() >= 3  # created, taken, priority
    expect(history.first).to_be_visible()
    toggle = page.get_by_label("Mostrar el historial")
    toggle.uncheck()
    for row in history.all():
        expect(row).to_be_hidden()
    expect(page.locator(".timeline [data-message]").first).to_be_visible()
    # This browser remembers the choice.
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Mostrar el historial")).not_to_be_checked()
    expect(history.first).to_be_hidden()
    accessible(page)
    page.get_by_label("Mostrar el historial").check()
    expect(history.first).to_be_visible()

    # The note: the other mode of the composer.
    page.locator('label[for="composer-note"]').click()
    note = page.locator('textarea[data-shortcut="note"]')
    expect(note).to_be_visible()
    expect(reply).to_be_hidden()
    assert no_horizontal_overflow(page)
    accessible(page)

    # The menu, by keyboard: it opens, and an action in it loads its form when opened.
    menu = page.locator("#mas-acciones")
    menu.locator("> summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    wait_user = page.locator("#accion-wait-user > summary")
    wait_user.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#wait-user-message")).to_be_visible()
    assert no_horizontal_overflow(page)
    accessible(page)
    assert errors == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_agent_replies_from_the_composer_and_sees_the_message_first(page, agent, requester, accessible, width, height):
    ticket = busy_ticket(agent, requester)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, agent.username)
    page.goto(f"/mesa/tickets/{ticket.pk}/")

    page.get_by_label("Respuesta al solicitante").fill("Ya corregimos la fórmula: vuelva a calcular la quincena.")
    page.get_by_role("button", name="Enviar la respuesta").click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{ticket.pk}/$"))

    newest = page.locator(".timeline [data-message]").first
    expect(newest).to_contain_text("Ya corregimos la fórmula: vuelva a calcular la quincena.")
    expect(newest).to_contain_text("Respuesta al solicitante")
    # Back to an empty composer, in view.
    expect(page.locator('textarea[data-shortcut="reply"]')).to_have_value("")
    assert no_horizontal_overflow(page)
    accessible(page)
    assert ticket.messages.filter(kind=Message.Kind.PUBLIC_REPLY, body__startswith="Ya corregimos").exists()


def test_without_javascript_the_composer_and_the_history_toggle_still_work(browser, live_server, agent, requester):
    ticket = busy_ticket(agent, requester)
    context = browser.new_context(
        base_url=live_server.url, locale="es-MX", timezone_id="America/Mexico_City", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 375, "height": 740})
        sign_in(page, agent.username)
        page.goto(f"/mesa/tickets/{ticket.pk}/")

        reply = page.locator('textarea[data-shortcut="reply"]')
        box = reply.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 740, box
        # The tabs are radio buttons: the stylesheet shows the chosen mode's form.
        page.locator('label[for="composer-note"]').click()
        expect(page.locator('textarea[data-shortcut="note"]')).to_be_visible()
        expect(reply).to_be_hidden()
        # The history shows, and unticking hides it.
        history = page.locator(".timeline .entry.change")
        expect(history.first).to_be_visible()
        page.get_by_label("Mostrar el historial").uncheck()
        expect(history.first).to_be_hidden()
        # Nothing folds the side column: its sections stay open.
        assert page.locator("details#datos").evaluate("d => d.open") is True
        assert no_horizontal_overflow(page)
        # The menu's actions open as pages of their own.
        page.locator("#mas-acciones > summary").click()
        page.locator("#accion-wait-user > summary").click()
        page.locator("#accion-wait-user").get_by_role("link", name="Abrir el formulario").click()
        page.wait_for_url(re.compile(rf"/mesa/tickets/{ticket.pk}/pendiente-usuario/$"))
        expect(page.locator("#wait-user-message")).to_be_visible()
    finally:
        context.close()
