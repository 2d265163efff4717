"""Articles: their states, who publishes, revisions, the one rule of what a requester sees,
and a solved ticket's solution made into a draft with nothing of its requester."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from knowledge import services
from knowledge.models import Article
from tests.factories import ArticleFactory, ContactFactory, ModuleFactory, OrganizationFactory, TicketFactory

pytestmark = pytest.mark.django_db

V, S = Article.Visibility, Article.State


def test_create_writes_a_draft_with_its_first_revision_and_its_html(agent, module):
    article = services.article_create(
        by=agent, title=" Timbrar una factura ", body="Pulse **Timbrar**.", keywords="cfdi", modules=[module]
    )
    assert (article.state, article.visibility, article.title) == (S.DRAFT, V.INTERNAL, "Timbrar una factura")
    assert article.body_html == "<p>Pulse <strong>Timbrar</strong>.</p>\n"
    assert list(article.modules.all()) == [module]
    assert (article.created_by, article.updated_by) == (agent, agent)
    assert [(r.number, r.title, r.body, r.author) for r in article.revisions.all()] == [
        (1, "Timbrar una factura", "Pulse **Timbrar**.", agent)
    ]


def test_an_article_needs_a_title_and_a_body(agent):
    with pytest.raises(ValidationError):
        services.article_create(by=agent, title=" ", body="algo")
    article = services.article_create(by=agent, title="Título", body="algo")
    with pytest.raises(ValidationError):
        services.article_update(article=article, by=agent, body="  ")


def test_an_edit_of_title_or_body_writes_a_revision_and_other_edits_do_not(agent, other_agent):
    article = services.article_create(by=agent, title="Uno", body="Primero")
    services.article_update(article=article, by=other_agent, keywords="otra", visibility=V.PUBLIC)
    assert article.revisions.count() == 1
    services.article_update(article=article, by=other_agent, title="Uno", body="Primero")  # nothing changed
    assert article.revisions.count() == 1
    edited = services.article_update(article=article, by=other_agent, body="Segundo *paso*")
    assert edited.body_html == "<p>Segundo <em>paso</em></p>\n"
    assert edited.updated_by == other_agent
    assert [(r.number, r.body, r.author) for r in article.revisions.all()] == [
        (2, "Segundo *paso*", other_agent),
        (1, "Primero", agent),
    ]


def test_restoring_a_revision_writes_a_new_one(agent, coordinator):
    article = services.article_create(by=agent, title="Uno", body="Primero")
    services.article_update(article=article, by=agent, title="Dos", body="Segundo")
    first = article.revisions.get(number=1)
    restored = services.article_restore_revision(revision=first, by=coordinator)
    assert (restored.title, restored.body, restored.body_html) == ("Uno", "Primero", "<p>Primero</p>\n")
    assert [(r.number, r.title, r.author) for r in restored.revisions.all()] == [
        (3, "Uno", coordinator),
        (2, "Dos", agent),
        (1, "Uno", agent),
    ]


def test_a_revision_of_another_article_is_not_restored(agent):
    one = services.article_create(by=agent, title="Uno", body="Primero")
    other = services.article_create(by=agent, title="Otro", body="Otro")
    with pytest.raises(ValueError):
        one.restore_revision(other.revisions.get())


def test_a_coordinator_publishes_and_who_and_when_are_recorded(agent, coordinator):
    article = services.article_create(by=agent, title="Uno", body="Primero")
    published = services.article_publish(article=article, by=coordinator)
    assert published.state == S.PUBLISHED
    assert published.published_by == coordinator
    assert published.published_at is not None


def test_an_agent_may_not_publish_nor_archive(agent):
    article = services.article_create(by=agent, title="Uno", body="Primero")
    with pytest.raises(PermissionDenied):
        services.article_publish(article=article, by=agent)
    with pytest.raises(PermissionDenied):
        services.article_archive(article=article, by=agent)
    article.refresh_from_db()
    assert article.state == S.DRAFT


def test_archived_goes_back_to_draft_and_is_published_again(agent, coordinator):
    article = services.article_publish(article=services.article_create(by=agent, title="Uno", body="x"), by=coordinator)
    archived = services.article_archive(article=article, by=coordinator)
    assert archived.state == S.ARCHIVED
    with pytest.raises(ValidationError):
        services.article_publish(article=archived, by=coordinator)
    draft = services.article_unarchive(article=archived, by=agent)
    assert draft.state == S.DRAFT
    assert services.article_publish(article=draft, by=coordinator).state == S.PUBLISHED


def test_a_published_article_is_not_published_twice(agent, coordinator):
    article = services.article_publish(article=services.article_create(by=agent, title="Uno", body="x"), by=coordinator)
    with pytest.raises(ValidationError):
        services.article_publish(article=article, by=coordinator)


def test_the_state_is_changed_only_by_its_transitions(agent):
    article = ArticleFactory()
    with pytest.raises(AttributeError):
        article.state = S.PUBLISHED


@pytest.mark.parametrize(
    ("state", "visibility", "public"),
    [
        (S.PUBLISHED, V.PUBLIC, True),
        (S.PUBLISHED, V.INTERNAL, False),
        (S.DRAFT, V.PUBLIC, False),
        (S.ARCHIVED, V.PUBLIC, False),
        (S.DRAFT, V.INTERNAL, False),
    ],
)
def test_a_requester_sees_only_published_public_articles(state, visibility, public):
    article = ArticleFactory(state=state, visibility=visibility)
    assert (article in Article.objects.public()) is public
    assert article.is_public is public


def test_a_solved_ticket_becomes_an_internal_draft_with_nothing_of_its_requester(agent):
    organization = OrganizationFactory(name="Farmacias Guadalupe")
    requester = ContactFactory(organization=organization, name="María José Pérez", email="mjperez@farmaciasg.mx")
    module = ModuleFactory(name="Timbrado")
    ticket = TicketFactory(
        requester=requester, module=module, assignee=agent, solved=True, subject="No timbra la factura"
    )
    ticket.solution = (
        "Hola María José: en Farmacias Guadalupe el certificado venció. Le llamamos al +52 55 1234 5678 "
        "y a (81) 8765-4321; escríbanos a soporte@example.com o a mjperez@farmaciasg.mx. "
        "Pérez confirmó el 2026-11-23 que FARMACIAS GUADALUPE ya timbra. El folio 12345 quedó bien."
    )
    ticket.save(update_fields=["solution"])

    article = services.article_from_ticket(ticket=ticket, by=agent)

    assert (article.state, article.visibility, article.source_ticket) == (S.DRAFT, V.INTERNAL, ticket)
    assert article.title == "No timbra la factura"
    assert list(article.modules.all()) == [module]
    assert article.created_by == agent
    for leaked in ("María", "José", "Pérez", "Farmacias", "FARMACIAS", "Guadalupe", "@", "1234 5678", "8765", "55 1"):
        assert leaked not in article.body, leaked
    assert "el certificado venció" in article.body
    assert "ya timbra" in article.body
    assert "folio 12345" in article.body  # a short number is not a phone
    assert "el 2026-11-23" in article.body  # nor is a date
    assert article.revisions.count() == 1


def test_a_closed_ticket_becomes_a_draft_too(agent):
    ticket = TicketFactory(assignee=agent, closed=True)
    assert services.article_from_ticket(ticket=ticket, by=agent).body == "Se reinició el servicio."


@pytest.mark.parametrize("trait", ["in_progress", "pending_user", "cancelled"])
def test_only_a_solved_or_closed_ticket_becomes_an_article(agent, trait):
    ticket = TicketFactory(assignee=agent, **{trait: True})
    with pytest.raises(ValidationError):
        services.article_from_ticket(ticket=ticket, by=agent)
    assert not Article.objects.exists()


def test_the_source_ticket_may_go_and_the_article_stays(agent):
    ticket = TicketFactory(assignee=agent, solved=True)
    article = services.article_from_ticket(ticket=ticket, by=agent)
    field = Article._meta.get_field("source_ticket")
    assert field.remote_field.on_delete.__name__ == "SET_NULL"
    assert article.source_ticket == ticket


def test_agents_write_articles_and_coordinators_also_publish(agent, coordinator):
    for codename in ("add_article", "change_article", "view_article", "view_articlerevision"):
        assert agent.has_perm(f"knowledge.{codename}")
        assert coordinator.has_perm(f"knowledge.{codename}")
    assert not agent.has_perm("knowledge.publish_article")
    assert coordinator.has_perm("knowledge.publish_article")
    assert not agent.has_perm("knowledge.delete_article")
