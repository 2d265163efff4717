"""The report's query string: which days each period name means in the desk's time zone,
what a bad query is told, and that the links a page builds carry the same figures."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from reports.figures import previous_period
from reports.models import Dimension
from reports.query import Breakdown, Period, ReportFilterForm

D = datetime.date

# 2026-12-02 05:00 UTC is still 1 December (23:00) in Mexico City: the desk's today.
LATE_EVENING = datetime.datetime(2026, 12, 2, 5, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("data", "start", "end"),
    [
        ({}, D(2026, 12, 1), D(2026, 12, 1)),  # unbound: this month (the 1st to today)
        ({"periodo": "hoy"}, D(2026, 12, 1), D(2026, 12, 1)),
        ({"periodo": "semana"}, D(2026, 11, 30), D(2026, 12, 1)),  # Monday 30 Nov
        ({"periodo": "mes"}, D(2026, 12, 1), D(2026, 12, 1)),
        ({"periodo": "mes-anterior"}, D(2026, 11, 1), D(2026, 11, 30)),
        ({"periodo": "rango", "desde": "2026-01-01", "hasta": "2026-12-31"}, D(2026, 1, 1), D(2026, 12, 31)),
        # Dates without a period name are a range.
        ({"desde": "2026-03-01", "hasta": "2026-03-15"}, D(2026, 3, 1), D(2026, 3, 15)),
        # A named period ignores stray dates.
        ({"periodo": "hoy", "desde": "2020-01-01"}, D(2026, 12, 1), D(2026, 12, 1)),
    ],
)
def test_each_period_is_whole_days_of_the_desk(data, start, end):
    with time_machine.travel(LATE_EVENING, tick=False):
        form = ReportFilterForm(data or None)
        assert form.is_bound is bool(data)
        assert form.is_valid() or not form.is_bound, form.errors
        query = form.query()
    assert (query.start, query.end) == (start, end)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"periodo": "rango", "desde": "2026-03-15", "hasta": "2026-03-01"}, "La fecha final es anterior a la inicial."),
        ({"periodo": "rango", "desde": "2026-03-15"}, "Indique la fecha inicial y la final del periodo."),
        ({"periodo": "rango", "desde": "2020-01-01", "hasta": "2026-01-01"}, "El periodo puede abarcar hasta 1098 días"),
        ({"periodo": "rango", "desde": "2026-02-30", "hasta": "2026-04-01"}, "Introduzca una fecha válida."),
        ({"periodo": "siempre"}, "Escoja una opción válida."),
        ({"por": "color"}, "Escoja una opción válida."),
    ],
)
def test_a_bad_query_is_told_in_spanish(data, message):
    form = ReportFilterForm(data)
    assert not form.is_valid()
    assert message in " ".join(str(error) for errors in form.errors.values() for error in errors)
    with pytest.raises(ValueError):
        form.query()


@pytest.mark.parametrize(("por", "dimension"), [("", Dimension.ALL), ("modulo", Dimension.MODULE),
                                                ("agente", Dimension.AGENT), ("organizacion", Dimension.ORGANIZATION),
                                                ("canal", Dimension.CHANNEL), ("tipo", Dimension.KIND),
                                                ("nivel", Dimension.LEVEL), ("prioridad", Dimension.PRIORITY)])
def test_each_breakdown_reads_its_dimension(por, dimension):
    form = ReportFilterForm({"periodo": "mes", "por": por})
    assert form.is_valid()
    assert form.query().dimension == dimension


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_the_links_of_a_report_keep_its_period_and_breakdown():
    form = ReportFilterForm({"periodo": "rango", "desde": "2026-11-01", "hasta": "2026-11-30", "por": "modulo"})
    assert form.is_valid()
    query = form.query()
    assert query.page_url().startswith("/mesa/informes/?")
    assert _params(query.page_url()) == {"periodo": ["rango"], "desde": ["2026-11-01"], "hasta": ["2026-11-30"], "por": ["modulo"]}
    # Another breakdown, same period; None removes it.
    assert _params(query.page_url(por="canal"))["por"] == ["canal"]
    assert "por" not in _params(query.page_url(por=None))

    tickets = query.tickets_url("resolved_breached", "7")
    assert urlsplit(tickets).path == "/mesa/informes/tickets/"
    assert _params(tickets) == {
        "periodo": ["rango"], "desde": ["2026-11-01"], "hasta": ["2026-11-30"], "por": ["modulo"],
        "cifra": ["resolved_breached"], "valor": ["7"],
    }
    # The empty value is a value: the tickets without a module.
    assert _params(query.tickets_url("created", ""))["valor"] == [""]
    assert urlsplit(query.tickets_url("created", fmt="xlsx")).path == "/mesa/informes/tickets/exportar.xlsx"
    assert urlsplit(query.export_url("csv")).path == "/mesa/informes/exportar.csv"


def test_an_agents_own_figures_have_no_breakdown_and_their_own_links(agent):
    form = ReportFilterForm({"periodo": "mes-anterior", "por": "modulo"}, breakdowns=False)
    assert "por" not in form.fields
    assert form.is_valid()
    query = form.query(agent=agent)
    assert query.own and query.breakdown == Breakdown.NONE and query.dimension == Dimension.AGENT
    assert query.period == Period.LAST_MONTH
    assert urlsplit(query.page_url()).path == "/mesa/mis-indicadores/"
    # Another agent's value cannot be asked for through a link of one's own figures.
    link = query.tickets_url("created", "999")
    assert urlsplit(link).path == "/mesa/mis-indicadores/tickets/"
    assert "valor" not in _params(link) and "por" not in _params(link)
    assert urlsplit(query.export_url("csv")).path == "/mesa/mis-indicadores/exportar.csv"


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        # Whole months: as many whole months before.
        (D(2026, 11, 1), D(2026, 11, 30), (D(2026, 10, 1), D(2026, 10, 31))),
        (D(2026, 3, 1), D(2026, 3, 31), (D(2026, 2, 1), D(2026, 2, 28))),
        (D(2026, 1, 1), D(2026, 3, 31), (D(2025, 10, 1), D(2025, 12, 31))),  # a quarter
        (D(2025, 1, 1), D(2025, 12, 31), (D(2024, 1, 1), D(2024, 12, 31))),  # a year
        # A month to date: the same days of the month before, cut at its end.
        (D(2026, 11, 1), D(2026, 11, 22), (D(2026, 10, 1), D(2026, 10, 22))),
        (D(2026, 3, 1), D(2026, 3, 30), (D(2026, 2, 1), D(2026, 2, 28))),
        (D(2026, 1, 1), D(2026, 1, 15), (D(2025, 12, 1), D(2025, 12, 15))),
        # A week to date from its Monday: the same weekdays of the week before.
        (D(2025, 11, 17), D(2025, 11, 22), (D(2025, 11, 10), D(2025, 11, 15))),
        (D(2025, 11, 17), D(2025, 11, 23), (D(2025, 11, 10), D(2025, 11, 16))),
        # A whole week that starts a month is a week (Monday 1 December 2025).
        (D(2025, 12, 1), D(2025, 12, 7), (D(2025, 11, 24), D(2025, 11, 30))),
        # A day: the same weekday a week before (Tuesday 2 December 2025 → 25 November).
        (D(2025, 12, 2), D(2025, 12, 2), (D(2025, 11, 25), D(2025, 11, 25))),
        # Any other range: as many days just before it.
        (D(2025, 11, 13), D(2025, 11, 21), (D(2025, 11, 4), D(2025, 11, 12))),
        (D(2025, 1, 31), D(2025, 3, 1), (D(2025, 1, 1), D(2025, 1, 30))),
        (D(2025, 12, 2), D(2026, 12, 1), (D(2024, 12, 2), D(2025, 12, 1))),
    ],
)
def test_each_period_is_compared_with_the_one_a_reader_expects(start, end, previous):
    assert previous_period(start, end) == previous
