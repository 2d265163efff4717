"""Self-service beside the report form: the public articles suggested while typing
(intake:suggestions), "Esto resolvió mi problema" (intake:deflect) and the suggestions a
report sent anyway is recorded with."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import suggestions
from knowledge.models import Article, ArticleSuggestion, Deflection
from tests.factories import ArticleFactory, ContactFactory, ModuleFactory, SupportPolicyFactory
from tests.intake.test_report_form import form_data
from tests.reports.pages import read
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

V, S = Article.Visibility, Article.State
SUGGESTIONS = "/reportar/sugerencias/"
DEFLECT = "/reportar/resuelto/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def printer_article(title="No puedo imprimir: la cola de impresión está detenida", **fields):
    fields.setdefault("state", S.PUBLISHED)
    fields.setdefault("visibility", V.PUBLIC)
    return ArticleFactory(title=title, body="Reinicie la **cola de impresión** desde Servicios.", **fields)


def suggested(client, subject="", description="", module="", htmx=True):
    response = client.get(SUGGESTIONS, {"subject": subject, "description": description, "module": module}, **(HTMX if htmx else {}))
    assert response.status_code == 200
    page = read(response)
    return [h.text() for h in page.all(class_="suggestion-title")], page


def test_the_urls_are_the_agreed_ones():
    assert reverse("intake:report") == "/reportar/"
    assert reverse("intake:suggestions") == SUGGESTIONS
    assert reverse("intake:deflect") == DEFLECT


@pytest.mark.parametrize(
    ("state", "visibility", "shown"),
    [
        (S.PUBLISHED, V.PUBLIC, True),
        (S.PUBLISHED, V.INTERNAL, False),
        (S.DRAFT, V.PUBLIC, False),
        (S.DRAFT, V.INTERNAL, False),
        (S.ARCHIVED, V.PUBLIC, False),
        (S.ARCHIVED, V.INTERNAL, False),
    ],
)
def test_only_public_published_articles_are_suggested(client, state, visibility, shown):
    article = printer_article(state=state, visibility=visibility)
    titles, _soup = suggested(client, "No puedo imprimir")
    assert titles == ([article.title] if shown else [])
    assert client.session.get(suggestions.SESSION_KEY, []) == ([article.pk] if shown else [])


def test_each_suggestion_opens_in_place_and_in_a_new_tab_and_says_it_solved_it(client):
    article = printer_article()
    _titles, soup = suggested(client, "impresión detenida")
    item = soup.find("li", class_="suggestion")
    opened = item.find("details", class_="suggestion-article")
    assert opened.find("summary").text() == "Leer el artículo aquí"
    assert opened.find("div", class_="article-body").find("strong").text() == "cola de impresión"
    link = item.find("p", class_="suggestion-open").find("a")
    assert link.attrs["href"] == f"/ayuda/articulos/{article.pk}/" and link.attrs["target"] == "_blank"
    form = opened.find("form", class_="deflect-form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == DEFLECT
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    assert form.find("input", name="article").attrs["value"] == str(article.pk)
    assert form.find("button").text() == "Esto resolvió mi problema"


def test_at_most_five_are_suggested(client):
    for n in range(7):
        printer_article(title=f"Impresora del piso {n}")
    titles, _soup = suggested(client, "impresora")
    assert len(titles) == 5


@pytest.mark.parametrize("text", ["", "no", "no puedo", "para que por", "de la de el"])
def test_nothing_for_short_or_stop_word_only_text(client, text):
    printer_article(title="No puedo entrar para nada")
    titles, soup = suggested(client, text)
    assert titles == []
    assert "aquí aparecerán artículos de ayuda" in soup.text()
    assert suggestions.SESSION_KEY not in client.session


def test_the_chosen_module_s_articles_come_first(client):
    payroll, billing = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")
    ArticleFactory(title="Imprimir recibos de nómina", body="Use el menú.", state=S.PUBLISHED, visibility=V.PUBLIC, modules=[payroll])
    ArticleFactory(title="Imprimir facturas en lote", body="Use el menú.", state=S.PUBLISHED, visibility=V.PUBLIC, modules=[billing])
    plain, _ = suggested(client, "imprimir")
    assert set(plain) == {"Imprimir recibos de nómina", "Imprimir facturas en lote"}
    assert suggested(client, "imprimir", module=str(billing.pk))[0][0] == "Imprimir facturas en lote"
    assert suggested(client, "imprimir", module=str(payroll.pk))[0][0] == "Imprimir recibos de nómina"
    # An unknown or malformed module is no filter and no error.
    assert set(suggested(client, "imprimir", module="abc")[0]) == set(plain)


def test_the_session_remembers_what_was_shown_newest_kept(client):
    first = printer_article(title="Impresora atascada")
    suggested(client, "impresora atascada")
    second = printer_article(title="Escáner sin conexión")
    suggested(client, "escáner conexión")
    suggested(client, "impresora atascada")  # shown again: remembered once
    assert client.session[suggestions.SESSION_KEY] == [first.pk, second.pk]


def test_the_session_keeps_a_capped_list():
    session = {suggestions.SESSION_KEY: list(range(1, 20))}
    suggestions.remember_shown(session, [Article(pk=100), Article(pk=101)])
    assert session[suggestions.SESSION_KEY] == [*range(2, 20), 100, 101]
    assert len(session[suggestions.SESSION_KEY]) == suggestions.MAX_REMEMBERED


def test_without_htmx_it_is_a_page_of_its_own(client):
    printer_article()
    titles, soup = suggested(client, "no puedo imprimir", htmx=False)
    assert soup.find("h1").text() == "Quizás esto le ayude"
    assert soup.find("h2", class_="suggestion-title").text() == titles[0]
    assert "/reportar/" in soup.links()


def test_over_the_rate_limit_nothing_is_suggested_and_it_is_no_error(client, settings):
    settings.HELPDESK_SUGGESTIONS_RATE_LIMIT = (2, 60)
    printer_article()
    assert len(suggested(client, "no puedo imprimir")[0]) == 1
    assert len(suggested(client, "no puedo imprimir")[0]) == 1
    titles, soup = suggested(client, "no puedo imprimir")
    assert titles == []


def test_a_post_is_refused(client):
    assert client.post(SUGGESTIONS, {"subject": "imprimir"}).status_code == 405


def test_the_queries_do_not_grow_with_the_articles(client):
    module = ModuleFactory()
    for n in range(3):
        printer_article(title=f"Impresora {n}", modules=[module])
    suggested(client, "impresora")  # the session exists from here on

    def count():
        with CaptureQueriesContext(connection) as captured:
            suggested(client, "impresora", module=str(module.pk))
        return len(captured)

    few = count()
    for n in range(5):
        printer_article(title=f"Impresora nueva {n}", modules=[module])
    suggested(client, "impresora")  # the new ones shown once: the session writes them
    assert count() == few
    # The session's read, the search and the chosen module's articles among those found.
    # The search on PostgreSQL, inside the test's transaction: its savepoint, the planner
    # settings read, its words (setting them), the articles, the settings put back, the
    # savepoint's release. On SQLite: the articles.
    assert few == (1 + 6 + 1 if connection.vendor == "postgresql" else 1 + 1 + 1)


# The report form -------------------------------------------------------------------


@pytest.fixture
def authorized(db):
    policy = SupportPolicyFactory()
    return ContactFactory(organization=policy.organization, email="lucia@cliente.example.mx", is_authorized=True)


def test_the_form_asks_for_suggestions_as_the_requester_types(client):
    page = read(client.get("/reportar/"))
    aside = page.find("aside", class_="suggestions")
    assert aside.find("h2").text() == "Quizás esto le ayude"
    box = aside.find("div", id="suggestions").attrs
    assert box["aria-live"] == "polite"
    assert box["hx-get"] == SUGGESTIONS
    assert "keyup changed delay:400ms from:#id_subject" in box["hx-trigger"]
    assert "keyup changed delay:400ms from:#id_description" in box["hx-trigger"]
    assert "change from:#id_module" in box["hx-trigger"]
    assert box["hx-include"] == "#id_subject, #id_description, #id_module"
    # Not inside the report's form: each suggestion has a form of its own.
    assert all(form.find("aside") is None for form in page.all("form"))


def test_a_report_sent_after_suggestions_records_them_and_forgets_them(client, authorized):
    shown = [printer_article(), printer_article(title="La cola de impresión no avanza")]
    suggested(client, "cola de impresión")
    assert sorted(client.session[suggestions.SESSION_KEY]) == sorted(a.pk for a in shown)
    response = client.post("/reportar/", form_data(subject="La impresora no imprime"))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    rows = ArticleSuggestion.objects.filter(ticket=ticket)
    assert sorted(rows.values_list("article_id", flat=True)) == sorted(a.pk for a in shown)
    assert all(row.at == ticket.created_at for row in rows)
    assert suggestions.SESSION_KEY not in client.session
    assert Deflection.objects.count() == 0


def test_an_article_no_longer_public_is_not_recorded(client, authorized):
    kept, unpublished = printer_article(), printer_article(title="La cola de impresión no avanza")
    suggested(client, "cola de impresión")
    Article.objects.filter(pk=unpublished.pk).update(visibility=V.INTERNAL)
    client.post("/reportar/", form_data())
    assert list(ArticleSuggestion.objects.values_list("article_id", flat=True)) == [kept.pk]


def test_a_report_without_suggestions_records_none(client, authorized):
    assert client.post("/reportar/", form_data()).status_code == 302
    assert Ticket.objects.count() == 1 and ArticleSuggestion.objects.count() == 0


@pytest.mark.parametrize("remembered", ["basura", {"1": 2}, [None, "x", True], [2**62]])
def test_bad_session_data_never_costs_a_report(client, authorized, remembered):
    session = client.session
    session[suggestions.SESSION_KEY] = remembered
    session.save()
    assert client.post("/reportar/", form_data()).status_code == 302
    assert Ticket.objects.count() == 1 and ArticleSuggestion.objects.count() == 0
    assert suggestions.SESSION_KEY not in client.session


def test_a_failing_record_is_logged_and_the_ticket_stands(client, authorized, monkeypatch, caplog):
    printer_article()
    assert suggested(client, "no puedo imprimir")[0]

    def broken(**kwargs):
        raise RuntimeError("the database said no")

    monkeypatch.setattr("intake.views.suggestions_record", broken)
    with caplog.at_level(logging.WARNING, logger="intake.views"):
        response = client.post("/reportar/", form_data())
    assert response.status_code == 302 and response["Location"] == "/reportar/enviado/"
    assert Ticket.objects.count() == 1 and ArticleSuggestion.objects.count() == 0
    assert "were not recorded" in caplog.text


@pytest.mark.parametrize(
    ("query", "chosen"),
    [("active", True), ("inactive", False), ("999999", False), ("abc", False), ("", False)],
)
def test_modulo_preselects_an_active_module(client, query, chosen):
    active, inactive = ModuleFactory(name="Nómina"), ModuleFactory(name="Antiguo", is_active=False)
    value = {"active": str(active.pk), "inactive": str(inactive.pk)}.get(query, query)
    select = read(client.get("/reportar/", {"modulo": value})).find("select", id="id_module")
    selected = [option.attrs["value"] for option in select.all("option") if "selected" in option.attrs]
    assert selected == [str(active.pk) if chosen else ""]


# "Esto resolvió mi problema" ---------------------------------------------------------


def test_a_deflection_is_recorded_with_no_ticket_and_thanks(client):
    article = printer_article()
    suggested(client, "no puedo imprimir")
    response = client.post(DEFLECT, {"article": article.pk})
    assert response.status_code == 302 and response["Location"] == "/reportar/resuelto/gracias/"
    assert list(Deflection.objects.values_list("article_id", flat=True)) == [article.pk]
    assert Ticket.objects.count() == 0 and ArticleSuggestion.objects.count() == 0
    assert suggestions.SESSION_KEY not in client.session
    page = client.get(response["Location"])
    thanks = read(page)
    assert thanks.find("h1").text() == "Nos alegra que se haya resuelto"
    assert f"«{article.title}» resolvió su problema" in thanks.text()
    assert {"/ayuda/", "/"} <= set(thanks.find("ul", class_="deflected-links").links())


def test_a_get_of_the_deflection_is_refused(client):
    article = printer_article()
    assert client.get(DEFLECT, {"article": article.pk}).status_code == 405
    assert Deflection.objects.count() == 0


@pytest.mark.parametrize(
    ("state", "visibility", "status"),
    [(S.PUBLISHED, V.INTERNAL, 404), (S.DRAFT, V.PUBLIC, 404), (S.ARCHIVED, V.PUBLIC, 404)],
)
def test_a_non_public_article_deflects_nothing(client, state, visibility, status):
    article = printer_article(state=state, visibility=visibility)
    response = client.post(DEFLECT, {"article": article.pk})
    assert response.status_code == status
    assert "Ese artículo no existe o ya no está publicado" in response.content.decode()
    assert Deflection.objects.count() == 0


@pytest.mark.parametrize(("value", "status"), [("", 400), ("abc", 400), ("-1", 400), ("999999", 404)])
def test_a_bad_article_is_a_spanish_answer_not_an_error(client, value, status):
    response = client.post(DEFLECT, {"article": value})
    assert response.status_code == status
    assert "Artículo no disponible" in response.content.decode()
    assert Deflection.objects.count() == 0


def test_the_deflection_needs_its_csrf_token(article_csrf_client):
    article = printer_article()
    assert article_csrf_client.post(DEFLECT, {"article": article.pk}).status_code == 403
    assert Deflection.objects.count() == 0


@pytest.fixture
def article_csrf_client():
    from django.test import Client

    return Client(enforce_csrf_checks=True)
