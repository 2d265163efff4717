"""A requester closes the loop from the emails alone, on a phone: from the solution
email's link they confirm the problem is solved, then rate the service from the survey
email's link (docs/process.md, «Solution confirmation» and «Satisfaction survey»)."""

import re

import pytest

from notifications.models import OutgoingEmail
from surveys.models import SurveyAnswer
from tests.factories import ContactFactory, SupportPolicyFactory, TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
SOLUTION = "Se renovó el certificado de sello digital y el timbrado volvió a funcionar."
# WCAG's comfortable tap target is 44 × 44 CSS pixels.
MIN_TAP = 44


@pytest.fixture
def phone(browser, live_server, settings):
    # The emails' links point at this server.
    settings.HELPDESK_BASE_URL = live_server.url
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, has_touch=True, locale="es-MX", timezone_id="America/Mexico_City"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def link_in(template: str, ticket, query: str) -> str:
    body = OutgoingEmail.objects.get(template=template, ticket=ticket).body_text
    (link,) = {found for found in re.findall(r"https?://\S+", body) if found.endswith(query)}
    return link


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def assert_big_enough(locator):
    box = locator.bounding_box()
    assert box["height"] >= MIN_TAP and box["width"] >= MIN_TAP, box


def test_requester_accepts_the_solution_then_rates_from_the_emails(phone, agent, accessible):
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, name="Lucía Hernández", is_authorized=True)
    ticket = TicketFactory(
        requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="No se pueden timbrar facturas"
    )
    services.ticket_solve(ticket=ticket, by=agent, solution=SOLUTION, resolution_code=Ticket.ResolutionCode.RESOLVED)
    errors = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    # Every Referer the phone sends on the way (pages, styles, scripts, form posts).
    referers = []
    phone.on("request", lambda request: referers.append(request.headers.get("referer", "")))

    # The solution email's "Sí, quedó resuelto".
    phone.goto(link_in("ticket_solved", ticket, "?respuesta=si"))
    # The link opens once: one tap, and the address no longer carries its secret.
    carry_on = phone.get_by_role("button", name="Continuar")
    assert_big_enough(carry_on)
    accessible(phone)
    carry_on.click()
    phone.wait_for_url(f"**/solucion/{ticket.reference}/?*respuesta=si*")
    assert SOLUTION in phone.locator("main").inner_text()
    accept = phone.get_by_role("button", name="Sí, quedó resuelto")
    assert_big_enough(accept)
    assert fits_the_screen(phone)
    accessible(phone)
    accept.click()
    phone.get_by_text("¡Gracias! Su ticket quedó cerrado.").wait_for()
    accessible(phone)
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.CLOSED

    # The survey email's fourth star: the page opens with four stars chosen.
    # This browser already sees the ticket: the survey's link goes straight to the page.
    phone.goto(link_in("survey_invitation", ticket, "?calificacion=4"))
    assert phone.url.endswith(f"/encuesta/{ticket.reference}/?calificacion=4")
    assert phone.get_by_role("radio", name="4 estrellas: buena").is_checked()
    assert fits_the_screen(phone)
    accessible(phone)
    stars = phone.locator("label.star")
    assert stars.count() == 5
    for index in range(5):
        assert_big_enough(stars.nth(index))
    # A tap on another star changes the choice; back to four.
    phone.locator("label.star", has_text="5 estrellas: excelente").tap()
    assert phone.get_by_role("radio", name="5 estrellas: excelente").is_checked()
    phone.locator("label.star", has_text="4 estrellas: buena").tap()
    # They said "Sí, quedó resuelto" already: the survey does not ask it again.
    assert phone.locator("label.pill").count() == 0
    assert "Ya nos confirmó que su problema quedó resuelto" in phone.locator("main").inner_text()
    phone.get_by_label("¿Quiere contarnos algo más? (opcional)").fill("Rápido y amable.")
    phone.get_by_role("button", name="Enviar mi opinión").tap()

    phone.get_by_text("¡Gracias por su opinión!").wait_for()
    assert "Su calificación: 4 de 5." in phone.locator("main").inner_text()
    accessible(phone)
    assert fits_the_screen(phone)
    answer = SurveyAnswer.objects.get(ticket=ticket)
    assert (answer.rating, answer.solved, answer.comment) == (4, True, "Rápido y amable.")
    assert errors == []  # no script or CSP errors on the way
    # No address ever left in a Referer: at most the desk's bare origin.
    assert referers and {referer.rstrip("/") for referer in referers if referer} <= {phone.url.split("/encuesta/")[0]}
