"""Self-service on the report form: a requester who finds the answer while typing leaves
without a ticket; another one sees the suggestions and sends the report anyway."""


import pytest
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import Article, ArticleSuggestion, Deflection
from tests.browser.screens import sign_in, watch_console
from tests.factories import ArticleFactory, ContactFactory, CoordinatorFactory, SupportPolicyFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

PRINTER = "No puedo imprimir: la cola de impresión está detenida"


def printer_article():
    return ArticleFactory(
        title=PRINTER,
        body="1. Abra **Servicios**.\n2. Reinicie la *cola de impresión* y vuelva a imprimir.",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
    )


def test_a_requester_finds_the_answer_while_typing_and_leaves_without_a_ticket(page, accessible):
    article = printer_article()
    ArticleFactory(title="No puedo imprimir facturas (solo agentes)", state=Article.State.PUBLISHED)
    # The strict CSP reports what it blocks (an inline style, a script) as console errors.
    errors = watch_console(page)

    page.goto("/reportar/")
    expect(page.get_by_role("heading", name="Quizás esto le ayude")).to_be_visible()
    accessible(page)
    page.get_by_label("Asunto").press_sequentially("no puedo imprimir", delay=20)

    suggestion = page.locator(".suggestion").filter(has_text=PRINTER)
    expect(suggestion).to_be_visible()
    # Only the public article: the internal one is never suggested.
    expect(page.locator(".suggestion")).to_have_count(1)
    # Read in place: what was typed stays.
    suggestion.get_by_text("Leer el artículo aquí").click()
    expect(suggestion.locator(".article-body")).to_contain_text("Reinicie la cola de impresión")
    assert page.get_by_label("Asunto").input_value() == "no puedo imprimir"
    accessible(page)

    suggestion.get_by_role("button", name="Esto resolvió mi problema").click()
    page.wait_for_url("**/reportar/resuelto/gracias/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nos alegra que se haya resuelto")
    expect(page.locator("main")).to_contain_text(f"«{PRINTER}»")
    expect(page.get_by_role("link", name="Ir al centro de ayuda")).to_have_attribute("href", "/ayuda/")
    accessible(page)
    assert Ticket.objects.count() == 0
    assert list(Deflection.objects.values_list("article_id", flat=True)) == [article.pk]
    assert errors == []


def test_a_requester_sees_suggestions_and_sends_the_report_anyway(page, accessible):
    article = printer_article()
    policy = SupportPolicyFactory()
    ContactFactory(organization=policy.organization, email="marta@cliente.example.mx", is_authorized=True)

    page.goto("/reportar/")
    page.get_by_label("Nombre").fill("Marta Ruiz")
    page.get_by_label("Correo electrónico").fill("marta@cliente.example.mx")
    page.get_by_label("Asunto").press_sequentially("No puedo imprimir", delay=20)
    expect(page.locator(".suggestion").filter(has_text=PRINTER)).to_be_visible()
    page.get_by_label("Descripción").fill("Lo intenté todo: la cola sigue detenida después de reiniciar.")
    accessible(page)
    page.get_by_role("button", name="Enviar").click()

    page.wait_for_url("**/reportar/enviado/**")
    expect(page.locator(".reference")).to_be_visible()
    accessible(page)
    ticket = Ticket.objects.get()
    assert ticket.subject == "No puedo imprimir"
    assert list(ArticleSuggestion.objects.filter(ticket=ticket).values_list("article_id", flat=True)) == [article.pk]
    assert Deflection.objects.count() == 0


def test_a_coordinator_reads_the_deflection_in_informes(page, accessible):
    article = printer_article()
    Deflection.objects.create(article=article, at=timezone.now())
    CoordinatorFactory(username="carla")
    sign_in(page, "carla")

    page.goto("/mesa/informes/?periodo=hoy")
    section = page.locator("section.self-service")
    expect(section.get_by_role("heading", name="Autoservicio")).to_be_visible()
    # 1 deflection, no report after suggestions: 1 ÷ (1 + 0).
    expect(section.locator("tr[data-figure=deflection_rate] td.number")).to_have_text("100,0 %")
    expect(section.get_by_role("link", name=PRINTER)).to_have_attribute("href", f"/mesa/articulos/{article.pk}/")
    accessible(page)
