"""knowledge.stats: self-service's figures for a period, worked out by hand on a desk whose
deflections, suggestions and votes happen at known instants (time-machine)."""

import datetime

import pytest
import time_machine

from knowledge import services
from knowledge.models import Article
from knowledge.stats import period_bounds, self_service
from tests.factories import ArticleFactory, TicketFactory
from tests.reports.desk import mx

pytestmark = pytest.mark.django_db

NOVEMBER = period_bounds(datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))


def public(title):
    return ArticleFactory(title=title, state=Article.State.PUBLISHED, visibility=Article.Visibility.PUBLIC)


def at(moment, action):
    with time_machine.travel(moment, tick=False):
        return action()


def deflect(article, moment):
    at(moment, lambda: services.deflection_record(article=article))


def report_after(articles, moment):
    ticket = at(moment, TicketFactory)
    services.suggestions_record(ticket=ticket, article_ids=[a.pk for a in articles])


def vote(article, browser, helpful, moment):
    at(moment, lambda: services.article_vote(article=article, browser=browser, helpful=helpful))


@pytest.fixture
def desk(db):
    printer, vpn, payroll = public("Cola de impresión detenida"), public("VPN sin conexión"), public("Recibos de nómina")
    # Deflections: three in November; one a minute before it, one at its end (excluded).
    deflect(printer, mx(2025, 11, 3, 9, 0))
    deflect(printer, mx(2025, 11, 10, 12, 0))
    deflect(vpn, mx(2025, 11, 20, 18, 0))
    deflect(printer, mx(2025, 10, 31, 23, 59))
    deflect(vpn, mx(2025, 12, 1, 0, 0))
    # One report sent in November after two suggestions; one in October after one.
    report_after([printer, vpn], mx(2025, 11, 15, 10, 0))
    report_after([printer], mx(2025, 10, 20, 10, 0))
    # Votes on the printer's article: yes, yes, no in November; a yes in October.
    vote(printer, "b1", True, mx(2025, 11, 5, 8, 0))
    vote(printer, "b2", True, mx(2025, 11, 6, 8, 0))
    vote(printer, "b3", False, mx(2025, 11, 7, 8, 0))
    vote(printer, "b4", True, mx(2025, 10, 15, 8, 0))
    # The payroll article was voted on in November but neither suggested nor deflecting.
    vote(payroll, "b1", True, mx(2025, 11, 8, 8, 0))
    Article.objects.filter(pk=printer.pk).update(views=12)
    Article.objects.filter(pk=vpn.pk).update(views=4)
    return {"printer": printer, "vpn": vpn, "payroll": payroll}


def test_the_period_s_deflections_and_reports_after_suggestions(desk):
    figures = self_service(*NOVEMBER)
    assert figures.deflections == 3
    assert figures.reports_after_suggestions == 1
    # 3 ÷ (3 + 1)
    assert figures.deflection_rate == 0.75


def test_each_article_most_offered_first(desk):
    printer, vpn = self_service(*NOVEMBER).articles
    assert (printer.title, printer.suggested, printer.deflections, printer.views) == ("Cola de impresión detenida", 1, 2, 12)
    assert (vpn.title, vpn.suggested, vpn.deflections, vpn.views) == ("VPN sin conexión", 1, 1, 4)
    # The votes of November only: 2 yes, 1 no → 2 ÷ 3.
    assert (printer.helpful_yes, printer.helpful_no) == (2, 1)
    assert printer.helpfulness == pytest.approx(2 / 3)
    assert vpn.votes == 0 and vpn.helpfulness is None


def test_the_period_s_bounds_are_the_desk_s_days(desk):
    october = self_service(*period_bounds(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31)))
    assert (october.deflections, october.reports_after_suggestions) == (1, 1)
    # 1 ÷ (1 + 1)
    assert october.deflection_rate == 0.5
    (printer,) = october.articles
    assert (printer.suggested, printer.deflections, printer.helpful_yes, printer.helpful_no) == (1, 1, 1, 0)
    december_first = self_service(*period_bounds(datetime.date(2025, 12, 1), datetime.date(2025, 12, 1)))
    assert december_first.deflections == 1 and december_first.reports_after_suggestions == 0
    assert december_first.deflection_rate == 1.0


def test_nothing_in_the_period_has_no_rate(desk):
    empty = self_service(*period_bounds(datetime.date(2025, 9, 1), datetime.date(2025, 9, 30)))
    assert (empty.deflections, empty.reports_after_suggestions, empty.articles) == (0, 0, [])
    assert empty.deflection_rate is None


def test_the_top_is_capped(db):
    articles = [public(f"Artículo {n:02d}") for n in range(12)]
    for n, article in enumerate(articles):
        for _ in range(n % 3 + 1):
            deflect(article, mx(2025, 11, 2, 9, n))
    listed = self_service(*NOVEMBER, top=10).articles
    assert len(listed) == 10
    # Three deflections each first (n = 2, 5, 8, 11), by title; then two each.
    assert [a.title for a in listed[:4]] == ["Artículo 02", "Artículo 05", "Artículo 08", "Artículo 11"]
    assert [a.deflections for a in listed] == [3, 3, 3, 3, 2, 2, 2, 2, 1, 1]


def test_three_queries_whatever_the_articles(desk, django_assert_num_queries):
    with django_assert_num_queries(3):
        self_service(*NOVEMBER)
    for n in range(6):
        article = public(f"Más {n}")
        deflect(article, mx(2025, 11, 4, 9, n))
        vote(article, "b9", n % 2 == 0, mx(2025, 11, 4, 10, n))
    with django_assert_num_queries(3):
        assert len(self_service(*NOVEMBER).articles) == 8
