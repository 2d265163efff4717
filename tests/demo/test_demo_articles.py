"""The demo's knowledge base (demo/articles.py, DemoLoader.load_articles): its articles in
each state and visibility, read and voted on after their publication, the printer article
a requester finds by typing "no puedo imprimir", and nothing loaded twice.

The loader's catalog and staff are loaded, not its two hundred tickets (test_load_demo
runs the whole demo): a few web reports and closed tickets of the demo's organizations,
made in the past, stand in for them."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from demo.articles import PRINTER_TITLE
from knowledge.models import Article, ArticleSuggestion, ArticleVote, Deflection
from knowledge.search import search_articles
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

S, V = Article.State, Article.Visibility


@pytest.fixture
def loader(staffed_loader):
    loader = staffed_loader
    contact = next(c for c in loader.contacts["in_force"] if c.is_authorized)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20), tick=False):
        for name in ("Correo", "ERP", "Red", "Nómina"):
            TicketFactory(closed=True, requester=contact, module=loader.modules[name], assignee=loader.agents[2])
    # Web reports of the printers' module, sent at the end of the history.
    for _ in range(12):
        TicketFactory(requester=contact, module=loader.modules["Red"], channel=Ticket.Channel.WEB)
    assert loader.load_articles()
    return loader


def test_articles_in_every_state_and_visibility(loader):
    written = Article.objects.filter(source_ticket__isnull=True)
    counts = {(state, visibility): written.filter(state=state, visibility=visibility).count()
              for state in S.values for visibility in V.values}
    assert counts == {
        (S.PUBLISHED, V.PUBLIC): 19,
        (S.PUBLISHED, V.INTERNAL): 6,
        (S.DRAFT, V.PUBLIC): 2,
        (S.DRAFT, V.INTERNAL): 1,
        (S.ARCHIVED, V.PUBLIC): 1,
        (S.ARCHIVED, V.INTERNAL): 0,
    }
    # Written by the agents, published by the coordinator, each with its first revision.
    assert set(written.values_list("created_by__username", flat=True)) <= {f"agente{n}" for n in range(1, 6)}
    assert set(written.exclude(state=S.DRAFT).values_list("published_by__username", flat=True)) == {"coordinador"}
    assert not written.filter(revisions__isnull=True).exists()
    assert not written.filter(modules__isnull=True).exists()


def test_a_requester_typing_no_puedo_imprimir_finds_the_printer_article(loader):
    found = search_articles("no puedo imprimir", public_only=True)
    assert found[0].title == PRINTER_TITLE
    assert "<ol>" in found[0].body_html and "<table>" in found[0].body_html


def test_only_the_published_public_articles_reach_a_requester(loader):
    public = set(Article.objects.public().values_list("title", flat=True))
    assert len(public) == 19
    assert "Restablecer su contraseña de la red y del correo" in public
    for hidden in (
        "Diagnóstico de un enlace caído en sucursal",  # internal
        "Cambios del catálogo del SAT: cómo se programan",  # a public draft
        "Buzón lleno: liberar espacio en Outlook",  # archived
    ):
        assert hidden not in public
        assert hidden not in [a.title for a in search_articles(hidden, public_only=True)]


def test_published_articles_are_read_and_the_public_ones_voted_after_publication(loader):
    now = timezone.now()
    for article in Article.objects.published().filter(source_ticket__isnull=True):
        assert article.views > 0, article.title
        assert now - datetime.timedelta(days=90) < article.created_at <= article.published_at < now
        votes = ArticleVote.objects.filter(article=article)
        assert votes.count() == article.helpful_yes + article.helpful_no
        if article.visibility == V.PUBLIC:
            assert votes.count() >= 2, article.title
            assert not votes.filter(at__lte=article.published_at).exists()
        else:
            assert not votes.exists()
    assert not Article.objects.exclude(state=S.PUBLISHED).filter(views__gt=0).exists()
    # Most readers found the password and printer articles helpful.
    printer = Article.objects.get(title=PRINTER_TITLE)
    assert printer.helpful_yes > printer.helpful_no
    # The articles were written over weeks, not in one moment.
    published = list(Article.objects.published().values_list("published_at", flat=True))
    assert (max(published) - min(published)).days >= 14


def test_deflections_and_suggestions_are_of_public_articles_before_the_reports(loader):
    assert Deflection.objects.exists()
    assert not Deflection.objects.exclude(article__in=Article.objects.public()).exists()
    suggestions = ArticleSuggestion.objects.select_related("article", "ticket")
    assert suggestions.exists()
    for suggestion in suggestions:
        assert suggestion.article.is_public
        assert suggestion.article.published_at < suggestion.ticket.created_at == suggestion.at
        assert suggestion.ticket.module in suggestion.article.modules.all()


def test_solved_tickets_become_articles_without_their_requester(loader):
    from_tickets = Article.objects.filter(source_ticket__isnull=False).select_related("source_ticket__requester")
    assert from_tickets.count() == 3
    assert sorted(from_tickets.values_list("state", flat=True)) == [S.DRAFT, S.PUBLISHED, S.PUBLISHED]
    for article in from_tickets:
        assert article.visibility == V.INTERNAL
        assert article.title == article.source_ticket.subject
        assert article.source_ticket.requester.name not in article.body
        assert article.source_ticket.module in article.modules.all()


def test_loading_again_writes_no_other_article(loader):
    before = (Article.objects.count(), ArticleVote.objects.count(), Deflection.objects.count())
    assert not loader.load_articles()
    assert (Article.objects.count(), ArticleVote.objects.count(), Deflection.objects.count()) == before
