"""Periods read from the monthly rows and the days around them (reports.figures): figures
of periods that straddle month ends, computed by hand, the refresh moving a ticket's
contribution in both kinds of rows, and two queries whatever the period's length."""

import datetime

import pytest
from django.utils import timezone

from reports.figures import daily_figures, period_figures
from reports.models import MonthlyFigure
from reports.refresh import reports_refresh
from tests.factories import ContactFactory, ModuleFactory
from tickets.models import Ticket, TicketChange

from .desk import mx

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def winter(db):
    """Seven open tickets, created (desk time) on 30 and 31 January (23:30), 1 February
    (00:30), 15 and 28 February, 1 and 31 March 2025; the Nómina module on the three of
    February, Facturación on the others."""
    requester = ContactFactory()
    nomina, facturacion = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")
    created = [
        (mx(2025, 1, 30, 10), facturacion),
        (mx(2025, 1, 31, 23, 30), facturacion),
        (mx(2025, 2, 1, 0, 30), nomina),
        (mx(2025, 2, 15, 12), nomina),
        (mx(2025, 2, 28, 18), nomina),
        (mx(2025, 3, 1, 9), facturacion),
        (mx(2025, 3, 31, 17), facturacion),
    ]
    tickets = [
        Ticket.objects.create(requester=requester, module=module, subject="S", description="D", channel="web", created_at=at)
        for at, module in created
    ]
    reports_refresh()
    return dict(tickets=tickets, nomina=nomina, facturacion=facturacion)


def figures(start, end, **kwargs):
    report = period_figures(start, end, **kwargs)
    return report, {row.value: row for row in report.rows}


def test_the_monthly_rows_hold_each_month(winter):
    months = dict(MonthlyFigure.objects.filter(dimension="all").values_list("month", "created"))
    assert months == {D(2025, 1, 1): 2, D(2025, 2, 1): 3, D(2025, 3, 1): 2}


def test_a_period_of_a_whole_month_and_one_day_each_side(winter):
    # 31 January – 1 March: the whole of February and a day of each month around it.
    report, rows = figures(D(2025, 1, 31), D(2025, 3, 1))
    (row,) = report.rows
    assert (row.created, row.backlog) == (5, 6)  # 31 Jan, 1, 15, 28 Feb, 1 Mar; all open
    # The 30 days before: 1–30 January.
    assert (report.previous_start, report.previous_end) == (D(2025, 1, 1), D(2025, 1, 30))
    assert (report.previous[""].created, report.previous[""].backlog) == (1, 1)


def test_a_period_of_most_of_a_month_and_the_next_whole_one(winter):
    # 2 February – 31 March: February less its first day, and March.
    report, _rows = figures(D(2025, 2, 2), D(2025, 3, 31))
    (row,) = report.rows
    assert (row.created, row.backlog) == (4, 7)  # 15, 28 Feb, 1, 31 Mar
    # The 58 days before: 6 December 2024 – 1 February 2025.
    assert (report.previous_start, report.previous_end) == (D(2024, 12, 6), D(2025, 2, 1))
    assert (report.previous[""].created, report.previous[""].backlog) == (3, 3)


def test_days_inside_a_month(winter):
    report, _rows = figures(D(2025, 2, 10), D(2025, 2, 27))
    assert (report.rows[0].created, report.rows[0].backlog) == (1, 4)  # 15 Feb; 30, 31 Jan, 1, 15 Feb
    assert (report.previous[""].created, report.previous[""].backlog) == (3, 3)  # 23 Jan – 9 Feb


def test_a_breakdown_across_month_ends(winter):
    nomina, facturacion = str(winter["nomina"].pk), str(winter["facturacion"].pk)
    report, rows = figures(D(2025, 1, 31), D(2025, 3, 1), breakdown="module")
    assert {value: (row.created, row.backlog) for value, row in rows.items()} == {nomina: (3, 3), facturacion: (2, 3)}
    assert {value: report.previous[value].created for value in rows} == {nomina: 0, facturacion: 1}


def test_a_change_moves_the_ticket_in_the_days_and_in_the_months(winter):
    # The ticket of 30 January is cancelled on 3 February: it leaves the backlog then.
    ticket = winter["tickets"][0]
    cancelled = mx(2025, 2, 3, 11)
    Ticket.objects.filter(pk=ticket.pk).update(
        state=Ticket.State.CANCELLED, cancelled_at=cancelled, cancel_reason=Ticket.CancelReason.WITHDRAWN, updated_at=timezone.now()
    )
    TicketChange.objects.create(ticket=ticket, at=cancelled, field="state", old_value="open", new_value="cancelled")
    reports_refresh()
    report, _rows = figures(D(2025, 2, 1), D(2025, 2, 28))  # February, read from its monthly row
    assert (report.rows[0].created, report.rows[0].cancelled, report.rows[0].backlog) == (3, 1, 4)
    assert report.previous[""].backlog == 2  # 31 January: the 30th's still in course then
    month = MonthlyFigure.objects.get(dimension="all", month=D(2025, 2, 1))
    assert (month.created, month.cancelled, month.cancelled_withdrawn, month.left_course) == (3, 1, 1, 1)
    # 2 February: the 30th, 31st and 1st in course; from the 3rd, two of them.
    assert [day.backlog for day in daily_figures(D(2025, 2, 2), D(2025, 2, 4))] == [3, 2, 2]


@pytest.mark.parametrize(
    "start,end",
    [(D(2025, 2, 15), D(2025, 2, 15)), (D(2025, 1, 31), D(2025, 3, 1)), (D(2022, 1, 5), D(2025, 12, 20))],
    ids=["a day", "a month and two edges", "four years"],
)
def test_two_queries_whatever_the_period(winter, start, end, django_assert_num_queries):
    for breakdown in (None, "module", "agent", "organization"):
        with django_assert_num_queries(2):
            period_figures(start, end, breakdown=breakdown)
    with django_assert_num_queries(2):
        daily_figures(start, end)
