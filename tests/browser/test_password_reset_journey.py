"""An agent who forgot their password sets a new one from the sign-in page, on a laptop
and on a phone: the link on the sign-in page, the request, the email from the outbox,
its link, the new password, and signing in with it (docs/security.md, «Sign-in»). Axe
on every state."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import OutgoingEmail
from tests.browser.screens import SIZES, horizontal_overflow, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Nueva-clave-de-Ana-2025"


def settled(page, accessible, name):
    accessible(page)
    assert horizontal_overflow(page) == 0, page.url
    screenshot(page, name)


@pytest.mark.parametrize("size", SIZES)
def test_an_agent_sets_a_new_password_from_the_emailed_link(page, live_server, settings, agent, accessible, size):
    settings.HELPDESK_BASE_URL = live_server.url  # the emailed link points at this server
    page.set_viewport_size(SIZES[size])

    page.goto("/entrar/")
    page.get_by_role("link", name="¿Olvidó su contraseña?").click()
    expect(page.locator("h1")).to_have_text("¿Olvidó su contraseña?")
    settled(page, accessible, f"contrasena-1-pedir-{size}")

    # An address that is not an email: said beside the field.
    page.get_by_label("Correo electrónico").fill("ana-sin-arroba")
    page.get_by_role("button", name="Enviarme el enlace").click()
    expect(page.locator(".field-error")).to_be_visible()
    settled(page, accessible, f"contrasena-2-error-{size}")

    page.get_by_label("Correo electrónico").fill(agent.email.upper())
    page.get_by_role("button", name="Enviarme el enlace").click()
    expect(page.locator("h1")).to_have_text("Revise su correo")
    settled(page, accessible, f"contrasena-3-enviada-{size}")

    email = OutgoingEmail.objects.get(template="password_reset")
    assert email.to == agent.email
    (link,) = set(re.findall(r"https?://\S+/entrar/contrasena/\S+/", email.body_text))
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Elija una contraseña nueva")
    assert "/nueva/" in page.url  # the token left the address before the form showed
    settled(page, accessible, f"contrasena-4-nueva-{size}")

    # Two passwords that differ: the form says so and keeps the page.
    page.get_by_label(re.compile(r"^Contraseña nueva(?! \()")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^Contraseña nueva \(confirmación\)")).fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise los campos marcados.")
    settled(page, accessible, f"contrasena-5-no-coinciden-{size}")

    page.get_by_label(re.compile(r"^Contraseña nueva(?! \()")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^Contraseña nueva \(confirmación\)")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.locator("h1")).to_have_text("Contraseña guardada")
    settled(page, accessible, f"contrasena-6-guardada-{size}")

    page.get_by_role("link", name="Entrar").click()
    page.get_by_label("Usuario").fill(agent.username)
    page.get_by_label("Contraseña").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(re.compile(r"/mesa/$"))

    # The link again, now used: refused, offering a new one.
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Enlace no válido")
    settled(page, accessible, f"contrasena-7-usado-{size}")
