"""The knowledge base from the agent's ticket page, in the browser: a solved ticket's
solution becomes a draft in one click and a coordinator publishes it; an agent puts an
article's link in a reply with the picker."""

import re

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from knowledge.models import Article
from tests.browser.screens import open_reply, sign_in, watch_console
from tests.factories import ArticleFactory, ContactFactory, ModuleFactory, TicketFactory
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def publish_button_exists() -> bool:
    """The article page's «Publicar» comes with the workspace's article editor."""
    try:
        reverse("workspace:article-publish", args=[1])
    except NoReverseMatch:
        return False
    return True


def solved_printer_ticket(agent):
    requester = ContactFactory(name="Lucía Ortega", email="lortega@ferreteria.mx", phone="+52 33 3615 4321")
    ticket = TicketFactory(
        requester=requester,
        assignee=agent,
        solved=True,
        module=ModuleFactory(name="Impresión"),
        subject="La impresora del almacén no imprime",
    )
    ticket.solution = "Lucía: vaciamos la cola de impresión y reiniciamos el servicio de impresión."
    ticket.save(update_fields=["solution"])
    return ticket


def agent_publishes_the_solution_as_a_draft(page, agent, accessible) -> Article:
    ticket = solved_printer_ticket(agent)
    errors = watch_console(page)
    sign_in(page, agent.username)
    page.goto(f"/mesa/tickets/{ticket.pk}/")
    expect(page.locator("#guidance-articles")).to_be_visible()  # the panel has arrived
    accessible(page)

    page.get_by_role("button", name="Publicar como artículo").click()

    page.wait_for_url(re.compile(r"/mesa/articulos/\d+/$"))
    draft = Article.objects.get()
    assert page.url.endswith(f"/mesa/articulos/{draft.pk}/")
    expect(page.locator("main")).to_contain_text("Borrador creado a partir de la solución")
    expect(page.locator("main")).to_contain_text("vaciamos la cola de impresión")
    assert "Lucía" not in page.locator("main").inner_text()
    accessible(page)
    assert (draft.state, draft.source_ticket) == (Article.State.DRAFT, ticket)
    assert errors == []
    return draft


def test_an_agent_turns_a_solved_tickets_solution_into_a_draft_in_one_click(page, agent, accessible):
    agent_publishes_the_solution_as_a_draft(page, agent, accessible)


@pytest.mark.skipif(
    not publish_button_exists(),
    reason="workspace:article-publish (the «Publicar» button of /mesa/articulos/<pk>/) is not on this branch yet",
)
def test_a_coordinator_publishes_the_draft_an_agent_made_from_a_solution(
    browser, live_server, page, agent, coordinator, accessible
):
    draft = agent_publishes_the_solution_as_a_draft(page, agent, accessible)

    context = browser.new_context(base_url=live_server.url, locale="es-MX", timezone_id="America/Mexico_City")
    try:
        other = context.new_page()
        other.set_default_timeout(15_000)
        errors = watch_console(other)
        sign_in(other, coordinator.username)
        other.goto(f"/mesa/articulos/{draft.pk}/")
        accessible(other)
        other.get_by_role("button", name="Publicar", exact=True).click()
        other.wait_for_load_state()
        expect(other.locator("main")).to_contain_text("Publicado")
        accessible(other)
        assert errors == []
    finally:
        context.close()
    draft.refresh_from_db()
    assert (draft.state, draft.published_by) == (Article.State.PUBLISHED, coordinator)


def test_an_agent_puts_a_public_articles_link_in_a_reply_with_the_picker(page, agent, accessible):
    ticket = TicketFactory(
        requester=ContactFactory(),
        in_progress=True,
        assignee=agent,
        subject="No imprime la impresora",
        description="Desde ayer no imprime.",
    )
    now = timezone.now()
    public = ArticleFactory(
        title="Cómo vaciar la cola de la impresora",
        body="Si la impresora no imprime, vacíe la cola.",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
        published_at=now,
    )
    ArticleFactory(
        title="Reiniciar el servidor de impresión",
        body="Cuando la impresora no imprime para nadie, reinicie el servidor.",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.INTERNAL,
        published_at=now,
    )
    vpn = ArticleFactory(
        title="Conectarse a la VPN desde casa",
        body="Instale el cliente y conéctese.",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
        published_at=now,
    )
    errors = watch_console(page)
    sign_in(page, agent.username)
    page.goto(f"/mesa/tickets/{ticket.pk}/")

    reply = open_reply(page)
    # The picker searched the ticket's subject at once: the public article only.
    results = page.locator("#reply-article-results")
    expect(results).to_contain_text("Cómo vaciar la cola de la impresora")
    expect(results).not_to_contain_text("Reiniciar el servidor de impresión")
    accessible(page)

    reply.fill("Revise  y me cuenta.")
    reply.evaluate("(box) => box.setSelectionRange(7, 7)")
    results.get_by_role("button", name="Insertar enlace a «Cómo vaciar la cola de la impresora»").click()

    link = f"{settings.HELPDESK_BASE_URL.rstrip('/')}/ayuda/articulos/{public.pk}/"
    expect(reply).to_have_value(f"Revise Cómo vaciar la cola de la impresora: {link} y me cuenta.")

    # Typing in the search box asks again, after a pause.
    page.locator("#accion-reply").get_by_label("Buscar en la base de conocimiento").fill("conectarse")
    expect(results.locator(f'[data-pick-article="{vpn.pk}"]')).to_be_visible()
    expect(results).not_to_contain_text("Cómo vaciar la cola de la impresora")
    accessible(page)
    # Enter searches at once, in place: the page stays, and so does the reply's text.
    search = page.locator("#accion-reply").get_by_label("Buscar en la base de conocimiento")
    search.fill("impresora")
    search.press("Enter")
    expect(results.locator(f'[data-pick-article="{public.pk}"]')).to_be_visible()
    assert page.url.endswith(f"/mesa/tickets/{ticket.pk}/") and len(page.context.pages) == 1
    expect(reply).to_have_value(f"Revise Cómo vaciar la cola de la impresora: {link} y me cuenta.")

    page.get_by_role("button", name="Enviar la respuesta").click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{ticket.pk}/$"))
    expect(page.locator(".timeline")).to_contain_text(link)
    sent = ticket.messages.get(kind=Message.Kind.PUBLIC_REPLY)
    assert sent.body == f"Revise Cómo vaciar la cola de la impresora: {link} y me cuenta."
    assert Ticket.objects.get(pk=ticket.pk).state == Ticket.State.IN_PROGRESS
    assert errors == []
