"""The pages the other journeys do not pass through, each checked with axe-core once it
settled: an agent registers a phone call, a requester follows their ticket from the
emailed link and answers, and the pages that refuse (a bad link, no access, bad input)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tickets.links import requester_url
from tickets.models import Message, Ticket
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username):
    page.goto("/entrar/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()


def test_agent_registers_a_phone_call_for_a_contact_found_by_name(page, agent, requester, accessible):
    requester.name = "Lucía Hernández"
    requester.save(update_fields=["name"])
    sign_in(page, agent.username)
    page.wait_for_url(re.compile(r"/mesa/$"))
    page.get_by_role("link", name="Registrar llamada").click()
    page.wait_for_url(re.compile(r"/mesa/llamada/$"))
    accessible(page)

    # The contacts arrive as the name is typed.
    page.get_by_label("Buscar por nombre, correo u organización").fill("Lucía")
    contact = page.get_by_role("radio", name=re.compile("Lucía Hernández"))
    expect(contact).to_be_visible()
    accessible(page)

    # Sent without a subject: the form comes back saying what is missing, the contact still chosen.
    contact.check()
    page.get_by_label("Descripción").fill("No abre el sistema de nómina desde las 8.")
    page.get_by_role("button", name="Registrar la llamada").click()
    expect(page.get_by_text("Escriba un asunto breve.")).to_be_visible()
    assert page.get_by_role("radio", name=re.compile("Lucía Hernández")).is_checked()
    # The new contact's part, opened, is checked too.
    page.locator("summary", has_text="Quien llama no está en el directorio").click()
    accessible(page)

    page.get_by_label("Asunto").fill("No abre el sistema de nómina")
    page.get_by_role("button", name="Registrar la llamada").click()
    page.wait_for_url(re.compile(r"/mesa/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel, ticket.subject) == (requester, Ticket.Channel.PHONE, "No abre el sistema de nómina")
    expect(page.locator("h1")).to_have_text("No abre el sistema de nómina")
    # «Dejar sin asignar» was left unticked: the call is the agent's, in progress.
    assert (ticket.state, ticket.assignee) == (Ticket.State.IN_PROGRESS, agent)
    expect(page.locator("main")).to_contain_text("a su cargo: está En proceso")


def test_requester_follows_the_ticket_from_the_email_and_answers(page, live_server, requester, settings, accessible):
    settings.HELPDESK_BASE_URL = live_server.url  # the emailed link points at this server
    ticket = ticket_open(requester=requester, subject="No se pueden timbrar facturas",
                         description="Error 500 al timbrar", channel=Ticket.Channel.WEB)
    page.goto(str(requester_url(ticket)))
    accessible(page)
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"**/seguimiento/{ticket.reference}/")
    expect(page.locator("h1")).to_have_text("No se pueden timbrar facturas")
    accessible(page)

    # An empty answer is refused, saying so beside the field.
    page.get_by_role("button", name="Enviar mensaje").click()
    expect(page.locator(".notice.error")).to_contain_text("su mensaje no se ha enviado todavía")
    accessible(page)

    page.get_by_label("Su mensaje").fill("Sigue fallando con la factura 1234.")
    page.get_by_role("button", name="Enviar mensaje").click()
    expect(page.locator(".messages")).to_contain_text("Recibimos su mensaje.")
    expect(page.locator(".conversation")).to_contain_text("Sigue fallando con la factura 1234.")
    accessible(page)
    assert ticket.messages.filter(kind=Message.Kind.FROM_REQUESTER, body="Sigue fallando con la factura 1234.").exists()


def test_the_pages_that_refuse_say_why(page, requester, accessible):
    ticket = ticket_open(requester=requester, subject="No se pueden timbrar facturas",
                         description="Error 500 al timbrar", channel=Ticket.Channel.WEB)

    # A link copied incomplete.
    page.goto("/seguimiento/no-es-un-enlace/")
    expect(page.locator("h1")).to_have_text("Enlace no válido")
    accessible(page)
    # The ticket's page in a browser that never opened its link: a new link can be asked for.
    page.goto(f"/seguimiento/{ticket.reference}/")
    expect(page.get_by_role("button", name="Enviarme un enlace nuevo")).to_be_visible()
    accessible(page)
    # A survey that does not exist for this browser.
    page.goto(f"/encuesta/{ticket.reference}/")
    expect(page.locator("h1")).to_have_text("Enlace no válido")
    expect(page.locator("main")).to_contain_text("No encontramos la página de este enlace")
    accessible(page)
    # A character that cannot be stored, pasted into the address.
    page.goto("/reportar/?asunto=%00")
    expect(page.locator("h1")).to_have_text("No se pudo atender la petición")
    accessible(page)

    # A wrong password, then an account that is not an agent's.
    clerk = UserFactory(username="rosa")
    page.goto("/entrar/")
    page.get_by_label("Usuario").fill(clerk.username)
    page.get_by_label("Contraseña").fill("otra-clave")
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("alert")).to_be_visible()
    accessible(page)
    page.get_by_label("Contraseña").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.goto("/mesa/")
    expect(page.locator("h1")).to_have_text("Sin acceso")
    accessible(page)
