"""A visitor finds an answer in the help center: from the home page to /ayuda/, a search,
the article, and "¿Le sirvió este artículo? Sí" answered in place; on a desktop and on a
phone, each page checked with axe-core once it settled."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Article
from tests.factories import ArticleFactory, ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def visitor(request, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=request.param, locale="es-MX", timezone_id="America/Mexico_City"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_visitor_searches_reads_an_article_and_says_it_helped(visitor, accessible):
    page = visitor
    printing = ModuleFactory(name="Impresión", description="Impresoras de red de cada piso.")
    article = ArticleFactory(
        title="Configurar la impresora de red",
        body="1. Abra **Impresoras** en el panel.\n2. Pulse *Agregar* y elija la impresora de su piso.",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
        modules=[printing],
    )
    ArticleFactory(
        title="Reiniciar la cola de la impresora (agentes)",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.INTERNAL,
        modules=[printing],
    )

    page.goto("/")
    accessible(page)
    page.get_by_role("link", name="Centro de ayuda", exact=True).click()
    page.wait_for_url("**/ayuda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Centro de ayuda")
    expect(page.get_by_role("link", name="Impresión")).to_be_visible()
    accessible(page)
    assert fits_the_screen(page)

    page.get_by_label("¿Qué necesita? Escríbalo en pocas palabras").fill("impresora")
    page.get_by_role("button", name="Buscar").click()
    page.wait_for_url(re.compile(r"/ayuda/buscar/\?q=impresora"))
    expect(page.get_by_role("heading", name="1 artículo encontrado")).to_be_visible()
    # The agents' article is not among the results.
    expect(page.get_by_text("Reiniciar la cola")).to_have_count(0)
    accessible(page)
    assert fits_the_screen(page)

    page.get_by_role("link", name="Configurar la impresora de red").click()
    page.wait_for_url(f"**/ayuda/articulos/{article.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurar la impresora de red")
    report = page.get_by_role("link", name="Reportar una incidencia")
    expect(report).to_have_attribute("href", f"/reportar/?modulo={printing.pk}")
    accessible(page)
    assert fits_the_screen(page)
    # The page counted its reading with a POST once loaded.
    for _ in range(50):
        article.refresh_from_db()
        if article.views:
            break
        page.wait_for_timeout(100)
    assert article.views == 1

    page.get_by_role("button", name="Sí", exact=True).click()
    thanks = page.locator("#help-vote-box")
    expect(thanks).to_have_text("Gracias por su opinión: nos ayuda a mejorar los artículos.")
    expect(page.get_by_role("button", name="Sí", exact=True)).to_have_count(0)
    # Answered in place: still the same page, nothing reloaded.
    assert page.url.endswith(f"/ayuda/articulos/{article.pk}/")
    accessible(page)
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no, article.views) == (1, 0, 1)
