"""A requester reports an incident through the public form, with a screenshot."""


import pytest
from playwright.sync_api import expect

from tests.factories import ContactFactory, ModuleFactory, SupportPolicyFactory
from tests.files import PNG
from tickets.models import Attachment, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_requester_reports_with_a_screenshot_and_reads_the_reference(page, accessible):
    policy = SupportPolicyFactory()
    ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)
    ModuleFactory(name="Facturación")

    page.goto("/")
    accessible(page)
    page.get_by_role("link", name="Reportar una incidencia").click()
    page.wait_for_url("**/reportar/")
    accessible(page)
    # Sent empty, the form comes back with its errors beside each field.
    page.get_by_role("button", name="Enviar").click()
    page.wait_for_load_state()
    expect(page.locator(".field-error").first).to_be_visible()
    accessible(page)
    page.get_by_label("Nombre").fill("Lucía Hernández")
    page.get_by_label("Correo electrónico").fill("lucia@cliente.example.mx")
    page.get_by_label("Módulo involucrado").select_option(label="Facturación")
    page.get_by_label("Alta").check()
    page.get_by_label("Asunto").fill("No se pueden timbrar facturas")
    page.get_by_label("Descripción").fill("Al timbrar aparece «Error 500».")
    page.get_by_label("Archivos").set_input_files(
        [{"name": "pantalla.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Enviar").click()

    page.wait_for_url("**/reportar/enviado/**")
    ticket = Ticket.objects.get()
    assert page.locator(".reference").inner_text() == ticket.reference
    accessible(page)
    assert "Recibimos su reporte" in page.content()
    assert "pantalla.png" in page.locator(".files").inner_text()
    assert ticket.state == Ticket.State.OPEN and ticket.urgency == 3
    assert Attachment.objects.get().original_name == "pantalla.png"


def test_an_oversized_file_is_refused_in_the_browser_before_sending(page, settings, accessible):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1024
    page.goto("/reportar/")
    page.get_by_label("Asunto").fill("Se cae el timbrado")
    page.get_by_label("Archivos").set_input_files(
        [{"name": "registro.log", "mimeType": "text/plain", "buffer": b"a" * 2048}]
    )
    error = page.locator(".upload-errors .field-error")
    assert error.inner_text() == "El archivo «registro.log» pesa más de 1 KB, el máximo por archivo."
    accessible(page)
    page.get_by_role("button", name="Enviar").click()
    # Nothing left the page: the typed subject is still there and no ticket exists.
    assert page.url.endswith("/reportar/")
    assert page.get_by_label("Asunto").input_value() == "Se cae el timbrado"
    assert Ticket.objects.count() == 0
