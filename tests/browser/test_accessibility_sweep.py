"""Every main page, the requester's and the agent's, at 1366×900 and at 375×740: axe-core
finds no WCAG 2.1 A/AA violation and nothing is wider than the screen (docs/workspace.md,
«Accessibility»). With HELPDESK_SCREENSHOTS set, a full-page screenshot of each is saved
there (.ci/run keeps them as artifacts).

One walk per size visits them all and reports every page that fails, with axe's rule and
the offending nodes, rather than stopping at the first."""

import re

import pytest
from django.urls import reverse

from knowledge.models import Article
from notifications.models import OutgoingEmail
from tests.browser.screens import SIZES, horizontal_overflow, screenshot, sign_in
from tests.factories import ArticleFactory, CoordinatorFactory
from tickets import services
from tickets.links import requester_url
from tickets.models import Ticket
from workspace.queue import QueueTab

pytestmark = pytest.mark.django_db(transaction=True)


def survey_link(ticket) -> str:
    body = OutgoingEmail.objects.get(template="survey_invitation", ticket=ticket).body_text
    (link,) = {found for found in re.findall(r"https?://\S+", body) if found.endswith("?calificacion=4")}
    return link


@pytest.fixture
def desk(live_server, settings, requester, module):
    """A small desk: a coordinator, a ticket in course, a closed one with its survey sent,
    a public article."""
    settings.HELPDESK_BASE_URL = live_server.url  # the emailed links point at this server
    coordinator = CoordinatorFactory(username="carla", first_name="Carla", last_name="Coordinadora")
    open_ticket = services.ticket_open(
        requester=requester, subject="No se pueden timbrar facturas", description="Error 500 al timbrar desde las 9.",
        channel=Ticket.Channel.WEB, module=module,
    )
    closed = services.ticket_open(
        requester=requester, subject="La impresora del piso 3 no imprime", description="Sale la hoja en blanco.",
        channel=Ticket.Channel.EMAIL, module=module,
    )
    closed = services.ticket_take(ticket=closed, agent=coordinator)
    closed = services.ticket_solve(
        ticket=closed, by=coordinator, solution="Se cambió el tóner.", resolution_code=Ticket.ResolutionCode.RESOLVED
    )
    closed = services.ticket_close(ticket=closed)
    article = ArticleFactory(
        title="Cómo timbrar una factura", body="Abra **Facturación** y pulse *Timbrar*.",
        state=Article.State.PUBLISHED, visibility=Article.Visibility.PUBLIC, created_by=coordinator,
    )
    return {"coordinator": coordinator, "ticket": open_ticket, "closed": closed, "article": article}


@pytest.mark.parametrize("size", SIZES)
def test_every_main_page_is_accessible_and_fits_the_screen(page, desk, accessible, size):
    page.set_viewport_size(SIZES[size])
    failures = []

    def check(name, path=None):
        if path is not None:
            page.goto(path)
        page.wait_for_load_state("networkidle")  # what a page loads after itself (htmx) is in
        try:
            accessible(page)
        except AssertionError as error:
            failures.append(f"[{name}] {error}")
        overflow = horizontal_overflow(page)
        if overflow:
            failures.append(f"[{name}] {page.url}: {overflow} px wider than the {SIZES[size]['width']} px screen")
        screenshot(page, f"{size}-{name}")

    ticket, closed, article = desk["ticket"], desk["closed"], desk["article"]

    # The requester's pages, and the doors of the agents' (not signed in).
    check("inicio", "/")
    check("entrar", reverse("login"))
    check("contrasena-pedir", reverse("password_reset"))
    check("contrasena-enviada", reverse("password_reset_done"))
    check("contrasena-enlace-no-valido", reverse("password_reset_confirm", args=["MQ", "no-vale"]))
    check("contrasena-guardada", reverse("password_reset_complete"))
    check("reportar", reverse("intake:report"))
    check("ayuda", reverse("help:index"))
    check("ayuda-buscar", reverse("help:search") + "?q=timbrar")
    check("ayuda-articulo", reverse("help:article", args=[article.pk]))
    page.goto(str(requester_url(ticket)))
    check("seguimiento-continuar")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url(f"**/seguimiento/{ticket.reference}/")
    check("seguimiento")
    page.goto(survey_link(closed))
    if page.get_by_role("button", name="Continuar").count():
        page.get_by_role("button", name="Continuar").click()
        page.wait_for_url(f"**/encuesta/{closed.reference}/*")
    check("encuesta")

    # The agent's pages.
    sign_in(page, desk["coordinator"].username)
    for tab in QueueTab:
        check(f"cola-{tab.value}", reverse("workspace:queue") + f"?vista={tab.value}")
    check("ticket", reverse("workspace:ticket", args=[ticket.pk]))
    check("articulos", reverse("workspace:articles"))
    check("articulo-editar", reverse("workspace:article-edit", args=[article.pk]))
    check("llamada", reverse("phone:call"))
    check("informes", reverse("reports:index"))
    check("mis-indicadores", reverse("reports:mine"))

    assert not failures, "\n\n".join(failures)


# The keyboard's first steps on any page (templates/base.html, static/css/desk.css).
FOCUS_RING = {"outline": "rgb(11, 94, 215) solid 3px", "offset": "2px", "band": "rgb(255, 255, 255) 0px 0px 0px 2px"}


def focus_style(page) -> dict:
    return page.evaluate(
        """() => { const style = getComputedStyle(document.activeElement);
        return {outline: style.outline, offset: style.outlineOffset, band: style.boxShadow}; }"""
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_keyboard_meets_the_skip_link_first_then_a_visible_ring(page, live_server, size):
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Saltar al contenido"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"]  # shown when focused
    assert focus_style(page) == FOCUS_RING
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenido"
    # The next Tab goes on inside the content, not back through the top bar.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('contenido').contains(document.activeElement)")
    assert focus_style(page) == FOCUS_RING

    # The sign-in page starts in "Usuario"; two Tabs on, its button, with the same ring.
    page.goto(reverse("login"))
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.locator(":focus").inner_text() == "Entrar"
    assert focus_style(page) == FOCUS_RING
