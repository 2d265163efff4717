"""An agent's day in the browser, without the admin: sign in, find the most urgent
ticket at the top of the queue, take it, answer the requester, solve it."""

import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutgoingEmail
from tests.browser.screens import open_reply
from tests.factories import ContactFactory, ModuleFactory, SupportPolicyFactory
from tickets.models import Message, Ticket
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_takes_the_top_ticket_replies_and_solves_it(page, agent, accessible):
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    module = ModuleFactory(name="Facturación")
    now = timezone.now()
    with time_machine.travel(now - timezone.timedelta(hours=5), tick=False):
        ticket_open(requester=requester, subject="Duda sobre un reporte", description="¿Dónde está?",
                    channel=Ticket.Channel.EMAIL, module=module)
    with time_machine.travel(now - timezone.timedelta(hours=1), tick=False):
        urgent = ticket_open(requester=requester, subject="No se pueden timbrar facturas",
                             description="Error 500 al timbrar", channel=Ticket.Channel.WEB, module=module, urgency=3)
    precedent = ticket_open(requester=requester, subject="No se pueden timbrar facturas desde la sucursal",
                            description="Error al timbrar", channel=Ticket.Channel.PHONE, module=module)
    Ticket.objects.filter(pk=precedent.pk).update(
        state=Ticket.State.CLOSED, solution="Se renovó el certificado del PAC.",
        resolution_code=Ticket.ResolutionCode.RESOLVED, solved_at=now, closed_at=now,
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/entrar/")
    accessible(page)
    page.get_by_label("Usuario").fill(agent.username)
    page.get_by_label("Contraseña").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/mesa/$"))

    # The most urgent ticket is first, though it is the newest.
    first_row = page.locator("table tbody tr").first
    assert urgent.reference in first_row.inner_text()
    accessible(page)
    # Filtered by module: the filters stay shown with their choice.
    page.get_by_label("Módulo").select_option(label="Facturación")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_url(re.compile(r"/mesa/\?.*modulo="))
    first_row = page.locator("table tbody tr").first
    assert urgent.reference in first_row.inner_text()
    accessible(page)
    first_row.get_by_role("link", name=urgent.reference).click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{urgent.pk}/$"))
    # The guidance, with its similar solved tickets, arrives once the page is shown.
    expect(page.locator("#similar-tickets")).to_contain_text(precedent.reference)
    expect(page.locator("#similar-tickets")).to_contain_text("Se renovó el certificado del PAC.")
    accessible(page)

    page.get_by_role("button", name="Tomar").click()
    page.wait_for_load_state()
    assert "En proceso" in page.locator("main").inner_text()

    reply = open_reply(page)
    accessible(page)
    reply.fill("Estamos revisando el timbrado; le aviso en cuanto quede.")
    page.get_by_role("button", name="Enviar la respuesta").click()
    page.wait_for_load_state()
    assert "Estamos revisando el timbrado" in page.locator("main").inner_text()

    page.locator("summary", has_text="Solucionar").click()
    expect(page.locator("#solve-solution")).to_be_visible()
    accessible(page)
    page.locator("#solve-solution").fill("Se renovó el certificado de sello digital y el timbrado volvió a funcionar.")
    page.locator("#solve-resolution_code").select_option(label="Resuelto")
    # Its impact was never assessed: solving asks it (the reports break down by it).
    page.locator("#solve-impact").select_option(label="Alto")
    page.get_by_role("button", name="Enviar la solución").click()
    page.wait_for_load_state()
    assert "Solucionado" in page.locator("main").inner_text()
    accessible(page)

    urgent.refresh_from_db()
    assert urgent.state == Ticket.State.SOLVED and urgent.assignee == agent
    assert urgent.messages.filter(kind=Message.Kind.PUBLIC_REPLY, author=agent).exists()
    # The requester was written to: the acknowledgement, the reply and the solution.
    templates = set(OutgoingEmail.objects.filter(ticket=urgent).values_list("template", flat=True))
    assert {"ticket_received", "ticket_reply", "ticket_solved"} <= templates
    assert errors == []  # no script or CSP errors on the way
