"""The public help center /ayuda/: what a visitor reads (only published public articles, on
every page and search), the votes (once per browser, POST only, rate-limited), the views
(counted by a POST, once per session) and the links to the report form."""

import datetime
import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge.help_views import BROWSER_COOKIE
from knowledge.models import Article, ArticleVote
from tests.factories import ArticleFactory, ModuleFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db

postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's; set DATABASE_URL=postgres://…"
)

V, S = Article.Visibility, Article.State
REPORT = reverse("intake:report")


def article(title="Cómo cambiar la contraseña", body="Abra su perfil y elija «Cambiar contraseña».", *, state=S.PUBLISHED, visibility=V.PUBLIC, **fields):
    return ArticleFactory(title=title, body=body, state=state, visibility=visibility, **fields)


def text(response) -> str:
    return response.content.decode()


def main(response) -> str:
    """The page's own content, without the top bar and the footer (whose language switch names the address)."""
    body = text(response)
    return body[body.index("<main") : body.index("</main>")]


def unmasked(html: str) -> str:
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1…", html)


# Visibility: one table for every page -------------------------------------------------

VISIBILITY = [
    pytest.param(S.DRAFT, V.PUBLIC, False, id="draft-public"),
    pytest.param(S.DRAFT, V.INTERNAL, False, id="draft-internal"),
    pytest.param(S.PUBLISHED, V.PUBLIC, True, id="published-public"),
    pytest.param(S.PUBLISHED, V.INTERNAL, False, id="published-internal"),
    pytest.param(S.ARCHIVED, V.PUBLIC, False, id="archived-public"),
    pytest.param(S.ARCHIVED, V.INTERNAL, False, id="archived-internal"),
]


@pytest.mark.parametrize(("state", "visibility", "shown"), VISIBILITY)
def test_an_article_is_shown_on_every_page_only_when_published_and_public(client, state, visibility, shown):
    module = ModuleFactory(name="Impresión")
    found = article("Configurar la impresora de red", "Agregue la impresora desde el panel.", state=state, visibility=visibility, modules=[module])

    page = client.get(found.get_absolute_url())
    search = client.get(reverse("help:search"), {"q": "impresora"})
    module_page = client.get(reverse("help:module", args=[module.pk]))
    index = client.get(reverse("help:index"))

    assert page.status_code == (200 if shown else 404)
    assert search.status_code == module_page.status_code == index.status_code == 200
    for response in (page, search, module_page, index):
        assert ("Configurar la impresora de red" in text(response)) is shown


def test_an_article_not_public_gets_the_same_spanish_404_as_an_unknown_one(client):
    internal = article(visibility=V.INTERNAL)
    hidden = client.get(internal.get_absolute_url())
    unknown = client.get(reverse("help:article", args=[internal.pk + 100]))
    assert hidden.status_code == unknown.status_code == 404
    assert "No encontramos esta página" in text(hidden)
    # The same page but for the CSRF token, which is masked anew on each response.
    assert unmasked(main(hidden)) == unmasked(main(unknown))


