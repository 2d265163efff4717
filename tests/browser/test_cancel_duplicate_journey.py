"""An agent (not a coordinator) cancels a ticket as a duplicate of another, in the browser,
at a desktop's and a phone's width: the cancel form offers them the duplicate alone
(docs/process.md, «Who may do what»), asks for the original's reference and a
confirmation, and afterwards each ticket links the other. The form is driven on the
action's own page (/mesa/tickets/<pk>/cancelar/, what the ticket page's link opens
without JavaScript), by its labels."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.screens import horizontal_overflow, sign_in, watch_console
from tests.factories import ContactFactory, ModuleFactory, SupportPolicyFactory
from tickets.models import Ticket
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRMATION = "Confirmo que quiero cancelar este ticket: el solicitante recibe un aviso y el ticket deja de atenderse."


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (375, 740)])
def test_an_agent_cancels_a_duplicate_and_both_tickets_link_each_other(page, agent, accessible, width, height):
    page.set_viewport_size({"width": width, "height": height})
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, is_authorized=True, email="ines@cliente.example.mx")
    module = ModuleFactory(name="Red")
    original = ticket_open(
        requester=requester,
        subject="Sin internet en la sucursal Centro",
        description="Desde las 9 no hay conexión en ninguna computadora.",
        channel=Ticket.Channel.PHONE,
        module=module,
    )
    repeated = ticket_open(
        requester=requester,
        subject="La sucursal Centro no tiene internet",
        description="No hay conexión desde la mañana.",
        channel=Ticket.Channel.EMAIL,
        module=module,
    )
    errors = watch_console(page)

    sign_in(page, agent.username)

    page.goto(f"/mesa/tickets/{repeated.pk}/")
    expect(page.locator("main")).to_contain_text(repeated.reference)
    page.wait_for_load_state("networkidle")  # the parts the page loads after itself
    accessible(page)
    assert not horizontal_overflow(page)

    # The cancel action's own page: for an agent, Duplicado is the only reason.
    page.goto(f"/mesa/tickets/{repeated.pk}/cancelar/")
    reason = page.get_by_label("Motivo")
    expect(reason).to_have_value(Ticket.CancelReason.DUPLICATE)
    assert reason.locator("option").all_inner_texts() == ["Duplicado"]
    accessible(page)
    assert not horizontal_overflow(page)

    # Without the confirmation nothing happens, and what was typed stays.
    page.get_by_label("Referencia del ticket original").fill(original.reference.lower())
    page.get_by_label("Explicación").fill("Es el mismo corte de la sucursal Centro.")
    page.get_by_role("button", name="Cancelar el ticket").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Marque la casilla para confirmar que quiere cancelar el ticket.")
    expect(page.get_by_label("Referencia del ticket original")).to_have_value(original.reference.lower())
    expect(page.get_by_label("Explicación")).to_have_value("Es el mismo corte de la sucursal Centro.")
    repeated.refresh_from_db()
    assert repeated.state == Ticket.State.OPEN
    accessible(page)
    assert not horizontal_overflow(page)

    # Confirmed: cancelled as a duplicate, linked to the original.
    page.get_by_label(CONFIRMATION).check()
    page.get_by_role("button", name="Cancelar el ticket").last.click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{repeated.pk}/$"))
    main = page.locator("main")
    expect(main).to_contain_text(
        f"El ticket {repeated.reference} quedó cancelado como duplicado de {original.reference}."
    )
    expect(main).to_contain_text("Cancelado")
    expect(main).to_contain_text("Duplicado de")
    page.wait_for_load_state("networkidle")
    accessible(page)
    assert not horizontal_overflow(page)
    repeated.refresh_from_db()
    assert (repeated.state, repeated.cancel_reason, repeated.duplicate_of) == (
        Ticket.State.CANCELLED,
        Ticket.CancelReason.DUPLICATE,
        original,
    )

    # The original lists it. (On a phone the side column's sections start folded: open «Datos del ticket».)
    data = page.locator("details#datos")
    if not data.evaluate("d => d.open"):
        data.locator("> summary").click()
    data.locator(f'a[href="/mesa/tickets/{original.pk}/"]', has_text=original.reference).click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{original.pk}/$"))
    expect(page.locator("main")).to_contain_text("Cancelados como duplicados de este ticket")
    data = page.locator("details#datos")
    if not data.evaluate("d => d.open"):
        data.locator("> summary").click()
    expect(data.locator(f'a[href="/mesa/tickets/{repeated.pk}/"]', has_text=repeated.reference)).to_be_visible()
    page.wait_for_load_state("networkidle")
    accessible(page)
    assert not horizontal_overflow(page)
    # No script or CSP error on the way; the refused post's 400 is the browser's only complaint.
    assert [text for text in errors if "status of 400" not in text] == []
