"""Self-service's figures for a period (docs/reports.md, «Autoservicio»): how many reports
the suggested articles spared the desk, and how each article fared. Reads the models only,
in a constant number of queries (aggregates, never a query per article)."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Article, ArticleSuggestion, ArticleVote, Deflection

# The articles listed: those suggested or that deflected most in the period.
TOP_ARTICLES = 10


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclasses.dataclass(frozen=True)
class ArticleFigures:
    """One article in the period: times suggested to a report sent anyway, deflections,
    votes, and its views (the article's whole counter, not the period's)."""

    pk: int
    title: str
    suggested: int
    deflections: int
    helpful_yes: int
    helpful_no: int
    views: int

    @property
    def votes(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpfulness(self) -> float | None:
        """Yes ÷ (yes + no) of the period's votes; None without votes."""
        return _share(self.helpful_yes, self.votes)


@dataclasses.dataclass(frozen=True)
class SelfService:
    deflections: int
    reports_after_suggestions: int
    articles: list[ArticleFigures]

    @property
    def deflection_rate(self) -> float | None:
        """Deflections ÷ (deflections + reports sent after suggestions); None when both are 0."""
        return _share(self.deflections, self.deflections + self.reports_after_suggestions)


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The desk's days start..end (both included) as the instants [from, until)."""
    zone = timezone.get_default_timezone()
    until = end + datetime.timedelta(days=1)
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time()), zone),
        timezone.make_aware(datetime.datetime.combine(until, datetime.time()), zone),
    )


def _count_in_period(queryset, start, end):
    """A correlated count of `queryset`'s rows of the outer article within [start, end)."""
    rows = (
        queryset.filter(article=OuterRef("pk"), at__gte=start, at__lt=end)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def self_service(start: datetime.datetime, end: datetime.datetime, *, top: int = TOP_ARTICLES) -> SelfService:
    """The figures of [start, end): three queries, whatever the number of articles."""
    deflections = Deflection.objects.filter(at__gte=start, at__lt=end).count()
    reports = (
        ArticleSuggestion.objects.filter(at__gte=start, at__lt=end)
        .aggregate(n=Count("ticket", distinct=True))["n"]
    )
    rows = (
        Article.objects.annotate(
            n_suggested=_count_in_period(ArticleSuggestion.objects, start, end),
            n_deflections=_count_in_period(Deflection.objects, start, end),
            n_yes=_count_in_period(ArticleVote.objects.filter(helpful=True), start, end),
            n_no=_count_in_period(ArticleVote.objects.filter(helpful=False), start, end),
        )
        .filter(Q(n_suggested__gt=0) | Q(n_deflections__gt=0))
        .annotate(n_offered=F("n_suggested") + F("n_deflections"))
        .order_by("-n_offered", "-n_deflections", "title", "pk")
        .values_list("pk", "title", "n_suggested", "n_deflections", "n_yes", "n_no", "views")[:top]
    )
    return SelfService(
        deflections=deflections,
        reports_after_suggestions=reports,
        articles=[ArticleFigures(*row) for row in rows],
    )
