"""The report pages: Informes (the whole desk's figures, for those who may read them:
accounts.roles.sees_reports) and Mis indicadores (each agent's own), and their tables as
CSV / XLSX. GET only: reading a report changes nothing. With htmx, the filter form asks
for the report's body alone (the named partial "body") and pushes the page's address."""

from __future__ import annotations

import dataclasses
from functools import wraps

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.decorators import agent_required
from accounts.roles import is_agent, sees_reports

from . import charts, comments, exports, tables
from .figures import Report, Row, daily_figures, period_figures
from .labels import labels
from .models import Dimension, RefreshMark
from .query import ReportFilterForm, ReportQuery, period_text
from .self_service import Section as SelfServiceSection
from .self_service import section as self_service_section

TEMPLATE = "reports/report.html"


def reports_required(view):
    """Signed-in readers of the whole desk's reports (accounts.roles.sees_reports): the
    anonymous are sent to sign in (as agent_required does, htmx included), anyone else
    signed in is told in Spanish (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return agent_required(view)(request, *args, **kwargs)
        if not sees_reports(request.user):
            # An agent is pointed to their own figures; anyone else is told they are no agent.
            return render(request, "workspace/forbidden.html", {"reports": is_agent(request.user)}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


@dataclasses.dataclass(frozen=True)
class Page:
    """Everything the report's body shows, read in a fixed number of queries."""

    query: ReportQuery
    period: str
    previous_period: str
    refreshed_to: object
    headline: list
    sections: list
    table: tables.Table
    charts: list
    low_ratings: list
    # Informes only (the whole desk's): «Autoservicio».
    self_service: SelfServiceSection | None = None

    @property
    def export_csv(self) -> str:
        return self.query.export_url("csv")

    @property
    def export_xlsx(self) -> str:
        return self.query.export_url("xlsx")

    @property
    def selected(self) -> dict[str, str]:
        """What the filter form shows as chosen: the query's period (its dates too)."""
        return {
            "periodo": str(self.query.period),
            "desde": self.query.start.isoformat(),
            "hasta": self.query.end.isoformat(),
            "por": str(self.query.breakdown),
        }


@dataclasses.dataclass(frozen=True)
class Figures:
    """The period's figures as the query asks for them: `report` by its breakdown (or the
    agent's own), `total_report` the whole desk's (the same report without a breakdown)."""

    report: Report
    total_report: Report
    table: tables.Table

    @property
    def total(self) -> Row:
        (total,) = self.total_report.rows
        return total


def read_figures(query: ReportQuery) -> Figures:
    """Three queries, six with a breakdown (the whole desk's for the total), and the
    labels' one."""
    if query.own:
        report = total_report = period_figures(query.start, query.end, agent=query.agent)
    else:
        report = period_figures(query.start, query.end, breakdown=query.dimension)
        total_report = report if query.dimension == Dimension.ALL else period_figures(query.start, query.end)
    (total,) = total_report.rows
    table = tables.breakdown_table(query, report, total, own_label=str(query.agent) if query.own else "")
    return Figures(report, total_report, table)


def report_page(query: ReportQuery) -> Page:
    """The reads of a report page: the period's figures against the one before, the
    breakdown's (when there is one) with the whole desk's as its total, each day's for the
    charts, the modules' times, the low ratings' comments, the refresh's instant and, on
    Informes, self-service's figures (reports.self_service)."""
    figures = read_figures(query)
    report, total = figures.report, figures.total
    previous = figures.total_report.previous_of(total)
    if query.own:
        days = daily_figures(query.start, query.end, dimension=Dimension.AGENT, value=str(query.agent.pk))
        drawn = [charts.daily_volume(days), charts.weekly_sla(days), charts.ratings(total)]
        low = comments.low_ratings(query.start, query.end, dimension=Dimension.AGENT, value=str(query.agent.pk))
    else:
        days = daily_figures(query.start, query.end)
        modules = report if query.dimension == Dimension.MODULE else period_figures(query.start, query.end, breakdown=Dimension.MODULE)
        names = labels(Dimension.MODULE, [row.value for row in modules.rows])
        drawn = [charts.daily_volume(days), charts.weekly_sla(days), charts.module_times(modules.rows, names), charts.ratings(total)]
        low = comments.low_ratings(query.start, query.end)
    mark = RefreshMark.objects.order_by("pk").values_list("refreshed_to", flat=True).first()
    return Page(
        query=query,
        period=period_text(query.start, query.end),
        previous_period=period_text(report.previous_start, report.previous_end),
        refreshed_to=timezone.localtime(mark) if mark else None,
        headline=tables.headline(query, total, previous),
        sections=tables.sections(query, total, previous),
        table=figures.table,
        charts=drawn,
        low_ratings=low,
        self_service=None if query.own else self_service_section(query),
    )


def _show(request, *, own: bool):
    form = ReportFilterForm(request.GET or None, breakdowns=not own)
    agent = request.user if own else None
    body_only = bool(request.htmx) and not request.htmx.history_restore_request
    template = f"{TEMPLATE}#body" if body_only else TEMPLATE
    context = {"form": form, "own": own, "nav": "mine" if own else "reports"}
    if form.is_bound and not form.is_valid():
        response = _invalid(request, template, context)
    else:
        page = report_page(form.query(agent=agent))
        response = render(request, template, {**context, "page": page, "selected": page.selected})
    if body_only:
        response["HX-Push-Url"] = request.get_full_path()
    return response


@require_safe
@reports_required
@vary_on_headers("HX-Request")
def index(request):
    """Informes: the whole desk's figures, by the breakdown asked for."""
    return _show(request, own=False)


@require_safe
@agent_required
@vary_on_headers("HX-Request")
def mine(request):
    """Mis indicadores: the signed-in agent's own figures, never another agent's."""
    return _show(request, own=True)


def _invalid(request, template: str, context: dict):
    """The same page with its Spanish messages (400), and no figures of another period."""
    selected = {name: request.GET.get(name, "") for name in ("periodo", "desde", "hasta", "por")}
    return render(request, template, {**context, "page": None, "selected": selected}, status=400)


def _export(request, fmt: str, *, own: bool):
    form = ReportFilterForm(request.GET or None, breakdowns=not own)
    if form.is_bound and not form.is_valid():
        return _invalid(request, TEMPLATE, {"form": form, "own": own, "nav": "mine" if own else "reports"})
    query = form.query(agent=request.user if own else None)
    headers, rows = tables.export_rows(read_figures(query).table)
    return exports.download(fmt, tables.export_filename(query), headers, rows, title=period_text(query.start, query.end))


@require_safe
@reports_required
def export(request, fmt):
    """The breakdown table of Informes as CSV or XLSX."""
    return _export(request, fmt, own=False)


@require_safe
@agent_required
def mine_export(request, fmt):
    """The agent's own row as CSV or XLSX."""
    return _export(request, fmt, own=True)
