"""A report as a person reads it: the headline against the period before, the sections
with every figure of the catalog, and the breakdown table (one row a value of the
breakdown, the catalog's columns, a total row for the whole desk) with its export.
Every figure carries the link to its tickets (ReportQuery.tickets_url)."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import catalog
from .catalog import Change, Figure, Kind
from .figures import Report, Row
from .labels import labels
from .models import Dimension
from .query import ReportQuery

VERDICT_CLASS = {1: "good", -1: "bad", 0: "neutral"}
# The verdict in words beside its colour (never the colour alone).
VERDICT_TEXT = {1: gettext_lazy("mejora"), -1: gettext_lazy("empeora"), 0: ""}


def section_figures() -> list[tuple[str, list[Figure]]]:
    """(group, its figures) in the order of docs/reports.md."""
    extra = catalog.DETAILS
    groups: dict[str, list[Figure]] = {}
    for figure in catalog.FIGURES:
        groups.setdefault(str(figure.group), []).append(figure)
    sections = []
    for group in (catalog.G_VOLUME, catalog.G_TIMES, catalog.G_SLA, catalog.G_RESOLUTION, catalog.G_SATISFACTION):
        sections.append((str(group), groups.get(str(group), []) + extra.get(group, [])))
    return sections


@dataclasses.dataclass(frozen=True)
class Shown:
    """One figure as a page shows it: its value, the change against the period before and
    the link to its tickets."""

    figure: Figure
    change: Change
    url: str

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def label(self) -> str:
        return str(self.figure.label)

    @property
    def definition(self) -> str:
        return str(self.figure.definition)

    @property
    def text(self) -> str:
        return catalog.format_value(self.figure.kind, self.change.current)

    @property
    def previous_text(self) -> str:
        return catalog.format_value(self.figure.kind, self.change.previous)

    @property
    def verdict(self) -> str:
        return VERDICT_CLASS[self.change.verdict]

    @property
    def verdict_text(self) -> str:
        return str(VERDICT_TEXT[self.change.verdict])


def shown(query: ReportQuery, figure: Figure, row: Row, previous: Row, value: str | None = None) -> Shown:
    url = query.tickets_url(figure.tickets, value) if figure.tickets else ""
    return Shown(figure, Change(figure, figure.value(row), figure.value(previous)), url)


def headline(query: ReportQuery, row: Row, previous: Row) -> list[Shown]:
    """The headline's figures (catalog.headlines) for the whole row the query shows."""
    return [
        Shown(change.figure, change, query.tickets_url(change.figure.tickets))
        for change in catalog.headlines(row, previous)
    ]


def sections(query: ReportQuery, row: Row, previous: Row) -> list[tuple[str, list[Shown]]]:
    return [(group, [shown(query, figure, row, previous) for figure in figures]) for group, figures in section_figures()]


@dataclasses.dataclass(frozen=True)
class Cell:
    figure: Figure
    value: float | int | None
    text: str
    url: str


@dataclasses.dataclass(frozen=True)
class TableRow:
    value: str | None  # None: the total row
    label: str
    cells: list[Cell]


@dataclasses.dataclass(frozen=True)
class Table:
    """The breakdown table: `heading` names the first column (the breakdown)."""

    heading: str
    columns: list[Figure]
    rows: list[TableRow]
    total: TableRow


def _table_row(query: ReportQuery, row: Row, value: str | None, label: str) -> TableRow:
    cells = []
    for key in catalog.TABLE:
        figure = catalog.BY_KEY[key]
        current = figure.value(row)
        url = query.tickets_url(figure.tickets, value) if figure.tickets else ""
        cells.append(Cell(figure, current, catalog.format_value(figure.kind, current), url))
    return TableRow(value, label, cells)


def breakdown_table(query: ReportQuery, report: Report, total: Row, *, own_label: str = "") -> Table:
    """One row a value of `report`'s breakdown, by label, and the total: `total` (the
    whole desk, or the agent's own row, named `own_label`). Without a breakdown, the total
    alone. One query for the labels of a breakdown by module, agent or organization."""
    columns = [catalog.BY_KEY[key] for key in catalog.TABLE]
    if query.own:
        return Table(_("Agente"), columns, [], _table_row(query, total, None, own_label or _("Mis tickets")))
    total_row = _table_row(query, total, None, _("Toda la mesa"))
    if report.breakdown == Dimension.ALL:
        return Table(str(Dimension.ALL.label), columns, [], total_row)
    names = labels(report.breakdown, [row.value for row in report.rows])
    rows = [_table_row(query, row, row.value, names[row.value]) for row in report.rows]
    rows.sort(key=lambda table_row: (table_row.value == "", table_row.label.casefold()))
    return Table(str(Dimension(report.breakdown).label), columns, rows, total_row)


# The export: durations in hours (two decimals), shares in percent (one decimal).
def export_header(figure: Figure) -> str:
    if figure.kind == Kind.DURATION:
        if "_wall" in figure.key:
            return _("%(label)s (horas de reloj)") % {"label": figure.label}
        return _("%(label)s (horas hábiles)") % {"label": figure.label}
    if figure.kind == Kind.SHARE:
        return _("%(label)s (%%)") % {"label": figure.label}
    if figure.kind == Kind.RATING:
        return _("%(label)s (1 a 5)") % {"label": figure.label}
    return str(figure.label)


def export_value(figure: Figure, value):
    if value is None:
        return None
    if figure.kind == Kind.DURATION:
        return round(value / 3600, 2)
    if figure.kind == Kind.SHARE:
        return round(value * 100, 1)
    if figure.kind == Kind.RATING:
        return round(value, 2)
    return value


def export_rows(table: Table) -> tuple[list[str], list[list]]:
    headers = [table.heading, *[export_header(figure) for figure in table.columns]]
    rows = [
        [row.label, *[export_value(cell.figure, cell.value) for cell in row.cells]]
        for row in [*table.rows, table.total]
    ]
    return headers, rows


def export_filename(query: ReportQuery) -> str:
    """informe-2026-11-01-2026-11-30-modulo; mis-indicadores-… for an agent's own."""
    name = "mis-indicadores" if query.own else "informe"
    parts = [name, query.start.isoformat(), query.end.isoformat()]
    if query.breakdown and not query.own:
        parts.append(str(query.breakdown))
    return "-".join(parts)
