"""The keyboard alone (docs/workspace.md, «Keyboard shortcuts»): an agent goes down the
queue with j / k, opens a ticket with Enter, takes it, answers with r and solves it by Tab
and Enter; "?" lists the shortcuts in a dialog that Escape closes, giving the focus back;
the shortcuts keep out of the way while typing and can be turned off (WCAG 2.1.4). On a
laptop (1366×900) and a phone (375×740), axe clean at every step."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.screens import SIZES, sign_in, watch_console
from tests.factories import TicketFactory
from tickets.models import Impact, Message, Priority, Ticket, Urgency

pytestmark = pytest.mark.django_db(transaction=True)


def focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, target, *, limit=120):
    """Press Tab until `target` has the focus, as a keyboard user walks a page."""
    expect(target).to_be_attached()
    for _ in range(limit):
        if focused(target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_an_agent_works_a_ticket_from_the_queue_to_solved_with_the_keyboard(page, agent, accessible, size):
    page.set_viewport_size(size)
    # Classified already (a module, an assessed impact): solving asks only the solution and its code.
    urgent = TicketFactory.numbered(
        subject="No se pueden timbrar facturas", urgency=Urgency.HIGH, impact=Impact.HIGH, priority=Priority.CRITICAL
    )
    later = TicketFactory.numbered(subject="Duda sobre un reporte", priority=Priority.LOW)
    errors = watch_console(page)
    sign_in(page, agent.username)

    # j / k mark a row and focus its link; x chooses the marked row for a bulk action.
    rows = page.locator("#queue-rows tr.queue-row")
    first, second = rows.filter(has_text=urgent.reference), rows.filter(has_text=later.reference)
    page.keyboard.press("j")
    expect(first).to_have_class(re.compile(r"\bis-marked\b"))
    expect(first.get_by_role("link", name=urgent.reference)).to_be_focused()
    page.keyboard.press("j")
    expect(second).to_have_class(re.compile(r"\bis-marked\b"))
    expect(first).not_to_have_class(re.compile(r"\bis-marked\b"))
    expect(second.get_by_role("link", name=later.reference)).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name=f"Elegir {later.reference}")).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 seleccionado")
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name=f"Elegir {later.reference}")).not_to_be_checked()
    page.keyboard.press("k")
    expect(first.get_by_role("link", name=urgent.reference)).to_be_focused()
    accessible(page)

    # "?" lists the shortcuts; Escape closes the list and the focus is back where it was.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Atajos de teclado")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Marcar el ticket siguiente")
    accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(first.get_by_role("link", name=urgent.reference)).to_be_focused()

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/mesa/tickets/{urgent.pk}/")
    accessible(page)

    # Take it: Tab to «Tomar», Enter.
    tab_to(page, page.get_by_role("button", name="Tomar", exact=True))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("En proceso")

    # r: the reply box, unfolded if need be, takes the focus; Tab to the button, Enter.
    page.keyboard.press("r")
    reply = page.get_by_label("Respuesta al solicitante")
    expect(reply).to_be_focused()
    expect(reply).to_have_value("")  # the key was a shortcut, not a letter of the reply
    page.keyboard.type("Estamos revisando el timbrado; le aviso en cuanto quede.")
    accessible(page)
    tab_to(page, page.get_by_role("button", name="Enviar la respuesta"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Estamos revisando el timbrado")

    # n: the internal note's box, the same way.
    page.keyboard.press("n")
    note = page.get_by_role("textbox", name="Nota interna")
    expect(note).to_be_focused()
    expect(note).to_have_value("")

    # Solve: Tab to «Solucionar», Enter unfolds it; the solution, a code, Enter.
    tab_to(page, page.locator("summary", has_text="Solucionar"))
    page.keyboard.press("Enter")
    solution = page.locator("#solve-solution")
    tab_to(page, solution)
    page.keyboard.type("Se renovó el certificado de sello digital y el timbrado volvió a funcionar.")
    code = page.locator("#solve-resolution_code")
    tab_to(page, code)
    page.keyboard.press("ArrowDown")
    expect(code).to_have_value(Ticket.ResolutionCode.RESOLVED)
    accessible(page)
    tab_to(page, page.get_by_role("button", name="Enviar la solución"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Solucionado")
    accessible(page)

    urgent.refresh_from_db()
    assert (urgent.state, urgent.assignee) == (Ticket.State.SOLVED, agent)
    assert urgent.messages.filter(kind=Message.Kind.PUBLIC_REPLY, author=agent, body__startswith="Estamos").exists()
    assert errors == []  # no script or CSP errors on the way


def test_the_shortcuts_keep_out_of_the_way_while_typing_and_can_be_turned_off(page, agent, accessible):
    page.set_viewport_size(SIZES["escritorio"])
    ticket = TicketFactory.numbered(subject="Sin acceso a la VPN")
    sign_in(page, agent.username)
    row = page.locator("#queue-rows tr.queue-row", has_text=ticket.reference)

    # Typing in a field: the letters are the field's.
    search = page.get_by_label("Buscar", exact=True)
    tab_to(page, search)
    page.keyboard.type("jk?")
    expect(search).to_have_value("jk?")
    expect(row).not_to_have_class(re.compile(r"\bis-marked\b"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    # Nor with Ctrl, Alt or Meta.
    search.evaluate("element => element.blur()")
    page.keyboard.press("Control+j")
    expect(row).not_to_have_class(re.compile(r"\bis-marked\b"))

    # Turned off in the list (opened by its button): single keys do nothing, even after a reload.
    opener = page.get_by_role("button", name="Atajos de teclado")
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Atajos de teclado")
    expect(dialog).to_be_visible()
    setting = dialog.get_by_label("Usar los atajos de una sola tecla")
    expect(setting).to_be_checked()
    tab_to(page, setting)
    page.keyboard.press("Space")
    expect(setting).not_to_be_checked()
    accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.reload()
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(row).not_to_have_class(re.compile(r"\bis-marked\b"))
    expect(page.get_by_role("dialog", name="Atajos de teclado")).to_be_hidden()

    # And on again; «Cerrar» gives the focus back too.
    opener = page.get_by_role("button", name="Atajos de teclado")
    opener.click()
    dialog = page.get_by_role("dialog", name="Atajos de teclado")
    dialog.get_by_label("Usar los atajos de una sola tecla").check()
    dialog.get_by_role("button", name="Cerrar").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    opener.evaluate("element => element.blur()")
    page.keyboard.press("j")
    expect(row).to_have_class(re.compile(r"\bis-marked\b"))
    # Enter opens the marked row even when the focus has left its link.
    page.locator("h1").click()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/mesa/tickets/{ticket.pk}/")