def test_votes_and_views_of_an_article_not_public_are_404(client):
    draft = article(state=S.DRAFT)
    assert client.post(reverse("help:vote", args=[draft.pk]), {"util": "si"}).status_code == 404
    assert client.post(reverse("help:viewed", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert (draft.helpful_yes, draft.views) == (0, 0)


# The index -----------------------------------------------------------------------------


def test_the_index_groups_the_active_services_by_specialty_and_links_each(client):
    network = SpecialtyFactory(name="Redes")
    apps = SpecialtyFactory(name="Aplicaciones")
    vpn = ModuleFactory(name="VPN", specialty=network, description="Acceso remoto.")
    payroll = ModuleFactory(name="Nómina", specialty=apps)
    ModuleFactory(name="Fax", specialty=network, is_active=False)

    page = text(client.get(reverse("help:index")))
    body = page[page.index('id="help-services-heading"') :]

    assert body.index("<h3>Aplicaciones</h3>") < body.index("Nómina") < body.index("<h3>Redes</h3>") < body.index(">VPN<")
    assert f'href="{reverse("help:module", args=[vpn.pk])}"' in body
    assert f'href="{reverse("help:module", args=[payroll.pk])}"' in body
    assert "Fax" not in page


def test_the_index_lists_the_most_helpful_articles_first_then_the_most_read(client):
    article("Tercero", helpful_yes=2, views=50)
    article("Primero", helpful_yes=9, views=1)
    article("Segundo", helpful_yes=2, views=80)
    body = text(client.get(reverse("help:index")))
    assert body.index("Primero") < body.index("Segundo") < body.index("Tercero")
    assert "Le sirvió a 9 personas" in body


def test_the_index_offers_the_search_and_the_report_form(client):
    body = text(client.get(reverse("help:index")))
    assert f'action="{reverse("help:search")}"' in body
    assert "¿No encontró su respuesta?" in body
    assert f'href="{REPORT}"' in body


# Search ----------------------------------------------------------------------------------


def test_search_shows_the_count_title_link_and_highlighted_snippet(client):
    found = article("Configurar la impresora de red", "Agregue la impresora desde el panel.")
    body = text(client.get(reverse("help:search"), {"q": "impresora"}))
    assert "1 artículo encontrado" in body
    assert f'<a href="{found.get_absolute_url()}">Configurar la impresora de red</a>' in body
    assert "Agregue la impresora desde el panel." in body or "<mark>impresora</mark>" in body


@postgres
def test_search_highlights_the_words_found_on_postgresql(client):
    article("Configurar la impresora de red", "Agregue la impresora desde el panel.")
    body = text(client.get(reverse("help:search"), {"q": "impresoras"}))
    assert "Agregue la <mark>impresora</mark> desde el panel." in body


def test_search_escapes_what_was_typed_and_the_articles_text(client):
    article("La impresora <b>nueva</b>", "La impresora <script>alert(1)</script> imprime.")
    body = text(client.get(reverse("help:search"), {"q": "impresora <script>"}))
    assert "<script>alert" not in body
    assert "&lt;script&gt;" in body
    assert "<b>nueva</b>" not in body


def test_search_without_results_suggests_other_words_and_the_report_form(client):
    article()
    body = text(client.get(reverse("help:search"), {"q": "escáner"}))
    assert "0 artículos encontrados" in body
    assert "No encontramos artículos para «escáner»." in body
    assert "Pruebe con otras palabras" in body
    assert f'href="{REPORT}"' in body


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_an_empty_search_is_a_prompt_not_an_error(client, query):
    response = client.get(reverse("help:search"), query)
    assert response.status_code == 200
    assert "Escriba arriba qué necesita" in text(response)
    assert "encontrado" not in text(response)


def test_search_within_a_module_finds_only_its_articles_and_reports_to_it(client):
    vpn = ModuleFactory(name="VPN")
    mail = ModuleFactory(name="Correo")
    article("Conectar la VPN desde casa", "Instale el cliente y conecte.", modules=[vpn])
    article("Configurar el correo en casa", "Agregue la cuenta.", modules=[mail])

    body = text(client.get(reverse("help:search"), {"q": "casa", "modulo": vpn.pk}))

    assert "1 artículo en VPN" in body
    assert "Conectar la VPN desde casa" in body and "Configurar el correo en casa" not in body
    assert f'href="{REPORT}?modulo={vpn.pk}"' in body


@pytest.mark.parametrize("modulo", ["abc", "-1", "999999", "inactive"])
def test_a_bad_module_in_the_search_is_ignored(client, modulo):
    inactive = ModuleFactory(name="Fax", is_active=False)
    article("Conectar la VPN desde casa", "Instale el cliente y conecte.")
    value = str(inactive.pk) if modulo == "inactive" else modulo
    response = client.get(reverse("help:search"), {"q": "casa", "modulo": value})
    assert response.status_code == 200
    assert "1 artículo encontrado" in text(response)
    assert "Conectar la VPN desde casa" in text(response)


# A service's page ------------------------------------------------------------------------


def test_a_module_page_shows_its_description_policies_articles_and_report_link(client):
    vpn = ModuleFactory(
        name="VPN", description="Acceso remoto a la red.\nSolo con equipo de la empresa.", policies="Pida el alta a su jefe."
    )
    article("Menos útil", modules=[vpn], helpful_yes=1)
    article("Más útil", modules=[vpn], helpful_yes=5)
    article("De otro servicio", modules=[ModuleFactory()])

    body = text(client.get(reverse("help:module", args=[vpn.pk])))

    assert "<h1>VPN</h1>" in body and "Lo atiende:" in body
    assert "Acceso remoto a la red.<br>Solo con equipo de la empresa." in body
    assert "Pida el alta a su jefe." in body
    assert body.index("Más útil") < body.index("Menos útil")
    assert "De otro servicio" not in body
    assert f'<input type="hidden" name="modulo" value="{vpn.pk}">' in body
    assert f'href="{REPORT}?modulo={vpn.pk}"' in body


def test_a_module_page_never_shows_the_agents_protocol(client):
    vpn = ModuleFactory(name="VPN", protocol="Reiniciar el concentrador 10.0.0.1")
    assert "concentrador" not in text(client.get(reverse("help:module", args=[vpn.pk])))


@pytest.mark.parametrize("which", ["inactive", "unknown"])
def test_an_inactive_or_unknown_module_is_a_spanish_404(client, which):
    inactive = ModuleFactory(is_active=False)
    pk = inactive.pk if which == "inactive" else inactive.pk + 100
    response = client.get(reverse("help:module", args=[pk]))
    assert response.status_code == 404
    assert "No encontramos esta página" in text(response)


# An article's page -----------------------------------------------------------------------


def test_an_article_page_shows_its_body_modules_date_and_vote_form(client):
    vpn = ModuleFactory(name="VPN")
    # 2026-03-01 04:30 UTC is still the 28th of February in Mexico City (UTC-6).
    found = article(
        "Conectar la VPN", "Pulse **Conectar**.", modules=[vpn],
        published_at=datetime.datetime(2026, 3, 1, 4, 30, tzinfo=datetime.UTC),
    )
    body = text(client.get(found.get_absolute_url()))
    assert "<h1>Conectar la VPN</h1>" in body
    assert "<strong>Conectar</strong>" in body
    assert 'Publicado el <time datetime="2026-02-28T22:30:00-06:00">28 de febrero de 2026</time>' in body
    assert f'<a href="{reverse("help:module", args=[vpn.pk])}">VPN</a>' in body
    assert "¿Le sirvió este artículo?" in body
    assert f'action="{reverse("help:vote", args=[found.pk])}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'<div hidden hx-post="{reverse("help:viewed", args=[found.pk])}" hx-trigger="load"' in body
    assert "js/htmx.min.js" in body


def test_the_report_link_of_an_article_carries_its_first_module(client):
    billing = ModuleFactory(name="Facturación")
    payroll = ModuleFactory(name="Nómina")
    found = article(modules=[payroll, billing])
    body = text(client.get(found.get_absolute_url()))
    assert "¿No resolvió su problema?" in body
    assert f'href="{REPORT}?modulo={billing.pk}"' in body


def test_the_report_link_of_an_article_without_modules_opens_the_plain_form(client):
    body = text(client.get(article().get_absolute_url()))
    assert f'href="{REPORT}"' in body
    assert "?modulo=" not in body


def test_related_articles_are_public_of_the_same_modules_at_most_five_not_itself(client):
    vpn = ModuleFactory(name="VPN")
    found = article("Conectar la VPN", modules=[vpn])
    for n in range(6):
        article(f"Relacionado {n}", modules=[vpn], helpful_yes=n)
    article("Interno de la VPN", modules=[vpn], visibility=V.INTERNAL, helpful_yes=99)
    article("Borrador de la VPN", modules=[vpn], state=S.DRAFT, helpful_yes=99)
    article("Otro servicio", modules=[ModuleFactory()], helpful_yes=99)

    response = client.get(found.get_absolute_url())
    related = [item.title for item in response.context["related"]]

    assert related == ["Relacionado 5", "Relacionado 4", "Relacionado 3", "Relacionado 2", "Relacionado 1"]
    assert "Artículos relacionados" in text(response)


# Votes -----------------------------------------------------------------------------------


def vote(client, found, value="si", **extra):
    return client.post(reverse("help:vote", args=[found.pk]), {"util": value}, **extra)


def test_a_vote_counts_once_per_browser_and_a_new_browser_counts_again(client):
    found = article()
    first = vote(client, found)
    again = vote(client, found, "no")
    other = vote(Client(), found, "no")
    found.refresh_from_db()

    assert (found.helpful_yes, found.helpful_no) == (1, 1)
    assert first.status_code == again.status_code == other.status_code == 302
    assert first["Location"] == found.get_absolute_url()
    assert "Gracias por su opinión" in text(client.get(found.get_absolute_url()))
    vote(client, found, "no")
    assert "Ya nos dio su opinión sobre este artículo." in text(client.get(found.get_absolute_url()))


def test_the_browser_cookie_is_random_long_lived_http_only_and_only_its_digest_is_stored(client):
    found = article()
    response = vote(client, found, secure=True)
    cookie = response.cookies[BROWSER_COOKIE]
    assert len(cookie.value) >= 40
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert ArticleVote.objects.get().browser == hashlib.sha256(cookie.value.encode()).hexdigest()
    # The second vote keeps the cookie it has.
    assert BROWSER_COOKIE not in vote(client, found).cookies


def test_a_vote_over_plain_http_has_a_cookie_not_marked_secure(client):
    cookie = vote(client, article()).cookies[BROWSER_COOKIE]
    assert not cookie["secure"]


def test_a_vote_with_htmx_answers_with_the_thanks_in_the_vote_box(client):
    found = article()
    response = vote(client, found, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Gracias por su opinión" in text(response)
    assert "<h1>" not in text(response) and "<form" not in text(response)
    again = vote(client, found, headers={"HX-Request": "true"})
    assert "Ya nos dio su opinión sobre este artículo." in text(again)


def test_a_vote_is_a_post_a_get_is_405(client):
    found = article()
    assert client.get(reverse("help:vote", args=[found.pk]), {"util": "si"}).status_code == 405
    found.refresh_from_db()
    assert found.helpful_yes == 0


@pytest.mark.parametrize("value", ["", "sí", "yes", "1", "SI"])
def test_a_bad_vote_value_is_a_spanish_400_and_counts_nothing(client, value):
    found = article()
    response = vote(client, found, value)
    found.refresh_from_db()
    assert response.status_code == 400
    assert "Elija «Sí» o «No»." in text(response)
    assert (found.helpful_yes, found.helpful_no) == (0, 0)
    htmx = vote(client, found, value, headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and "Elija «Sí» o «No»." in text(htmx)


def test_votes_over_the_limit_of_an_address_are_429_in_spanish(settings):
    settings.HELPDESK_VOTE_RATE_LIMIT = (2, 600)
    found = article()
    # Three browsers behind one address: the third is over the limit.
    statuses = [vote(Client(), found).status_code for _ in range(3)]
    found.refresh_from_db()

    assert statuses == [302, 302, 429]
    assert found.helpful_yes == 2
    limited = vote(Client(), found, headers={"HX-Request": "true"})
    assert limited.status_code == 429
    assert "Recibimos demasiadas opiniones desde su conexión" in text(limited)
    assert int(limited["Retry-After"]) > 0
    # Another address still votes.
    assert vote(Client(REMOTE_ADDR="10.0.0.9"), found).status_code == 302


def test_a_page_with_a_message_is_never_cached(client):
    found = article()
    assert "no-cache" not in client.get(found.get_absolute_url()).get("Cache-Control", "")
    assert "no-store" in vote(client, found)["Cache-Control"]
    after = client.get(found.get_absolute_url())
    assert "Gracias por su opinión" in text(after)
    assert "no-store" in after["Cache-Control"]


# Views -----------------------------------------------------------------------------------


def test_reading_an_article_changes_no_counter(client):
    found = article()
    client.get(found.get_absolute_url())
    client.get(found.get_absolute_url())
    found.refresh_from_db()
    assert (found.views, found.helpful_yes, found.helpful_no) == (0, 0, 0)


def test_a_view_is_counted_once_per_session_through_its_post(client):
    found = article()
    url = reverse("help:viewed", args=[found.pk])
    statuses = [client.post(url).status_code, client.post(url).status_code, Client().post(url).status_code]
    found.refresh_from_db()
    assert statuses == [204, 204, 204]
    assert found.views == 2


def test_a_view_is_a_post_a_get_is_405(client):
    found = article()
    assert client.get(reverse("help:viewed", args=[found.pk])).status_code == 405
    found.refresh_from_db()
    assert found.views == 0


# Links to the help center -------------------------------------------------------------


def test_the_home_page_and_the_top_bar_link_to_the_help_center(client):
    body = text(client.get(reverse("home")))
    assert body.count(f'href="{reverse("help:index")}"') == 2  # the top bar and the card
    assert f'action="{reverse("help:search")}"' in body
    report = text(client.get(REPORT))
    assert f'href="{reverse("help:index")}"' in report


# Queries ---------------------------------------------------------------------------------


def many(count: int, module) -> None:
    for n in range(count):
        article(f"Impresora {n}", "La impresora imprime.", modules=[module], helpful_yes=n)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(lambda module: (reverse("help:index"), {}), id="index"),
        # SQLite's word match loads each candidate's state once more (knowledge.search): constant on PostgreSQL.
        pytest.param(lambda module: (reverse("help:search"), {"q": "impresora"}), id="search"),
        pytest.param(lambda module: (reverse("help:search"), {"q": "impresora", "modulo": module.pk}), id="search-module"),
        pytest.param(lambda module: (reverse("help:module", args=[module.pk]), {}), id="module"),
    ],
)
def test_the_pages_queries_do_not_grow_with_the_articles(client, page):
    module = ModuleFactory(name="Impresión")
    many(3, module)
    url, query = page(module)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    many(27, module)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url, query).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_article_page_queries_do_not_grow_with_its_related_articles(client):
    module = ModuleFactory(name="Impresión")
    found = article(modules=[module])
    many(3, module)
    with CaptureQueriesContext(connection) as few:
        client.get(found.get_absolute_url())
    many(27, module)
    with CaptureQueriesContext(connection) as more:
        client.get(found.get_absolute_url())
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_browser_that_voted_reads_that_it_did_instead_of_the_question_again(client):
    found = article()
    assert 'name="util"' in client.get(found.get_absolute_url()).content.decode()
    vote(client, found)
    page = client.get(found.get_absolute_url()).content.decode()
    assert 'name="util"' not in page
    assert "Ya nos dio su opinión sobre este artículo." in page
    # Another browser is still asked.
    assert 'name="util"' in Client().get(found.get_absolute_url()).content.decode()
