"""The report charts, drawn on the server as inline SVG: no script, no style attribute
(the strict CSP), colours from classes in static/css/reports.css. Each chart is an image
with a summary in words (its <title>) and its numbers as a table for whoever does not see
it; a chart with nothing to draw is a sentence instead of an empty axis.

(1) created and solved per day, (2) the share within the SLA per ISO week, (3) the mean
business time of first response and resolution per module, (4) the ratings' distribution."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import catalog
from .figures import Day, Row

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40  # room for "100,0 %" on the y axis


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    summary: str  # what the chart shows, in words: the image's accessible name
    svg: SafeString  # "" when there is nothing to draw
    columns: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (class, label)

    @property
    def empty(self) -> bool:
        return not self.svg


def _n(value, decimals: int = 0) -> str:
    return catalog.number(value, decimals)


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _percent(value: float | None) -> str:
    return "—" if value is None else _("%(value)s %%") % {"value": _n(value * 100, 1)}


def _html(template: str, *args) -> SafeString:
    """format_html with coordinates written to one decimal."""
    return format_html(template, *[f"{arg:.1f}" if isinstance(arg, float) else arg for arg in args])


def _svg(key: str, summary: str, body: str, height: int = HEIGHT) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="chart-{}-title"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="chart-{}-title">{}</title>{}</svg>',
        WIDTH, height, key, key, summary, mark_safe(body),  # noqa: S308 (built by format_html)
    )


def _y_axis(top: float, bottom: float, maximum: float, labels: Sequence[tuple[float, str]]) -> str:
    """Grid lines and their labels at the given values (0…maximum)."""
    parts = []
    for value, label in labels:
        y = bottom - (bottom - top) * (value / maximum if maximum else 0)
        parts.append(_html(
            '<line class="chart-gridline" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT, WIDTH - RIGHT, y, y, LEFT - 6, y + 4, label,
        ))
    return "".join(parts)


def _ticks(maximum: int) -> list[int]:
    if maximum <= 0:
        return [0]
    if maximum <= 4:
        return list(range(0, maximum + 1))
    step = max(1, round(maximum / 4))
    return [*range(0, maximum, step), maximum] if maximum % step else list(range(0, maximum + 1, step))


def _x_labels(days: list[datetime.date], x_of) -> str:
    """The first, the middle and the last day under the axis."""
    chosen = sorted({0, len(days) // 2, len(days) - 1})
    anchors = {0: "start", len(days) - 1: "end"}
    return "".join(
        _html('<text class="chart-label" x="{}" y="{}" text-anchor="{}">{}</text>',
                    x_of(i), HEIGHT - BOTTOM + 18, anchors.get(i, "middle"), _day(days[i]))
        for i in chosen
    )


def daily_volume(days: list[Day]) -> Chart:
    """(1) Created and solved per day: two lines."""
    title = _("Creados y solucionados por día")
    columns = [_("Día"), _("Creados"), _("Solucionados")]
    rows = [[_day(day.day), _n(day.created), _n(day.solved)] for day in days]
    legend = [("series-created", _("Creados")), ("series-solved", _("Solucionados"))]
    created, solved = sum(day.created for day in days), sum(day.solved for day in days)
    if not days or not (created or solved):
        return Chart("volume", title, _("Sin datos en este periodo"), SafeString(""), columns, rows, legend)
    busiest = max(days, key=lambda day: day.created)
    summary = _(
        "Creados y solucionados por día, del %(start)s al %(end)s: %(created)s creados y %(solved)s "
        "solucionados; el día con más creados, %(busiest)s (%(most)s)."
    ) % {
        "start": _day(days[0].day), "end": _day(days[-1].day), "created": _n(created), "solved": _n(solved),
        "busiest": _day(busiest.day), "most": _n(busiest.created),
    }
    maximum = max(max(day.created, day.solved) for day in days)
    top, bottom = TOP, HEIGHT - BOTTOM
    span = WIDTH - LEFT - RIGHT

    def x_of(i: int) -> float:
        return LEFT + (span * i / (len(days) - 1) if len(days) > 1 else span / 2)

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * value / maximum

    body = [_y_axis(top, bottom, maximum, [(tick, _n(tick)) for tick in _ticks(maximum)])]
    for css, attribute in (("series-created", "created"), ("series-solved", "solved")):
        points = " ".join(f"{x_of(i):.1f},{y_of(getattr(day, attribute)):.1f}" for i, day in enumerate(days))
        body.append(_html('<polyline class="chart-line {}" points="{}"></polyline>', css, points))
        if len(days) <= 62:
            body.append("".join(
                _html('<circle class="chart-dot {}" cx="{}" cy="{}" r="3"></circle>', css, x_of(i), y_of(getattr(day, attribute)))
                for i, day in enumerate(days)
            ))
    body.append(_x_labels([day.day for day in days], x_of))
    return Chart("volume", title, summary, _svg("volume", summary, "".join(body)), columns, rows, legend)


@dataclasses.dataclass(frozen=True)
class Week:
    start: datetime.date  # the week's first day within the period
    fr_met: int
    fr_breached: int
    res_met: int
    res_breached: int

    @property
    def fr_share(self) -> float | None:
        total = self.fr_met + self.fr_breached
        return self.fr_met / total if total else None

    @property
    def res_share(self) -> float | None:
        total = self.res_met + self.res_breached
        return self.res_met / total if total else None


def weeks(days: list[Day]) -> list[Week]:
    """The days' SLA verdicts summed per ISO week."""
    by_week: dict[tuple[int, int], list[Day]] = {}
    for day in days:
        by_week.setdefault(day.day.isocalendar()[:2], []).append(day)
    return [
        Week(
            start=group[0].day,
            fr_met=sum(d.fr_met for d in group), fr_breached=sum(d.fr_breached for d in group),
            res_met=sum(d.res_met for d in group), res_breached=sum(d.res_breached for d in group),
        )
        for group in by_week.values()
    ]


