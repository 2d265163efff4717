"""The knowledge base on the agent's ticket page: the guidance panel's matching articles,
the article picker of the reply and the note, "Publicar como artículo", and the articles
made from or suggested to the ticket (docs/knowledge.md, «Articles on the ticket page»)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Article, ArticleSuggestion
from tests.factories import (
    ArticleFactory,
    ContactFactory,
    ModuleFactory,
    OrganizationFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

S, V = Article.State, Article.Visibility
BASE = "https://mesa.example.mx"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.HELPDESK_BASE_URL = BASE


def text(response) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&quot;", '"').replace("&#x27;", "'")


def published(title, *, visibility=V.PUBLIC, state=S.PUBLISHED, body="Si la impresora no imprime, vacíe la cola y reinicie el equipo.", **fields):
    return ArticleFactory(
        title=title,
        body=body,
        state=state,
        visibility=visibility,
        published_at=timezone.now() if state != S.DRAFT else None,
        **fields,
    )


@pytest.fixture
def printer_ticket(agent):
    module = ModuleFactory(name="Impresión")
    return TicketFactory(
        module=module,
        subject="No imprime la impresora",
        description="Desde ayer la impresora del tercer piso no imprime nada.",
        state=Ticket.State.IN_PROGRESS,
        assignee=agent,
    )


def guidance(client, ticket):
    return client.get(reverse("workspace:ticket-guidance", args=[ticket.pk]), headers={"HX-Request": "true"})


def guidance_article_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [int(pk) for pk in re.findall(r'data-guidance-article="(\d+)"', response.content.decode())]


# The guidance panel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "visibility", "shown", "badge"),
    [
        (S.PUBLISHED, V.PUBLIC, True, "Público"),
        (S.PUBLISHED, V.INTERNAL, True, "Solo agentes"),
        (S.DRAFT, V.PUBLIC, False, None),
        (S.DRAFT, V.INTERNAL, False, None),
        (S.ARCHIVED, V.PUBLIC, False, None),
        (S.ARCHIVED, V.INTERNAL, False, None),
    ],
)
def test_guidance_shows_published_articles_of_both_visibilities_never_drafts_or_archived(
    client, agent, printer_ticket, state, visibility, shown, badge
):
    article = published("La impresora no imprime: vacíe la cola", state=state, visibility=visibility)
    client.force_login(agent)

    response = guidance(client, printer_ticket)

    assert (article.pk in guidance_article_ids(response)) is shown
    html = response.content.decode()
    if shown:
        item = re.search(rf'data-guidance-article="{article.pk}".*?</li>', html, re.DOTALL).group(0)
        assert f'href="{reverse("workspace:article", args=[article.pk])}"' in item
        assert f">{badge}</span>" in item
        assert "vacíe la cola" in item  # the snippet
    else:
        assert "La impresora no imprime: vacíe la cola" not in html
        assert "Ningún artículo publicado coincide con el asunto y la descripción del ticket." in text(response)


def test_guidance_shows_the_articles_above_the_similar_solved_tickets(client, agent, printer_ticket):
    published("La impresora no imprime: vacíe la cola")
    client.force_login(agent)

    html = guidance(client, printer_ticket).content.decode()

    precedent = re.search(r'data-question="precedent".*?data-question="specialty"', html, re.DOTALL).group(0)
    assert precedent.index("Artículos de la base de conocimiento") < precedent.index('id="guidance-articles"')
    assert precedent.index('id="guidance-articles"') < precedent.index("Tickets solucionados parecidos")
    assert precedent.index("Tickets solucionados parecidos") < precedent.index('id="similar-tickets"')


def test_guidance_puts_the_modules_articles_first(client, agent, printer_ticket):
    day = timezone.now()
    of_module = published("La impresora no imprime (1)", modules=[printer_ticket.module])
    of_module.published_at = day - timezone.timedelta(days=2)
    of_module.save()
    elsewhere = published("La impresora no imprime (2)", modules=[ModuleFactory(name="Redes")])
    elsewhere.published_at = day  # newer: without the preference it would come first
    elsewhere.save()
    client.force_login(agent)

    response = guidance(client, printer_ticket)

    assert guidance_article_ids(response) == [of_module.pk, elsewhere.pk]
    item = re.search(rf'data-guidance-article="{of_module.pk}".*?</li>', response.content.decode(), re.DOTALL)
    assert "Del módulo Impresión" in item.group(0)
    other = re.search(rf'data-guidance-article="{elsewhere.pk}".*?</li>', response.content.decode(), re.DOTALL)
    assert "Del módulo" not in other.group(0)


def test_guidance_lists_at_most_five_articles(client, agent, printer_ticket):
    for number in range(7):
        published(f"La impresora no imprime, caso {number}")
    client.force_login(agent)

    assert len(guidance_article_ids(guidance(client, printer_ticket))) == 5


def test_guidance_makes_the_same_number_of_queries_with_one_or_five_articles(client, agent, printer_ticket):
    client.force_login(agent)
    published("La impresora no imprime (única)", modules=[printer_ticket.module])
    guidance(client, printer_ticket)  # warm up: session, permissions, content types
    counts = []
    for extra in (0, 4):
        for number in range(extra):
            published(f"La impresora no imprime, otro caso {number}", modules=[printer_ticket.module])
        guidance(client, printer_ticket)  # their authors joined a group: permissions read again
        with CaptureQueriesContext(connection) as queries:
            response = guidance(client, printer_ticket)
        assert len(guidance_article_ids(response)) == 1 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# The article picker -----------------------------------------------------------------


def picker(client, ticket, *, htmx=True, **params):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.get(reverse("workspace:ticket-article-picker", args=[ticket.pk]), params, headers=headers)


def picked_ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    return {int(pk) for pk in re.findall(r'data-pick-article="(\d+)"', response.content.decode())}


@pytest.fixture
def printer_articles():
    return {
        "public": published("Cómo vaciar la cola de la impresora", visibility=V.PUBLIC),
        "internal": published("Reiniciar el servidor de impresión de la impresora", visibility=V.INTERNAL),
        "draft": published("Borrador: impresora", state=S.DRAFT, visibility=V.PUBLIC),
        "archived": published("Archivado: impresora", state=S.ARCHIVED, visibility=V.INTERNAL),
    }


@pytest.mark.parametrize(
    ("para", "listed"),
    [
        ("respuesta", {"public"}),
        ("nota", {"public", "internal"}),
    ],
)
def test_picker_lists_public_articles_for_a_reply_and_both_for_a_note(
    client, agent, printer_ticket, printer_articles, para, listed
):
    client.force_login(agent)

    response = picker(client, printer_ticket, para=para, q="impresora")

    assert picked_ids(response) == {printer_articles[name].pk for name in listed}
    if para == "respuesta":
        assert "Reiniciar el servidor de impresión" not in response.content.decode()


@pytest.mark.parametrize(("params", "htmx"), [({"para": "otro"}, True), ({}, True), ({"para": "Respuesta"}, False)])
def test_picker_refuses_an_unknown_para_in_spanish(client, agent, printer_ticket, printer_articles, params, htmx):
    client.force_login(agent)

    response = picker(client, printer_ticket, htmx=htmx, q="impresora", **params)

    assert response.status_code == 400
    assert "«para» debe ser «respuesta» (al solicitante) o «nota» (interna)" in text(response)
    assert "data-pick-article" not in response.content.decode()


def test_the_inserted_text_links_a_public_article_to_its_public_page_and_an_internal_one_to_the_workspace(
    client, agent, printer_ticket, printer_articles
):
    public, internal = printer_articles["public"], printer_articles["internal"]
    client.force_login(agent)

    html = picker(client, printer_ticket, para="nota", q="impresora").content.decode()

    public_text = f"Cómo vaciar la cola de la impresora: {BASE}/ayuda/articulos/{public.pk}/"
    internal_text = f"Reiniciar el servidor de impresión de la impresora: {BASE}/mesa/articulos/{internal.pk}/"
    assert f'data-insert="{public_text}"' in html
    assert f'data-insert="{internal_text}"' in html
    assert 'data-insert-into="note-body"' in html
    # The buttons wait for the page's script (static/js/ticket.js) to show them.
    buttons = re.findall(r"<button[^>]*data-insert=[^>]*>", html)
    assert len(buttons) == 2 and all(" hidden>" in button for button in buttons)
    assert f'aria-label="Insertar enlace a «{internal.title}»"' in html
    reply = picker(client, printer_ticket, para="respuesta", q="impresora").content.decode()
    assert f'data-insert="{public_text}"' in reply
    assert 'data-insert-into="reply-body"' in reply
    assert "/mesa/articulos/" not in re.sub(r'href="[^"]*"', "", reply)  # only the titles link to the desk


def test_picker_searches_the_tickets_subject_when_nothing_is_typed(client, agent, printer_ticket, printer_articles):
    vpn = published("Conectarse a la VPN desde casa", body="Instale el cliente VPN.")
    client.force_login(agent)

    by_subject = picker(client, printer_ticket, para="nota")
    typed = picker(client, printer_ticket, para="nota", q="conectarse")

    assert picked_ids(by_subject) == {printer_articles["public"].pk, printer_articles["internal"].pk}
    assert "Artículos publicados para el asunto «No imprime la impresora»:" in text(by_subject)
    assert picked_ids(typed) == {vpn.pk}
    assert "Artículos publicados para «conectarse»:" in text(typed)


def test_picker_says_when_nothing_matches(client, agent, printer_ticket):
    client.force_login(agent)

    response = picker(client, printer_ticket, para="respuesta", q="nómina quincenal")

    assert picked_ids(response) == set()
    assert "Ningún artículo publicado coincide. Pruebe con otras palabras." in text(response)


def test_picker_changes_nothing_and_refuses_a_post(client, agent, printer_ticket, printer_articles):
    client.force_login(agent)
    before = list(Article.objects.order_by("pk").values_list("pk", "views", "updated_at", "state"))

    picker(client, printer_ticket, para="respuesta", q="impresora")
    picker(client, printer_ticket, para="nota")
    posted = client.post(reverse("workspace:ticket-article-picker", args=[printer_ticket.pk]), {"para": "nota"})

    assert posted.status_code == 405
    assert list(Article.objects.order_by("pk").values_list("pk", "views", "updated_at", "state")) == before
    assert not printer_ticket.messages.exists()


def test_without_javascript_the_picker_is_a_page_with_the_text_to_copy(client, agent, printer_ticket, printer_articles):
    client.force_login(agent)

    response = picker(client, printer_ticket, htmx=False, para="respuesta", q="impresora")

    shown = text(response)
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert "Artículos públicos para enlazar en la respuesta" in shown
    public = printer_articles["public"]
    assert f"Texto del enlace: Cómo vaciar la cola de la impresora: {BASE}/ayuda/articulos/{public.pk}/" in shown
    assert "Volver al ticket" in shown


@pytest.mark.parametrize(("action", "para"), [("reply", "respuesta"), ("note", "nota")])
def test_the_reply_and_note_forms_carry_the_picker(client, agent, printer_ticket, action, para):
    client.force_login(agent)

    html = client.get(
        reverse(f"workspace:ticket-{action}", args=[printer_ticket.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    address = reverse("workspace:ticket-article-picker", args=[printer_ticket.pk])
    assert f'hx-get="{address}?para={para}" hx-trigger="load" hx-target="this"' in html
    assert f'hx-get="{address}?para={para}" hx-trigger="input changed delay:400ms"' in html
    # The search box belongs to the picker's own form: it is not sent with the message.
    search = re.search(rf'<input type="search" name="q" id="{action}-article-q"[^>]*>', html).group(0)
    assert f'form="{action}-article-search"' in search
    assert f'<form method="get" action="{address}" id="{action}-article-search" target="_blank"' in html
    assert f'id="{action}-article-results" aria-live="polite"' in html


def test_a_reply_sent_with_the_pickers_search_box_filled_keeps_only_its_text(client, agent, printer_ticket):
    client.force_login(agent)

    response = client.post(
        reverse("workspace:ticket-reply", args=[printer_ticket.pk]),
        {"body": "Revise este artículo: Cómo vaciar la cola: https://mesa.example.mx/ayuda/articulos/1/"},
    )

    assert response.status_code == 302
    reply = printer_ticket.messages.get(kind=Message.Kind.PUBLIC_REPLY)
    assert reply.body == "Revise este artículo: Cómo vaciar la cola: https://mesa.example.mx/ayuda/articulos/1/"


def test_picker_makes_the_same_number_of_queries_with_one_or_six_articles(client, agent, printer_ticket):
    client.force_login(agent)
    published("La impresora no imprime (primera)", visibility=V.INTERNAL)
    picker(client, printer_ticket, para="nota")  # warm up
    counts = []
    for extra in (0, 5):
        for number in range(extra):
            published(f"La impresora no imprime, caso {number}")
        picker(client, printer_ticket, para="nota")  # their authors joined a group: permissions read again
        with CaptureQueriesContext(connection) as queries:
            assert len(picked_ids(picker(client, printer_ticket, para="nota"))) == 1 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_picker_is_for_agents_only(client, printer_ticket):
    address = reverse("workspace:ticket-article-picker", args=[printer_ticket.pk])

    assert client.get(address, {"para": "nota"}).status_code == 302
    client.force_login(UserFactory())
    assert client.get(address, {"para": "nota"}).status_code == 403


# "Publicar como artículo" ---------------------------------------------------------------


def from_ticket(ticket) -> str:
    return reverse("workspace:article-from-ticket", args=[ticket.pk])


def page(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.pk])


@pytest.fixture
def solved_ticket(agent):
    organization = OrganizationFactory(name="Ferretería Robles")
    requester = ContactFactory(
        organization=organization, name="Lucía Ortega", email="lortega@ferreteria.mx", phone="+52 33 3615 4321"
    )
    ticket = TicketFactory(
        requester=requester, assignee=agent, solved=True, subject="La impresora de Lucía no imprime"
    )
    ticket.solution = (
        "Lucía Ortega: vaciamos la cola de impresión y reiniciamos el servicio. Si vuelve a pasar, "
        "llame al +52 33 3615 4321 o escriba a lortega@ferreteria.mx; en Ferretería Robles ya imprime."
    )
    ticket.save(update_fields=["solution"])
    return ticket


def test_a_solved_ticket_becomes_a_draft_without_the_requester_and_opens_it(client, agent, solved_ticket):
    client.force_login(agent)

    response = client.post(from_ticket(solved_ticket))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:article", args=[article.pk])
    assert (article.state, article.visibility, article.source_ticket) == (S.DRAFT, V.INTERNAL, solved_ticket)
    assert article.created_by == agent
    assert article.title == "La impresora de […] no imprime"
    for leaked in ("Lucía", "Ortega", "lortega", "ferreteria.mx", "3615", "4321", "Ferretería", "Robles"):
        assert leaked not in article.title + article.body, leaked
    assert "vaciamos la cola de impresión y reiniciamos el servicio" in article.body
    shown = text(client.get(response["Location"]))
    assert "Borrador creado a partir de la solución" in shown
    assert "vaciamos la cola de impresión" in shown


def test_a_closed_ticket_becomes_a_draft_too(client, agent):
    ticket = TicketFactory(assignee=agent, closed=True)
    client.force_login(agent)

    response = client.post(from_ticket(ticket))

    assert response.status_code == 302
    assert Article.objects.get().source_ticket == ticket


@pytest.mark.parametrize("trait", ["in_progress", "pending_user", "cancelled"])
def test_a_ticket_not_solved_is_refused_with_409(client, agent, trait):
    ticket = TicketFactory(assignee=agent, **{trait: True})
    client.force_login(agent)

    response = client.post(from_ticket(ticket))

    assert response.status_code == 409
    assert "Solo la solución de un ticket solucionado o cerrado puede ser un artículo." in text(response)
    assert "No se pudo aplicar «" not in text(response)
    assert not Article.objects.exists()


def agent_who_may_not_write_articles():
    user = UserFactory(username="sin-articulos")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="work_ticket"))
    return user


def test_a_user_without_add_article_is_refused_with_403_and_offered_no_button(client, solved_ticket):
    client.force_login(agent_who_may_not_write_articles())

    shown = text(client.get(page(solved_ticket)))
    response = client.post(from_ticket(solved_ticket))

    assert "Publicar como artículo" not in shown
    assert response.status_code == 403
    assert "Usted no tiene permiso para escribir artículos." in text(response)
    assert not Article.objects.exists()


def test_from_ticket_is_a_post(client, agent, solved_ticket):
    client.force_login(agent)

    assert client.get(from_ticket(solved_ticket)).status_code == 405
    assert not Article.objects.exists()


def test_from_ticket_needs_signing_in(client, solved_ticket):
    response = client.post(from_ticket(solved_ticket))

    assert response.status_code == 302 and "/entrar/" in response["Location"]
    assert not Article.objects.exists()


@pytest.mark.parametrize(("trait", "offered"), [("solved", True), ("closed", True), ("in_progress", False)])
def test_the_button_is_offered_on_a_solved_or_closed_ticket(client, agent, trait, offered):
    ticket = TicketFactory(assignee=agent, **{trait: True})
    client.force_login(agent)

    html = client.get(page(ticket)).content.decode()

    form = f'<form method="post" action="{from_ticket(ticket)}"'
    assert (form in html) is offered
    assert ("Publicar como artículo" in html) is offered


# The ticket's own articles ----------------------------------------------------------


def test_the_page_lists_the_articles_made_from_the_ticket_and_the_ones_suggested(client, agent, solved_ticket):
    made = published("Vaciar la cola de impresión", state=S.DRAFT, visibility=V.INTERNAL, source_ticket=solved_ticket)
    suggested = published("Cómo revisar el tóner")
    ArticleSuggestion.objects.create(ticket=solved_ticket, article=suggested, at=solved_ticket.created_at)
    unrelated = published("Otro artículo cualquiera")
    client.force_login(agent)

    response = client.get(page(solved_ticket))

    html = response.content.decode()
    made_section = re.search(r'id="articulos-del-ticket".*?</details>', html, re.DOTALL).group(0)
    assert f'href="{reverse("workspace:article", args=[made.pk])}"' in made_section
    assert "Vaciar la cola de impresión" in made_section and "Borrador · Solo agentes" in made_section
    suggested_section = re.search(r'id="articulos-sugeridos".*?</details>', html, re.DOTALL).group(0)
    assert "Artículos sugeridos al solicitante" in suggested_section
    assert f'href="{reverse("workspace:article", args=[suggested.pk])}"' in suggested_section
    assert "Cómo revisar el tóner" in suggested_section
    assert unrelated.title not in html


def test_a_ticket_without_articles_shows_neither_list(client, agent, printer_ticket):
    client.force_login(agent)

    shown = text(client.get(page(printer_ticket)))

    assert "Artículos de este ticket" not in shown
    assert "Artículos sugeridos al solicitante" not in shown


def test_the_page_makes_the_same_number_of_queries_with_none_or_several_articles(client, agent):
    empty = TicketFactory(assignee=agent, solved=True)
    full = TicketFactory(assignee=agent, solved=True)
    for number in range(3):
        published(f"Hecho del ticket {number}", state=S.DRAFT, source_ticket=full)
        ArticleSuggestion.objects.create(ticket=full, article=published(f"Sugerido {number}"), at=full.created_at)
    client.force_login(agent)
    client.get(page(empty))  # warm up

    counts = []
    for ticket in (empty, full):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(ticket)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
