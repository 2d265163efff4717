"""What a report page was asked for, from its query string: the period, the breakdown and
whose figures (the desk's or one agent's own). Every report page, drill-down list and
export reads its query string through `ReportFilterForm` and builds its links with
`ReportQuery`, so that a link shared, bookmarked or followed back shows the same figures.

The query string's names are Spanish, as the queue's: ``periodo`` (hoy, semana, mes,
mes-anterior, rango), ``desde`` / ``hasta`` (ISO dates, for rango), ``por`` (the
breakdown), and for the tickets behind a figure ``cifra`` and ``valor``."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from urllib.parse import urlencode

from django import forms
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .figures import named_period
from .models import Dimension

# The longest range a page accepts: a report of more days than this is an export's job.
MAX_DAYS = 3 * 366


class Period(models.TextChoices):
    TODAY = "hoy", _("Hoy")
    WEEK = "semana", _("Esta semana")
    MONTH = "mes", _("Este mes")
    LAST_MONTH = "mes-anterior", _("Mes anterior")
    RANGE = "rango", _("Otro periodo")


# The period's name in the query string → reports.figures.named_period's.
NAMED = {
    Period.TODAY: "today",
    Period.WEEK: "week",
    Period.MONTH: "month",
    Period.LAST_MONTH: "last_month",
}
DEFAULT_PERIOD = Period.MONTH


class Breakdown(models.TextChoices):
    """The breakdowns in the query string (``por``) → reports.models.Dimension."""

    NONE = "", _("Sin desglose")
    MODULE = "modulo", _("Módulo")
    AGENT = "agente", _("Agente")
    LEVEL = "nivel", _("Nivel de soporte")
    PRIORITY = "prioridad", _("Prioridad")
    ORGANIZATION = "organizacion", _("Organización")
    CHANNEL = "canal", _("Canal")
    KIND = "tipo", _("Tipo")


DIMENSION_OF = {
    Breakdown.NONE: Dimension.ALL,
    Breakdown.MODULE: Dimension.MODULE,
    Breakdown.AGENT: Dimension.AGENT,
    Breakdown.LEVEL: Dimension.LEVEL,
    Breakdown.PRIORITY: Dimension.PRIORITY,
    Breakdown.ORGANIZATION: Dimension.ORGANIZATION,
    Breakdown.CHANNEL: Dimension.CHANNEL,
    Breakdown.KIND: Dimension.KIND,
}
BREAKDOWN_OF = {dimension: breakdown for breakdown, dimension in DIMENSION_OF.items()}


def period_text(start: datetime.date, end: datetime.date) -> str:
    """ "1 – 30 de noviembre de 2026", "15 de octubre – 14 de noviembre de 2026", a day
    alone as "30 de noviembre de 2026" (the desk's days)."""
    end_text = formats.date_format(end, "DATE_FORMAT")
    if start == end:
        return end_text
    if start.year != end.year:
        start_text = formats.date_format(start, "DATE_FORMAT")
    elif start.month != end.month:
        start_text = formats.date_format(start, "MONTH_DAY_FORMAT")
    else:
        start_text = str(start.day)
    return gettext("%(start)s – %(end)s") % {"start": start_text, "end": end_text}


def today() -> datetime.date:
    """The desk's today (settings.TIME_ZONE)."""
    return timezone.localdate()


class ReportFilterForm(forms.Form):
    """The period and breakdown of a report page. Unbound (no query string), it is this
    month for the whole desk. A bound form that is not valid is answered with 400 and its
    Spanish messages, never with other figures than those asked for."""

    periodo = forms.ChoiceField(label=_("Periodo"), choices=Period.choices, required=False)
    desde = forms.DateField(label=_("Desde"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(label=_("Hasta"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    por = forms.ChoiceField(label=_("Desglose"), choices=Breakdown.choices, required=False)

    def __init__(self, data=None, *, breakdowns: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        if not breakdowns:
            # An agent's own figures are one row: the rollup keeps one dimension a row.
            del self.fields["por"]

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("periodo") or ""
        start, end = cleaned.get("desde"), cleaned.get("hasta")
        if not period:
            # Dates without a period name are a range; nothing at all is the default.
            period = Period.RANGE if (start or end) else DEFAULT_PERIOD
            cleaned["periodo"] = period
        if period == Period.RANGE and not self.errors:
            if start is None or end is None:
                raise forms.ValidationError(
                    _("Indique la fecha inicial y la final del periodo."), code="incomplete"
                )
            if end < start:
                raise forms.ValidationError(_("La fecha final es anterior a la inicial."), code="reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("El periodo puede abarcar hasta %(days)s días; para más, exporte varios periodos."),
                    code="too_long",
                    params={"days": MAX_DAYS},
                )
        return cleaned

    def query(self, *, agent=None) -> ReportQuery:
        """The query this valid (or unbound) form asks for; `agent`: an agent's own figures."""
        if not self.is_bound:
            cleaned = {"periodo": DEFAULT_PERIOD}
        else:
            if not self.is_valid():
                raise ValueError("the report's filters are not valid")
            cleaned = self.cleaned_data
        period = Period(cleaned.get("periodo") or DEFAULT_PERIOD)
        if period == Period.RANGE:
            start, end = cleaned["desde"], cleaned["hasta"]
        else:
            start, end = named_period(NAMED[period], today())
        breakdown = Breakdown(cleaned.get("por") or Breakdown.NONE) if agent is None else Breakdown.NONE
        return ReportQuery(period=period, start=start, end=end, breakdown=breakdown, agent=agent)


@dataclasses.dataclass(frozen=True)
class ReportQuery:
    """A period, a breakdown and whose figures: what a report page shows."""

    period: Period
    start: datetime.date
    end: datetime.date
    breakdown: Breakdown = Breakdown.NONE
    agent: object | None = None  # a user: that agent's own figures (Mis indicadores)

    @property
    def dimension(self) -> Dimension:
        return Dimension.AGENT if self.agent is not None else DIMENSION_OF[self.breakdown]

    @property
    def own(self) -> bool:
        """An agent's own figures (Mis indicadores) rather than the desk's (Informes)."""
        return self.agent is not None

    def params(self, **changes) -> dict[str, str]:
        """The query string's values; `changes` replaces some (None removes one)."""
        params: dict[str, str] = {"periodo": str(self.period)}
        if self.period == Period.RANGE:
            params["desde"] = self.start.isoformat()
            params["hasta"] = self.end.isoformat()
        if self.breakdown and not self.own:
            params["por"] = str(self.breakdown)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return params

    def querystring(self, **changes) -> str:
        return urlencode(self.params(**changes))

    def page_url(self, **changes) -> str:
        """This report's page (Informes, or Mis indicadores for an agent's own)."""
        name = "reports:mine" if self.own else "reports:index"
        return f"{reverse(name)}?{self.querystring(**changes)}"

    def export_url(self, fmt: str) -> str:
        """The table of this report as "csv" or "xlsx"."""
        name = "reports:mine-export" if self.own else "reports:export"
        return f"{reverse(name, kwargs={'fmt': fmt})}?{self.querystring()}"

    def tickets_url(self, figure: str, value: str | None = None, *, fmt: str | None = None) -> str:
        """The list of the tickets behind `figure` (a name of reports.drilldown.FIGURES) for
        one value of the breakdown (None: the whole row the query shows), or that list as
        "csv" / "xlsx"."""
        # A report links every cell of its table to its tickets: the path and the query's
        # own part are built once per query, only the figure and the value per link.
        params = {"cifra": figure}
        if value is not None and not self.own:
            params["valor"] = value
        if fmt is None:
            path = self._tickets_path
        else:
            path = reverse("reports:mine-tickets-export" if self.own else "reports:tickets-export", kwargs={"fmt": fmt})
        return f"{path}?{self._querystring}&{urlencode(params)}"

    @functools.cached_property
    def _tickets_path(self) -> str:
        return reverse("reports:mine-tickets" if self.own else "reports:tickets")

    @functools.cached_property
    def _querystring(self) -> str:
        return self.querystring()
