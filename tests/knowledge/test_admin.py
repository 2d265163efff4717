"""Articles in the admin: written through the services (each edit of title or body leaves
a revision), published and archived by the actions, which only coordinators have."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from knowledge import services
from knowledge.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:knowledge_article_changelist")
ADD = reverse("admin:knowledge_article_add")


def change_url(article):
    return reverse("admin:knowledge_article_change", args=[article.pk])


def form_data(**fields):
    data = {
        "title": "Timbrar una factura",
        "body": "Pulse **Timbrar**.",
        "keywords": "cfdi",
        "visibility": Article.Visibility.PUBLIC,
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
        "revisions-MIN_NUM_FORMS": "0",
        "revisions-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_agent_adds_a_draft_with_its_revision(agent_client, agent, module):
    response = agent_client.post(ADD, form_data(modules=[module.pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert (article.state, article.created_by, article.body_html) == (
        Article.State.DRAFT,
        agent,
        "<p>Pulse <strong>Timbrar</strong>.</p>\n",
    )
    assert list(article.modules.all()) == [module]
    assert article.revisions.get().author == agent


def test_an_edit_writes_a_revision_shown_read_only(agent_client, agent, other_agent):
    article = services.article_create(by=other_agent, title="Timbrar", body="Primero")
    response = agent_client.post(change_url(article), form_data(**{"revisions-INITIAL_FORMS": "1"}))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.updated_by) == ("Timbrar una factura", agent)
    assert [r.number for r in article.revisions.all()] == [2, 1]
    page = agent_client.get(change_url(article))
    assert page.status_code == 200
    assert [r.number for r in page.context["inline_admin_formsets"][0].formset.queryset] == [2, 1]
    assert "<strong>Timbrar</strong>" in page.content.decode()  # the preview


def test_the_preview_never_runs_a_script(agent_client):
    article = ArticleFactory(body="<script>alert(1)</script> [x](javascript:alert(1))")
    content = agent_client.get(change_url(article)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert 'href="javascript:' not in content


def test_a_coordinator_publishes_and_archives_through_the_actions(coordinator_client, coordinator):
    drafts = [ArticleFactory(), ArticleFactory()]
    response = coordinator_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [a.pk for a in drafts]}, follow=True
    )
    assert "2 artículos publicados." in messages_of(response)
    for article in drafts:
        article.refresh_from_db()
        assert (article.state, article.published_by) == (Article.State.PUBLISHED, coordinator)

    response = coordinator_client.post(
        CHANGELIST, {"action": "archive", "_selected_action": [drafts[0].pk]}, follow=True
    )
    assert "1 artículo archivado." in messages_of(response)
    drafts[0].refresh_from_db()
    assert drafts[0].state == Article.State.ARCHIVED


def test_an_article_that_cannot_be_published_is_reported(coordinator_client):
    archived = ArticleFactory(state=Article.State.ARCHIVED)
    response = coordinator_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [archived.pk]}, follow=True
    )
    (message,) = messages_of(response)
    assert message.startswith(f"{archived}: ")
    archived.refresh_from_db()
    assert archived.state == Article.State.ARCHIVED


def test_agents_have_no_publish_action(agent_client):
    ArticleFactory()
    response = agent_client.get(CHANGELIST)
    assert response.status_code == 200
    form = response.context["action_form"]
    actions = [name for name, _label in form.fields["action"].choices] if form is not None else []
    assert "publish" not in actions
    assert "archive" not in actions
    response = agent_client.post(CHANGELIST, {"action": "publish", "_selected_action": [Article.objects.get().pk]})
    assert Article.objects.get().state == Article.State.DRAFT
