"""The knowledge base in the workspace, in the browser: an agent writes an article,
watching the live preview render its Markdown, saves it as a draft, edits it and compares
the revisions; a coordinator opens it from the list and publishes it. axe-core checks the
list, the editor, the article's page and the revisions; the editor once more on a phone's
screen."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Article
from tests.browser.screens import sign_in, watch_console
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}


def test_an_agent_writes_a_draft_with_the_preview_and_a_coordinator_publishes_it(
    browser, live_server, page, agent, coordinator, accessible
):
    ModuleFactory(name="Impresión")
    errors = watch_console(page)

    sign_in(page, agent.username)
    page.get_by_role("link", name="Artículos", exact=True).click()
    page.wait_for_url(re.compile(r"/mesa/articulos/$"))
    expect(page.get_by_text("No hay artículos con estos filtros.")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Nuevo artículo").click()
    page.wait_for_url(re.compile(r"/mesa/articulos/nuevo/$"))
    accessible(page)
    page.get_by_label("Título").fill("Reiniciar la cola de impresión")
    # Typed as a person types: the preview follows after a pause, rendered.
    page.get_by_label("Contenido").press_sequentially(
        "1. Abra **Servicios**.\n2. Reinicie *Cola de impresión*.", delay=5
    )
    preview = page.locator("#article-preview")
    expect(preview.locator("strong")).to_have_text("Servicios")
    expect(preview.locator("em")).to_have_text("Cola de impresión")
    expect(preview.locator("ol li")).to_have_count(2)
    page.get_by_label("Palabras clave").fill("spooler, impresora")
    page.get_by_label("Público").check()
    page.get_by_label("Impresión").check()
    accessible(page)
    page.get_by_role("button", name="Guardar el borrador").click()
    page.wait_for_url(re.compile(r"/mesa/articulos/\d+/$"))
    expect(page.get_by_text("Borrador guardado.")).to_be_visible()
    expect(page.locator(".article-body strong")).to_have_text("Servicios")
    # An agent may not publish: no such button.
    expect(page.get_by_role("button", name="Publicar")).to_have_count(0)
    accessible(page)
    article = Article.objects.get()
    assert (article.state, article.visibility, article.created_by) == (Article.State.DRAFT, "public", agent)

    # A second thought, and its revision compared with the first.
    page.get_by_role("link", name="Editar").click()
    page.get_by_label("Contenido").fill(
        "1. Abra **Servicios**.\n2. Reinicie *Cola de impresión*.\n3. Imprima de nuevo."
    )
    page.get_by_role("button", name="Guardar los cambios").click()
    expect(page.get_by_text("Cambios guardados.")).to_be_visible()
    page.get_by_role("link", name="Ver revisiones").click()
    page.wait_for_url(re.compile(rf"/mesa/articulos/{article.pk}/revisiones/$"))
    page.get_by_text("Diferencias con el texto actual").click()
    expect(page.locator(".diff-added")).to_have_text("+3. Imprima de nuevo.")
    accessible(page)
    page.get_by_role("link", name="Reiniciar la cola de impresión").click()

    coordinator_context = browser.new_context(
        base_url=live_server.url, locale="es-MX", timezone_id="America/Mexico_City"
    )
    other = coordinator_context.new_page()
    other.set_default_timeout(15_000)
    sign_in(other, coordinator.username)
    other.goto("/mesa/articulos/?estado=draft")
    other.get_by_role("link", name="Reiniciar la cola de impresión").click()
    other.wait_for_url(re.compile(rf"/mesa/articulos/{article.pk}/$"))
    other.get_by_role("button", name="Publicar").click()
    other.wait_for_url(re.compile(rf"/mesa/articulos/{article.pk}/$"))
    expect(other.get_by_text("Artículo publicado.")).to_be_visible()
    expect(other.get_by_role("link", name="Ver en la ayuda pública")).to_have_attribute(
        "href", f"/ayuda/articulos/{article.pk}/"
    )
    accessible(other)
    coordinator_context.close()
    article.refresh_from_db()
    assert (article.state, article.published_by) == (Article.State.PUBLISHED, coordinator)

    # The agent's list now shows it published.
    page.goto("/mesa/articulos/?estado=published")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr")).to_contain_text("Publicado")
    accessible(page)

    # On a phone's screen, the editor fits the width and stays accessible.
    page.set_viewport_size(PHONE)
    page.goto(f"/mesa/articulos/{article.pk}/editar/")
    expect(page.locator("#article-preview strong")).to_have_text("Servicios")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accessible(page)
    assert errors == []
