"""The survey's stars in the browser, on a desk's screen and on a phone (docs/process.md,
«Satisfaction survey»): in order 1 to 5 for the arrow keys, lit up to the chosen one,
"Muy malo" under the first and "Excelente" under the fifth, no "¿Se resolvió?" after the
requester said "Sí, quedó resuelto"; and their page names the solution «Solución» in
words for them, never the resolution code."""

import re

import pytest

from notifications.models import OutgoingEmail
from surveys.answers import confirmation_accept
from surveys.models import SolutionConfirmation, SurveyAnswer
from tests.factories import ContactFactory, SupportPolicyFactory, TicketFactory
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

SOLUTION = "La impresora estaba en pausa desde el panel; la reanudamos y le mostramos dónde se ve."
FALSE_ALARM = "Revisamos su reporte y no encontramos una falla que corregir; le explicamos lo que vimos en la solución."
SIZES = [pytest.param({"width": 1366, "height": 900}, id="desk"), pytest.param({"width": 375, "height": 740}, id="phone")]
RATINGS = ["1 estrella: muy mala", "2 estrellas: mala", "3 estrellas: regular", "4 estrellas: buena", "5 estrellas: excelente"]
LIT, UNLIT = "★", "☆"


def survey_link(ticket) -> str:
    """The survey email's "Responder la encuesta": no star chosen."""
    body = OutgoingEmail.objects.get(template="survey_invitation", ticket=ticket).body_text
    (link,) = {found for found in re.findall(r"https?://\S+", body) if "/encuesta/" in found and "?" not in found}
    return link


def stars_drawn(page) -> list[str]:
    """The glyph each star shows now, first to fifth."""
    return page.eval_on_selector_all(
        "label.star .star-glyph",
        "glyphs => glyphs.map(g => getComputedStyle(g, '::before').content.replaceAll('\"', ''))",
    )


def checked(page) -> list[str]:
    return [name for name in RATINGS if page.get_by_role("radio", name=name).is_checked()]


def luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted([luminance(one), luminance(other)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def centre_x(box) -> float:
    return box["x"] + box["width"] / 2


@pytest.fixture
def closed_ticket(agent, live_server, settings):
    """A false alarm, solved and confirmed by its requester ("Sí, quedó resuelto"): the
    survey is in their inbox."""
    settings.HELPDESK_BASE_URL = live_server.url
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, name="Rosa Méndez", is_authorized=True)
    ticket = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="No imprime")
    services.ticket_solve(ticket=ticket, by=agent, solution=SOLUTION, resolution_code=Ticket.ResolutionCode.FALSE_INCIDENT)
    confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
    return ticket


@pytest.mark.parametrize("size", SIZES)
def test_the_stars_follow_the_arrow_keys_and_the_scale_sits_under_its_ends(size, page, closed_ticket, accessible):
    page.set_viewport_size(size)
    page.goto(survey_link(closed_ticket))
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"**/encuesta/{closed_ticket.reference}/")

    # Nothing chosen yet: five outlined stars.
    assert checked(page) == []
    assert stars_drawn(page) == [UNLIT] * 5
    accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]

    # "Muy malo" under the first star, "Excelente" under the fifth.
    stars = page.locator("label.star")
    first, fifth = stars.nth(0).bounding_box(), stars.nth(4).bounding_box()
    worst, best = page.get_by_text("Muy malo", exact=True), page.get_by_text("Excelente", exact=True)
    assert worst.is_visible() and best.is_visible()
    for word, star in ((worst.bounding_box(), first), (best.bounding_box(), fifth)):
        assert word["y"] >= star["y"] + star["height"] - 1  # below it
        assert star["x"] <= centre_x(word) <= star["x"] + star["width"]  # centred on it

    # The requester already said "Sí, quedó resuelto": the survey does not ask again.
    main = page.locator("main").inner_text()
    assert "¿Se resolvió su problema?" not in main
    assert "Ya nos confirmó que su problema quedó resuelto" in main
    assert page.get_by_role("radio", name="Sí").count() == 0

    # The keyboard: on the third star, → goes to the fourth and ← back to the third, then the second.
    third = page.get_by_role("radio", name=RATINGS[2])
    third.focus()
    page.keyboard.press("Space")
    assert checked(page) == [RATINGS[2]]
    assert stars_drawn(page) == [LIT] * 3 + [UNLIT] * 2
    accessible(page)
    page.keyboard.press("ArrowRight")
    assert checked(page) == [RATINGS[3]]
    assert page.evaluate("document.activeElement.value") == "4"
    assert stars_drawn(page) == [LIT] * 4 + [UNLIT]
    accessible(page)
    page.keyboard.press("ArrowLeft")
    assert checked(page) == [RATINGS[2]]
    page.keyboard.press("ArrowLeft")
    assert checked(page) == [RATINGS[1]]
    assert stars_drawn(page) == [LIT] * 2 + [UNLIT] * 3
    accessible(page)
    # A lit star and an unlit one both stand out from the card (3:1).
    colours = page.eval_on_selector_all("label.star", "stars => stars.map(s => getComputedStyle(s).color)")
    assert all(contrast(colour, "rgb(255, 255, 255)") >= 3 for colour in colours)

    # The submit button's words: 4.5:1 on its green.
    send = page.get_by_role("button", name="Enviar mi opinión")
    ink, ground = send.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
    assert contrast(ink, ground) >= 4.5
    send.click()
    page.get_by_text("¡Gracias por su opinión!").wait_for()
    assert "Su calificación: 2 de 5." in page.locator("main").inner_text()
    accessible(page)
    answer = SurveyAnswer.objects.get(ticket=closed_ticket)
    assert (answer.rating, answer.solved) == (2, True)

    # Their ticket's page: the solution under «Solución», in words for them.
    page.get_by_role("link", name="Ver mi ticket").click()
    page.wait_for_url(f"**/seguimiento/{closed_ticket.reference}/")
    solution = page.locator("section.follow-solution")
    assert solution.get_by_role("heading", name="Solución").is_visible()
    assert FALSE_ALARM in solution.inner_text() and SOLUTION in solution.inner_text()
    assert "Falsa incidencia" not in page.locator("body").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_a_ticket_the_desk_closed_asks_whether_it_was_solved(size, page, agent, live_server, settings, accessible):
    settings.HELPDESK_BASE_URL = live_server.url
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, is_authorized=True)
    ticket = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="No imprime")
    services.ticket_solve(ticket=ticket, by=agent, solution=SOLUTION, resolution_code=Ticket.ResolutionCode.RESOLVED)
    services.ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), by=agent)  # the requester said nothing
    page.set_viewport_size(size)
    page.goto(survey_link(ticket))
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"**/encuesta/{ticket.reference}/")

    question = page.get_by_role("group", name="¿Se resolvió su problema?")
    assert question.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    for pill in (page.locator("label.pill", has_text="Sí"), page.locator("label.pill", has_text="No")):
        box = pill.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    page.locator("label.star").nth(4).click()
    page.locator("label.pill", has_text="No").click()
    assert checked(page) == [RATINGS[4]]
    accessible(page)
    page.get_by_role("button", name="Enviar mi opinión").click()
    page.get_by_text("¡Gracias por su opinión!").wait_for()
    answer = SurveyAnswer.objects.get(ticket=ticket)
    assert (answer.rating, answer.solved) == (5, False)
    accessible(page)
