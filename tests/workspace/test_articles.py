"""The knowledge base's pages for agents: the list, an article, the editor with its
preview, publishing and archiving, revisions (docs/knowledge.md, «Writing and publishing
in the workspace»)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from knowledge import services
from knowledge.models import Article, ArticleRevision
from tests.factories import AgentFactory, ArticleFactory, ModuleFactory, TicketFactory, UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def _draft(by, **fields) -> Article:
    values = {"title": "Restablecer la contraseña", "body": "Pulse **Olvidé mi contraseña**.", **fields}
    return services.article_create(by=by, **values)


def _in_state(state: str, by, coordinator) -> Article:
    article = _draft(by)
    if state in (Article.State.PUBLISHED, Article.State.ARCHIVED):
        article = services.article_publish(article=article, by=coordinator)
    if state == Article.State.ARCHIVED:
        article = services.article_archive(article=article, by=coordinator)
    return article


# Who reaches the pages -------------------------------------------------------------------


def _pages(article):
    return [
        reverse("workspace:articles"),
        reverse("workspace:article-new"),
        reverse("workspace:article", args=[article.pk]),
        reverse("workspace:article-edit", args=[article.pk]),
        reverse("workspace:article-revisions", args=[article.pk]),
    ]


def test_without_a_session_every_page_sends_to_sign_in(client, agent):
    article = ArticleFactory(created_by=agent)
    for url in _pages(article):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_a_user_who_is_not_an_agent_is_refused_in_spanish(agent):
    article = ArticleFactory(created_by=agent, title="Artículo interno de la mesa")
    outsider = _client(UserFactory())
    for url in _pages(article):
        response = outsider.get(url)
        assert response.status_code == 403, url
        assert "Sin acceso" in _text(response)
        assert "Artículo interno de la mesa" not in _text(response)
    response = outsider.post(reverse("workspace:article-preview"), {"body": "**hola**"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name, args",
    [
        ("workspace:article-publish", True),
        ("workspace:article-archive", True),
        ("workspace:article-unarchive", True),
        ("workspace:article-preview", False),
    ],
)
def test_a_get_of_an_action_changes_nothing(agent_client, coordinator, name, args):
    article = ArticleFactory(created_by=coordinator)
    response = agent_client.get(reverse(name, args=[article.pk] if args else []))
    assert response.status_code == 405
    article.refresh_from_db()
    assert article.state == Article.State.DRAFT


def test_a_get_of_restore_changes_nothing(agent_client, agent):
    article = _draft(agent)
    services.article_update(article=article, by=agent, title="Otro título")
    response = agent_client.get(reverse("workspace:article-restore", args=[article.pk, 1]))
    assert response.status_code == 405
    article.refresh_from_db()
    assert article.title == "Otro título"
    assert article.revisions.count() == 2


# Publishing, archiving, unarchiving, editing: who may, from which state ------------------

DRAFT, PUBLISHED, ARCHIVED = Article.State.DRAFT, Article.State.PUBLISHED, Article.State.ARCHIVED


@pytest.mark.parametrize(
    "role, action, start, status, end, says",
    [
        ("agent", "publish", DRAFT, 403, DRAFT, "No tiene permiso para publicar ni archivar artículos."),
        ("coordinator", "publish", DRAFT, 302, PUBLISHED, "Artículo publicado."),
        ("coordinator", "publish", ARCHIVED, 409, ARCHIVED, "Un artículo en estado Archivado no admite ese cambio."),
        ("coordinator", "publish", PUBLISHED, 409, PUBLISHED, "Un artículo en estado Publicado no admite ese cambio."),
        ("agent", "archive", PUBLISHED, 403, PUBLISHED, "No tiene permiso para publicar ni archivar artículos."),
        ("agent", "archive", DRAFT, 403, DRAFT, "No tiene permiso para publicar ni archivar artículos."),
        ("coordinator", "archive", PUBLISHED, 302, ARCHIVED, "Artículo archivado."),
        ("coordinator", "archive", DRAFT, 302, ARCHIVED, "Artículo archivado."),
        ("coordinator", "archive", ARCHIVED, 409, ARCHIVED, "Un artículo en estado Archivado no admite ese cambio."),
        ("agent", "unarchive", ARCHIVED, 302, DRAFT, "El artículo volvió a ser un borrador."),
        ("coordinator", "unarchive", ARCHIVED, 302, DRAFT, "El artículo volvió a ser un borrador."),
        ("agent", "unarchive", DRAFT, 409, DRAFT, "Un artículo en estado Borrador no admite ese cambio."),
    ],
)
def test_state_changes_by_role(agent, coordinator, role, action, start, status, end, says):
    article = _in_state(start, agent, coordinator)
    client = _client(agent if role == "agent" else coordinator)
    response = client.post(reverse(f"workspace:article-{action}", args=[article.pk]), follow=False)
    assert response.status_code == status
    article.refresh_from_db()
    assert article.state == end
    if status == 302:
        assert response["Location"] == reverse("workspace:article", args=[article.pk])
        response = client.get(response["Location"])
    assert says in _text(response)


@pytest.mark.parametrize(
    "role, state, buttons",
    [
        ("agent", DRAFT, []),
        ("agent", PUBLISHED, []),
        ("agent", ARCHIVED, ["Desarchivar"]),
        ("coordinator", DRAFT, ["Publicar", "Archivar"]),
        ("coordinator", PUBLISHED, ["Archivar"]),
        ("coordinator", ARCHIVED, ["Desarchivar"]),
    ],
)
def test_the_article_page_shows_only_the_changes_the_user_may_make(agent, coordinator, role, state, buttons):
    article = _in_state(state, agent, coordinator)
    response = _client(agent if role == "agent" else coordinator).get(reverse("workspace:article", args=[article.pk]))
    shown = re.findall(r'<button type="submit" class="button[^"]*">([^<]+)</button>', _text(response))
    assert shown == buttons
    assert f'href="{reverse("workspace:article-edit", args=[article.pk])}"' in _text(response)


@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_agents_and_coordinators_edit_an_article(agent, coordinator, role):
    article = _draft(agent)
    user = agent if role == "agent" else coordinator
    client = _client(user)
    opened = client.get(reverse("workspace:article-edit", args=[article.pk]))
    version = re.search(r'name="version" value="([^"]+)"', _text(opened)).group(1)
    response = client.post(
        reverse("workspace:article-edit", args=[article.pk]),
        {"title": "Restablecer su contraseña", "body": "Nuevo texto.", "visibility": "public", "version": version},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body, article.visibility, article.updated_by) == (
        "Restablecer su contraseña",
        "Nuevo texto.",
        "public",
        user,
    )


def test_the_public_page_is_linked_only_from_a_published_public_article(agent, coordinator):
    client = _client(agent)
    internal = services.article_publish(article=_draft(agent), by=coordinator)
    public = services.article_publish(article=_draft(agent, visibility="public"), by=coordinator)
    draft = _draft(agent, visibility="public")
    for article, linked in [(internal, False), (public, True), (draft, False)]:
        response = client.get(reverse("workspace:article", args=[article.pk]))
        assert ("Ver en la ayuda pública" in _text(response)) is linked
        assert (f'href="/ayuda/articulos/{article.pk}/"' in _text(response)) is linked


def test_the_article_page_shows_its_facts_in_the_desks_time_zone(agent, coordinator):
    ticket = TicketFactory(state=Ticket.State.SOLVED, subject="No imprime", solution="Reinicie la cola.")
    module = ModuleFactory(name="Impresión")
    # 18:30 UTC is 12:30 in Mexico City (UTC-6, no daylight saving time).
    with time_machine.travel(datetime(2026, 11, 23, 18, 30, tzinfo=UTC), tick=False):
        article = services.article_from_ticket(ticket=ticket, by=agent)
        services.article_update(article=article, by=agent, keywords="cola, spooler", modules=[module])
    with time_machine.travel(datetime(2026, 11, 24, 2, 5, tzinfo=UTC), tick=False):
        services.article_publish(article=article, by=coordinator)
    Article.objects.filter(pk=article.pk).update(views=41, helpful_yes=7, helpful_no=2)
    text = _text(_client(agent).get(reverse("workspace:article", args=[article.pk])))
    assert "Ana Agente, 23 de noviembre de 2026 a las 12:30" in text
    # Published at 02:05 UTC of the 24th: 20:05 of the 23rd at the desk.
    assert "Carla Coordinadora, 23 de noviembre de 2026 a las 20:05" in text
    assert "Impresión" in text
    assert "cola, spooler" in text
    assert f'href="{reverse("workspace:ticket", args=[ticket.pk])}"' in text
    assert "<dd>41</dd>" in text
    assert "Sí: 7 · No: 2" in text


# Writing -----------------------------------------------------------------------------------


def test_a_new_article_is_a_draft_with_its_first_revision(agent_client, agent, module):
    inactive = ModuleFactory(name="Módulo retirado", is_active=False)
    page = _text(agent_client.get(reverse("workspace:article-new")))
    assert module.name in page
    assert inactive.name not in page
    response = agent_client.post(
        reverse("workspace:article-new"),
        {
            "title": "  Configurar la VPN ",
            "body": "1. Instale el cliente.\n2. Entre con su usuario.",
            "keywords": "vpn, remoto",
            "visibility": "public",
            "modules": [module.pk],
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:article", args=[article.pk])
    assert (article.title, article.state, article.visibility, article.keywords) == (
        "Configurar la VPN",
        Article.State.DRAFT,
        "public",
        "vpn, remoto",
    )
    assert list(article.modules.all()) == [module]
    assert list(article.revisions.values_list("number", "title", "author")) == [(1, "Configurar la VPN", agent.pk)]
    assert "Borrador guardado." in _text(agent_client.get(response["Location"]))


def test_editing_the_text_writes_a_revision_and_the_keywords_alone_do_not(agent_client, agent):
    article = _draft(agent)
    url = reverse("workspace:article-edit", args=[article.pk])

    def save(**changes):
        opened = _text(agent_client.get(url))
        version = re.search(r'name="version" value="([^"]+)"', opened).group(1)
        current = Article.objects.get(pk=article.pk)
        data = {
            "title": current.title,
            "body": current.body,
            "keywords": current.keywords,
            "visibility": current.visibility,
            "version": version,
            **changes,
        }
        return agent_client.post(url, data)

    assert save(body="Pulse *Olvidé mi contraseña* y siga el correo.").status_code == 302
    assert save(keywords="clave, acceso").status_code == 302
    numbers = list(ArticleRevision.objects.filter(article=article).order_by("number").values_list("number", "body"))
    assert numbers == [(1, "Pulse **Olvidé mi contraseña**."), (2, "Pulse *Olvidé mi contraseña* y siga el correo.")]
    assert Article.objects.get(pk=article.pk).keywords == "clave, acceso"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "", "body": "Texto tecleado con cuidado"}, "Este campo es obligatorio."),
        ({"title": "   ", "body": "Texto tecleado con cuidado"}, "Este campo es obligatorio."),
        (
            {"title": "T" * 201, "body": "Texto tecleado con cuidado"},
            "Asegúrese de que este valor tenga menos de 200 caracteres",
        ),
        (
            {"title": "Título tecleado", "body": "Texto tecleado con cuidado", "visibility": "todos"},
            "Escoja una opción válida.",
        ),
        (
            {"title": "Título tecleado", "body": "Texto tecleado con cuidado", "modules": ["999"]},
            "Escoja una opción válida.",
        ),
    ],
)
def test_bad_input_is_a_400_in_spanish_keeping_what_was_typed(agent_client, data, message):
    response = agent_client.post(reverse("workspace:article-new"), {"visibility": "internal", **data})
    assert response.status_code == 400
    text = _text(response)
    assert message in text
    assert "Revise los campos marcados." in text
    assert "Texto tecleado con cuidado</textarea>" in text
    assert Article.objects.count() == 0


def test_bad_input_on_edit_is_a_400_keeping_what_was_typed(agent_client, agent):
    article = _draft(agent)
    response = agent_client.post(
        reverse("workspace:article-edit", args=[article.pk]),
        {"title": "", "body": "Mi texto nuevo a medias", "visibility": "internal", "version": "x"},
    )
    assert response.status_code == 400
    assert "Mi texto nuevo a medias</textarea>" in _text(response)
    article.refresh_from_db()
    assert article.body == "Pulse **Olvidé mi contraseña**."


def test_a_save_over_a_newer_change_is_refused_with_409_keeping_the_typed_text(agent, other_agent):
    article = _draft(agent)
    url = reverse("workspace:article-edit", args=[article.pk])
    client = _client(agent)
    opened = _text(client.get(url))
    version = re.search(r'name="version" value="([^"]+)"', opened).group(1)
    # Meanwhile Beto changes it.
    with time_machine.travel(datetime(2026, 11, 23, 18, 30, tzinfo=UTC), tick=False):
        services.article_update(article=article, by=other_agent, body="El texto de Beto.")
    typed = {
        "title": "Restablecer la contraseña",
        "body": "El texto de Ana.",
        "visibility": "internal",
        "version": version,
    }
    response = client.post(url, typed)
    assert response.status_code == 409
    text = _text(response)
    assert "Beto Agente modificó este artículo el 23 de noviembre de 2026 a las 12:30" in text
    assert "El texto de Ana.</textarea>" in text
    assert "El texto de Beto." in text  # the current version, shown to compare
    article.refresh_from_db()
    assert article.body == "El texto de Beto."
    # Having read it, Ana saves again: the form now carries the current version.
    renewed = re.search(r'name="version" value="([^"]+)"', text).group(1)
    assert renewed != version
    assert client.post(url, {**typed, "version": renewed}).status_code == 302
    article.refresh_from_db()
    assert article.body == "El texto de Ana."


def test_a_change_of_state_since_opening_also_makes_the_form_stale(agent, coordinator):
    article = _draft(agent)
    url = reverse("workspace:article-edit", args=[article.pk])
    client = _client(agent)
    version = re.search(r'name="version" value="([^"]+)"', _text(client.get(url))).group(1)
    services.article_publish(article=article, by=coordinator)
    response = client.post(url, {"title": "T", "body": "B", "visibility": "internal", "version": version})
    assert response.status_code == 409
    assert "Carla Coordinadora modificó este artículo" in _text(response)


# The preview -----------------------------------------------------------------------------

DANGEROUS = (
    "**Importante**\n\n<script>alert('x')</script>\n\n[Abrir](javascript:alert(1))\n\n"
    '<img src="x" onerror="alert(2)">\n\n[Guía](https://soporte.example.mx/guia)'
)


def test_the_preview_renders_markdown_sanitized_and_saves_nothing(agent_client):
    response = agent_client.post(reverse("workspace:article-preview"), {"body": DANGEROUS}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _text(response)
    assert "<strong>Importante</strong>" in html
    assert "<script" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html  # the tag typed is shown as text, its handler with it
    assert re.findall(r"<a [^>]*>", html) == ['<a href="https://soporte.example.mx/guia" rel="noopener noreferrer">']
    assert "<html" not in html  # a fragment, not a page
    assert Article.objects.count() == 0


def test_the_preview_of_a_body_too_long_is_a_400(agent_client):
    response = agent_client.post(reverse("workspace:article-preview"), {"body": "a" * 100_001})
    assert response.status_code == 400
    assert "demasiado largo" in _text(response)


def test_the_preview_button_without_javascript_keeps_the_form_and_saves_nothing(agent_client, module):
    response = agent_client.post(
        reverse("workspace:article-new"),
        {
            "title": "Título a medias",
            "body": DANGEROUS,
            "keywords": "vpn",
            "visibility": "public",
            "modules": [module.pk],
            "preview": "1",
        },
    )
    assert response.status_code == 200
    html = _text(response)
    assert "<strong>Importante</strong>" in html
    assert "<script>alert" not in html
    assert 'value="Título a medias"' in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html  # the typed body, escaped in the textarea
    assert re.search(rf'value="{module.pk}"[^>]*checked', html)
    assert Article.objects.count() == 0


def test_the_editor_asks_for_the_preview_while_typing(agent_client):
    html = _text(agent_client.get(reverse("workspace:article-new")))
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert f'hx-post="{reverse("workspace:article-preview")}"' in textarea
    assert 'hx-trigger="input changed delay:500ms"' in textarea
    assert 'id="article-preview"' in html and 'aria-live="polite"' in html


# The list ----------------------------------------------------------------------------------


def _titles(response) -> list[str]:
    return re.findall(r'<td><a href="/mesa/articulos/\d+/">([^<]+)</a>', _text(response))


@pytest.fixture
def shelf(agent, coordinator):
    """Four articles changed in this order (the newest last)."""
    printing = ModuleFactory(name="Impresión")
    billing = ModuleFactory(name="Facturación")
    made = {}
    for minute, (title, keywords, visibility, module, state) in enumerate(
        [
            ("Reiniciar la cola de impresión", "spooler", "public", printing, PUBLISHED),
            ("Timbrar una factura", "cfdi", "internal", billing, DRAFT),
            ("Cancelar un CFDI", "sat", "public", billing, ARCHIVED),
            ("Impresora sin papel", "bandeja", "internal", printing, DRAFT),
        ]
    ):
        with time_machine.travel(datetime(2026, 11, 23, 15, minute, tzinfo=UTC), tick=False):
            article = _draft(agent, title=title, keywords=keywords, visibility=visibility, modules=[module])
            if state != DRAFT:
                services.article_publish(article=article, by=coordinator)
            if state == ARCHIVED:
                services.article_archive(article=article, by=coordinator)
        made[title] = article
    return {"articles": made, "printing": printing, "billing": billing}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Impresora sin papel", "Cancelar un CFDI", "Timbrar una factura", "Reiniciar la cola de impresión"]),
        ({"estado": "draft"}, ["Impresora sin papel", "Timbrar una factura"]),
        ({"estado": "published"}, ["Reiniciar la cola de impresión"]),
        ({"estado": "archived"}, ["Cancelar un CFDI"]),
        ({"visibilidad": "public"}, ["Cancelar un CFDI", "Reiniciar la cola de impresión"]),
        ({"modulo": "printing"}, ["Impresora sin papel", "Reiniciar la cola de impresión"]),
        ({"modulo": "billing", "estado": "draft"}, ["Timbrar una factura"]),
        ({"q": "IMPRES"}, ["Impresora sin papel", "Reiniciar la cola de impresión"]),
        ({"q": "cfdi"}, ["Cancelar un CFDI", "Timbrar una factura"]),  # title or keywords
        ({"q": "cola spooler"}, ["Reiniciar la cola de impresión"]),  # every word
        ({"q": "nada parecido"}, []),
    ],
)
def test_the_list_filters(agent_client, shelf, query, expected):
    if "modulo" in query:
        query = {**query, "modulo": shelf[query["modulo"]].pk}
    response = agent_client.get(reverse("workspace:articles"), query)
    assert response.status_code == 200
    assert _titles(response) == expected
    if not expected:
        assert "No hay artículos con estos filtros." in _text(response)


def test_the_list_shows_state_visibility_modules_who_and_when_views_and_votes(agent_client, shelf):
    Article.objects.filter(pk=shelf["articles"]["Reiniciar la cola de impresión"].pk).update(
        views=120, helpful_yes=9, helpful_no=3
    )
    text = _text(agent_client.get(reverse("workspace:articles"), {"estado": "published"}))
    row = re.search(r"<tr>\s*<td><a href=.*?</tr>", text, re.S).group(0)
    assert "Publicado" in row and "Público" in row and "Impresión" in row
    # Published at 15:00 UTC by Carla: 09:00 at the desk.
    assert "Carla Coordinadora" in row and "23/11/2026 09:00" in row
    assert "120" in row and "9 / 3" in row


@pytest.mark.parametrize(
    "query, left_out, expected",
    [
        ({"estado": "borrado", "modulo": "999"}, ["Estado", "Módulo"], 4),
        # The valid filter still applies.
        ({"visibilidad": "public", "modulo": "impresion"}, ["Módulo"], 2),
    ],
)
def test_an_unknown_filter_is_a_400_in_spanish_and_left_out(agent_client, shelf, query, left_out, expected):
    response = agent_client.get(reverse("workspace:articles"), query)
    assert response.status_code == 400
    text = _text(response)
    assert "Algunos filtros no son válidos y no se aplicaron" in text
    errors = re.search(r'<div class="queue-errors" role="alert">.*?</div>', text, re.S).group(0)
    assert re.findall(r"<li>([^:<]+):", errors) == left_out
    assert len(_titles(response)) == expected


def test_the_list_pages_by_25(agent_client, agent):
    for n in range(27):
        ArticleFactory(created_by=agent, title=f"Artículo número {n:02d}")
    first = agent_client.get(reverse("workspace:articles"))
    assert len(_titles(first)) == 25
    assert "Página 1 de 2" in _text(first)
    second = agent_client.get(reverse("workspace:articles"), {"pagina": 2})
    assert sorted(_titles(second)) == ["Artículo número 00", "Artículo número 01"]


def test_the_list_reads_a_constant_number_of_queries(agent_client, agent):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(reverse("workspace:articles")).status_code == 200
        return len(queries)

    module = ModuleFactory()
    for _n in range(3):
        ArticleFactory(created_by=AgentFactory(), modules=[module, ModuleFactory()])
    few = count()
    for _n in range(27):
        ArticleFactory(created_by=AgentFactory(), modules=[module, ModuleFactory()])
    assert count() == few


def test_the_list_has_the_new_article_button_and_the_nav_marks_it(agent_client):
    text = _text(agent_client.get(reverse("workspace:articles")))
    assert f'<a class="button" href="{reverse("workspace:article-new")}">Nuevo artículo</a>' in text
    assert f'<a href="{reverse("workspace:articles")}" aria-current="page">Artículos</a>' in text


# Revisions ----------------------------------------------------------------------------------


def test_the_revisions_show_who_when_and_an_escaped_diff(agent_client, agent, other_agent):
    with time_machine.travel(datetime(2026, 11, 23, 18, 30, tzinfo=UTC), tick=False):
        article = _draft(agent, body="Primera línea.\nUse <b>Olvidé</b>.")
    with time_machine.travel(datetime(2026, 11, 24, 18, 30, tzinfo=UTC), tick=False):
        services.article_update(article=article, by=other_agent, body="Primera línea.\nUse el enlace.")
    text = _text(agent_client.get(reverse("workspace:article-revisions", args=[article.pk])))
    assert "Revisión 2" in text and "Revisión 1" in text
    assert "Ana Agente, 23 de noviembre de 2026 a las 12:30" in text
    assert "Beto Agente, 24 de noviembre de 2026 a las 12:30" in text
    assert '<span class="diff-removed">-Use &lt;b&gt;Olvidé&lt;/b&gt;.</span>' in text
    assert '<span class="diff-added">+Use el enlace.</span>' in text
    assert "<b>Olvidé</b>" not in text
    # The newest is the current text: nothing to restore.
    assert text.count("Restaurar la revisión") == 1
    assert "Igual al texto actual." in text


def test_restoring_a_revision_writes_a_new_one(agent_client, agent):
    article = _draft(agent, title="Título uno", body="Texto uno.")
    services.article_update(article=article, by=agent, title="Título dos", body="Texto dos.")
    response = agent_client.post(reverse("workspace:article-restore", args=[article.pk, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:article", args=[article.pk])
    article.refresh_from_db()
    assert (article.title, article.body) == ("Título uno", "Texto uno.")
    assert list(article.revisions.order_by("number").values_list("number", "title")) == [
        (1, "Título uno"),
        (2, "Título dos"),
        (3, "Título uno"),
    ]
    assert "Se restauró la revisión 1" in _text(agent_client.get(response["Location"]))


def test_restoring_a_revision_of_another_article_is_a_404(agent_client, agent):
    article = _draft(agent)
    other = _draft(agent, title="Otro")
    services.article_update(article=other, by=agent, title="Otro más")
    response = agent_client.post(reverse("workspace:article-restore", args=[article.pk, 2]))
    assert response.status_code == 404


def test_agents_see_internal_articles_and_drafts(agent, coordinator):
    internal_draft = ArticleFactory(created_by=coordinator, title="Borrador solo para agentes")
    response = _client(agent).get(reverse("workspace:article", args=[internal_draft.pk]))
    assert response.status_code == 200
    assert "Borrador solo para agentes" in _text(response)
    assert "Solo agentes" in _text(response)


@pytest.fixture
def reader(db):
    """Somebody who works tickets but may not write articles (a desk's own role)."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Solo tickets")
    group.permissions.add(Permission.objects.get(codename="work_ticket"))
    return AgentFactory(first_name="Rita", last_name="Lectora", username="rita", groups=["Solo tickets"])


def test_who_may_not_write_articles_reads_them_and_every_change_is_refused_with_403(reader, agent, coordinator):
    archived = _in_state(ARCHIVED, agent, coordinator)
    services.article_update(article=archived, by=agent, body="Segunda versión.")
    client = _client(reader)
    page = _text(client.get(reverse("workspace:article", args=[archived.pk])))
    assert "Segunda versión." in page
    assert "Editar" not in page and "Desarchivar" not in page
    assert "Restaurar la revisión" not in _text(client.get(reverse("workspace:article-revisions", args=[archived.pk])))
    refused = [
        client.get(reverse("workspace:article-new")),
        client.post(reverse("workspace:article-new"), {"title": "T", "body": "B", "visibility": "internal"}),
        client.get(reverse("workspace:article-edit", args=[archived.pk])),
        client.post(reverse("workspace:article-edit", args=[archived.pk]), {"title": "T", "body": "B"}),
        client.post(reverse("workspace:article-unarchive", args=[archived.pk])),
        client.post(reverse("workspace:article-restore", args=[archived.pk, 1])),
    ]
    assert [response.status_code for response in refused] == [403] * 6
    assert all("No tiene permiso para escribir artículos." in _text(response) for response in refused)
    archived.refresh_from_db()
    assert (archived.state, archived.body, Article.objects.count()) == (ARCHIVED, "Segunda versión.", 1)
