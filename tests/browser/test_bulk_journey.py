"""Bulk actions in the browser (docs/workspace.md, «Bulk actions»): an agent chooses three
tickets of the queue, takes them at once and finds them in «Mis tickets»; the bar counts
the chosen rows, «choose all» chooses the page's, and the queue's refresh keeps the
choice. On a laptop (1366×900) and a phone (375×740), axe clean at every step."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.screens import SIZES, horizontal_overflow, sign_in, watch_console
from tests.factories import TicketFactory
from tickets.models import Priority, Ticket
from tickets.services import ticket_take

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_an_agent_takes_three_tickets_at_once_and_finds_them_in_mis_tickets(page, agent, accessible, size):
    page.set_viewport_size(size)
    chosen = [TicketFactory.numbered(subject=f"No timbra la sucursal {n}", priority=Priority.HIGH) for n in (1, 2, 3)]
    left = TicketFactory.numbered(subject="Duda sobre un reporte", priority=Priority.LOW)
    errors = watch_console(page)

    sign_in(page, agent.username)
    count = page.locator("#bulk-count")
    expect(count).to_have_text("Ningún ticket seleccionado")
    accessible(page)
    assert not horizontal_overflow(page)

    # Nothing chosen: a page that says so, nothing changed, and the way back.
    page.get_by_label("Acción").select_option(label="Tomar")
    with page.expect_navigation():
        page.get_by_role("button", name="Aplicar").click()
    expect(page.get_by_role("heading", name="No se aplicó la acción a los tickets")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Elija al menos un ticket de la cola.")
    accessible(page)
    assert not horizontal_overflow(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Volver a la cola").click()

    for ticket in chosen:
        page.get_by_role("checkbox", name=f"Elegir {ticket.reference}").check()
    expect(count).to_have_text("3 seleccionados")
    all_on_page = page.get_by_role("checkbox", name="Elegir todos los tickets de esta página")
    assert all_on_page.evaluate("box => box.indeterminate")  # three of the four
    accessible(page)

    page.get_by_label("Acción").select_option(label="Tomar")
    with page.expect_navigation():
        page.get_by_role("button", name="Aplicar").click()
    references = ", ".join(t.reference for t in chosen)
    expect(page.locator("main")).to_contain_text(f"Usted tomó 3 tickets: {references}.")
    accessible(page)

    page.get_by_role("link", name="Mis tickets").click()
    page.wait_for_url(re.compile(r"vista=mios"))
    rows = page.locator("#queue-rows tr.queue-row")
    expect(rows).to_have_count(3)
    for ticket in chosen:
        expect(rows.filter(has_text=ticket.reference)).to_contain_text("En proceso")
    expect(rows.filter(has_text=left.reference)).to_have_count(0)
    accessible(page)
    assert not horizontal_overflow(page)

    assert set(Ticket.objects.filter(assignee=agent).values_list("pk", flat=True)) == {t.pk for t in chosen}
    assert Ticket.objects.get(pk=left.pk).state == Ticket.State.OPEN
    # No script or CSP errors on the way; the browser logs the refused request's 400 itself.
    assert [e for e in errors if "status of 400" not in e] == []


def test_choosing_all_survives_the_refresh_and_a_ticket_taken_meanwhile_is_reported(
    page, agent, other_agent, accessible
):
    page.set_viewport_size(SIZES["escritorio"])
    tickets = [TicketFactory.numbered(subject=f"Sin acceso a la VPN {n}") for n in (1, 2, 3)]

    sign_in(page, agent.username)
    page.get_by_role("checkbox", name="Elegir todos los tickets de esta página").check()
    count = page.locator("#bulk-count")
    expect(count).to_have_text("3 seleccionados")

    # The queue's refresh (every 30 s; asked now) replaces the rows: the choice stays.
    page.evaluate(
        "() => new Promise(done => { document.body.addEventListener('htmx:afterSettle', () => done(), {once: true});"
        " htmx.ajax('GET', location.pathname + location.search, {target: '#queue-rows', swap: 'outerHTML'}); })"
    )
    for ticket in tickets:
        expect(page.get_by_role("checkbox", name=f"Elegir {ticket.reference}")).to_be_checked()
    expect(count).to_have_text("3 seleccionados")
    expect(page.get_by_role("checkbox", name="Elegir todos los tickets de esta página")).to_be_checked()
    accessible(page)

    # Someone else takes one before the agent applies: the other two are taken, that one is named.
    ticket_take(ticket=tickets[1], agent=other_agent)
    page.get_by_label("Acción").select_option(label="Tomar")
    with page.expect_navigation():
        page.get_by_role("button", name="Aplicar").click()
    messages = page.locator("main")  # the messages come first in it
    expect(messages).to_contain_text(f"Usted tomó 2 tickets: {tickets[0].reference}, {tickets[2].reference}.")
    expect(messages).to_contain_text(
        f"{tickets[1].reference} no se pudo tomar: El ticket {tickets[1].reference} ya fue tomado por Beto Agente."
    )
    accessible(page)
    assert Ticket.objects.get(pk=tickets[1].pk).assignee == other_agent
