"""Informes' «Autoservicio» section as a person reads it (docs/reports.md, «Autoservicio»):
the period's deflection rate, deflections and reports sent after suggestions, and the
articles suggested or deflecting most, with their helpfulness. Whole-desk figures of the
query's period: the breakdown does not apply to them."""

from __future__ import annotations

import dataclasses

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.stats import period_bounds, self_service

from .catalog import Kind, format_value
from .query import ReportQuery


@dataclasses.dataclass(frozen=True)
class Item:
    key: str
    label: str
    text: str
    definition: str


@dataclasses.dataclass(frozen=True)
class ArticleLine:
    title: str
    url: str
    suggested: str
    deflections: str
    votes: str
    helpfulness: str
    views: str


@dataclasses.dataclass(frozen=True)
class Section:
    figures: list[Item]
    articles: list[ArticleLine]


def _count(value: int) -> str:
    return format_value(Kind.COUNT, value)


def section(query: ReportQuery) -> Section:
    """The section of the query's period, in three queries (knowledge.stats)."""
    figures = self_service(*period_bounds(query.start, query.end))
    items = [
        Item(
            "deflection_rate",
            _("Tasa de incidencias evitadas"),
            format_value(Kind.SHARE, figures.deflection_rate),
            _("Incidencias evitadas ÷ (incidencias evitadas + reportes enviados tras ver sugerencias)."),
        ),
        Item(
            "deflections",
            _("Incidencias evitadas"),
            _count(figures.deflections),
            _("Veces que alguien dijo «Esto resolvió mi problema» ante un artículo sugerido y no envió su reporte."),
        ),
        Item(
            "reports_after_suggestions",
            _("Reportes enviados tras ver sugerencias"),
            _count(figures.reports_after_suggestions),
            _("Reportes del formulario público enviados después de que se les sugirió al menos un artículo."),
        ),
    ]
    articles = [
        ArticleLine(
            title=article.title,
            url=reverse("workspace:article", args=[article.pk]),
            suggested=_count(article.suggested),
            deflections=_count(article.deflections),
            votes=_count(article.votes),
            helpfulness=format_value(Kind.SHARE, article.helpfulness),
            views=_count(article.views),
        )
        for article in figures.articles
    ]
    return Section(items, articles)