def weekly_sla(days: list[Day]) -> Chart:
    """(2) The share of first responses and of resolutions within the SLA, per ISO week."""
    title = _("Dentro del SLA por semana")
    columns = [_("Semana del"), _("Primera respuesta dentro del SLA"), _("Resolución dentro del SLA")]
    legend = [("series-fr", _("Primera respuesta")), ("series-res", _("Resolución"))]
    groups = weeks(days)
    rows = [[_day(week.start), _percent(week.fr_share), _percent(week.res_share)] for week in groups]
    measured = [week for week in groups if week.fr_share is not None or week.res_share is not None]
    if not measured:
        return Chart("sla", title, _("Sin datos en este periodo"), SafeString(""), columns, rows, legend)
    fr_met, fr_all = sum(w.fr_met for w in groups), sum(w.fr_met + w.fr_breached for w in groups)
    res_met, res_all = sum(w.res_met for w in groups), sum(w.res_met + w.res_breached for w in groups)
    summary = _(
        "Porcentaje dentro del SLA en %(weeks)s semanas: primera respuesta %(fr)s, resolución %(res)s "
        "en todo el periodo."
    ) % {
        "weeks": _n(len(groups)),
        "fr": _percent(fr_met / fr_all if fr_all else None),
        "res": _percent(res_met / res_all if res_all else None),
    }
    top, bottom = TOP, HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(groups)
    bar = max(1.0, slot * 0.35)
    body = [_y_axis(top, bottom, 1, [(0, _percent(0)), (0.5, _percent(0.5)), (1, _percent(1))])]
    for i, week in enumerate(groups):
        for j, (css, share) in enumerate((("series-fr", week.fr_share), ("series-res", week.res_share))):
            if share is None:
                continue
            height = (bottom - top) * share
            x = LEFT + slot * i + slot * 0.15 + bar * j
            body.append(_html('<rect class="chart-bar {}" x="{}" y="{}" width="{}" height="{}"></rect>',
                                    css, x, bottom - height, bar, height))
    body.append(_x_labels([week.start for week in groups], lambda i: LEFT + slot * i + slot / 2))
    return Chart("sla", title, summary, _svg("sla", summary, "".join(body)), columns, rows, legend)


def module_times(rows: list[Row], names: dict[str, str]) -> Chart:
    """(3) The mean business time of first response and of resolution per module:
    horizontal bars, in hours, each with its value written beside it."""
    title = _("Tiempos medios por módulo (horario hábil)")
    columns = [_("Módulo"), _("Tiempo medio de primera respuesta"), _("Tiempo medio de resolución")]
    legend = [("series-fr", _("Primera respuesta")), ("series-res", _("Resolución"))]
    measured = [row for row in rows if row.first_response.business.mean is not None or row.resolution.business.mean is not None]
    measured.sort(key=lambda row: (row.value == "", names.get(row.value, row.value).casefold()))

    def text(seconds) -> str:
        return catalog.format_value(catalog.Kind.DURATION, seconds)

    table = [[names.get(row.value, row.value), text(row.first_response.business.mean), text(row.resolution.business.mean)] for row in measured]
    if not measured:
        return Chart("modules", title, _("Sin datos en este periodo"), SafeString(""), columns, table, legend)
    slowest = max(measured, key=lambda row: row.resolution.business.mean or 0)
    summary = _(
        "Tiempo medio hábil de primera respuesta y de resolución en %(modules)s módulos; la resolución "
        "más lenta, %(module)s (%(time)s)."
    ) % {"modules": _n(len(measured)), "module": names.get(slowest.value, slowest.value), "time": text(slowest.resolution.business.mean)}
    label_width, bar_height, gap = 170, 16, 12
    height = TOP + len(measured) * (2 * bar_height + gap) + 8
    maximum = max(max(row.first_response.business.mean or 0, row.resolution.business.mean or 0) for row in measured) or 1
    span = WIDTH - label_width - RIGHT - 90
    body = []
    for i, row in enumerate(measured):
        y = TOP + i * (2 * bar_height + gap)
        name = names.get(row.value, row.value)
        body.append(_html('<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
                                label_width - 8, y + bar_height + 4, name if len(name) <= 24 else name[:23] + "…"))
        for j, (css, seconds) in enumerate((("series-fr", row.first_response.business.mean), ("series-res", row.resolution.business.mean))):
            width = span * (seconds or 0) / maximum
            top = y + j * bar_height
            body.append(_html(
                '<rect class="chart-bar {}" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text class="chart-value" x="{}" y="{}">{}</text>',
                css, label_width, top, width, bar_height - 2, label_width + width + 4, top + bar_height - 3, text(seconds),
            ))
    return Chart("modules", title, summary, _svg("modules", summary, "".join(body), height), columns, table, legend)


def ratings(row: Row) -> Chart:
    """(4) How many answers gave each rating, 1 to 5."""
    title = _("Distribución de las calificaciones")
    distribution = row.satisfaction.distribution
    columns = [_("Calificación"), _("Respuestas")]
    table = [[_("%(n)s de 5") % {"n": n}, _n(distribution[n])] for n in range(1, 6)]
    answered = sum(distribution.values())
    if not answered:
        return Chart("ratings", title, _("Sin datos en este periodo"), SafeString(""), columns, table)
    summary = _("Calificaciones de %(answered)s respuestas: %(counts)s.") % {
        "answered": _n(answered),
        "counts": "; ".join(_("%(n)s de 5: %(count)s") % {"n": n, "count": _n(distribution[n])} for n in range(1, 6)),
    }
    maximum = max(distribution.values())
    top, bottom = TOP, HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / 5
    body = [_y_axis(top, bottom, maximum, [(tick, _n(tick)) for tick in _ticks(maximum)])]
    for n in range(1, 6):
        height = (bottom - top) * distribution[n] / maximum
        x = LEFT + slot * (n - 1) + slot * 0.2
        body.append(_html(
            '<rect class="chart-bar series-rating rating-{}" x="{}" y="{}" width="{}" height="{}"></rect>'
            '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
            n, x, bottom - height, slot * 0.6, height, x + slot * 0.3, HEIGHT - BOTTOM + 18, _("%(n)s ★") % {"n": n},
        ))
    return Chart("ratings", title, summary, _svg("ratings", summary, "".join(body)), columns, table)
