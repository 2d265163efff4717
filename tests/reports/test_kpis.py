"""Every figure of a small desk, against numbers worked out by hand (docs/reports.md).

The desk's clock is Mexico City's, the default calendar Mon–Fri 09:00–18:00, with the
public holiday of Monday 17 November 2025 (Día de la Revolución). Priority alta: first
response within 2 business hours, resolution within 8.

    A  Thu 13 10:00 opened (module Nómina) · 10:30 taken by Ana · 12:00 solved · 15:00
       accepted · Fri 14 09:00 survey 5 ★, solved
    B  Fri 14 17:00 opened (Nómina) · Tue 18 09:30 taken (wall 88.5 h, business 1 h + 0.5 h)
       · 10:00 waits for the requester · 14:00 resumes (4 business hours paused) · 15:00
       escalated to N2 · Wed 19 12:00 solved · 14:00 rejected · Thu 20 10:00 solved again ·
       Fri 21 11:00 closed by Ana · 16:00 survey 2 ★, not solved
    C  Sat 15 11:00 opened (Facturación, by email) · Mon 17 (holiday) 10:00 taken · 11:00
       solved as a false incident · Tue 18 09:00 accepted · no survey answer
    D  Tue 18 11:00 opened · 12:00 cancelled (withdrawn)
    E  Wed 19 16:00 opened, untouched
"""

import datetime

import pytest
import time_machine

from reports.figures import daily_figures, period_figures
from reports.refresh import reports_rebuild, reports_refresh
from tests.factories import ContactFactory
from tickets.models import Ticket

from .desk import known_desk, mx, stored_rows

pytestmark = pytest.mark.django_db

H = 3600
D = datetime.date


def within(estimate, exact):
    """A percentile read from the histogram: within 12.2 % of the exact value."""
    return estimate is not None and abs(estimate / exact - 1) <= 0.122


@pytest.fixture(params=["refreshed once", "refreshed at every step"])
def built(request):
    with time_machine.travel(mx(2025, 11, 13, 9, 0), tick=False) as traveller:

        def at(when):
            if request.param == "refreshed at every step":
                reports_refresh()
            traveller.move_to(when)

        desk = known_desk(at)
        at(mx(2025, 11, 22, 8, 0))
        reports_refresh()
        if request.param == "refreshed at every step":
            # The incremental runs gave what one run over everything gives.
            assert stored_rows() == (reports_rebuild(), stored_rows())[1]
        yield dict(desk, traveller=traveller)


def test_the_whole_desk_over_the_period(built):
    report = period_figures(D(2025, 11, 13), D(2025, 11, 21))
    (row,) = report.rows

    assert (row.created, row.solved, row.closed, row.cancelled) == (5, 3, 3, 1)
    assert row.cancellations == {"duplicate": 0, "unauthorized_contact": 0, "no_policy": 0, "withdrawn": 1, "other": 0}
    assert row.backlog == 1  # E

    # First response: A 0.5 h (0.5 h business), B 88.5 h (1.5 h), C 47 h (0: weekend and holiday).
    fr = row.first_response
    assert fr.wall.count == fr.business.count == 3
    assert fr.wall.mean == (1800 + 88.5 * H + 47 * H) / 3
    assert fr.business.mean == (1800 + 1.5 * H + 0) / 3
    assert within(fr.wall.median, 47 * H) and within(fr.wall.p90, 88.5 * H)
    assert within(fr.business.median, 1800) and within(fr.business.p90, 1.5 * H)
    assert (fr.met, fr.breached, fr.within_share) == (3, 0, 1.0)

    # Resolution: A 2 h (2 h business, met); B Fri 17:00 → Thu 10:00 = 137 h wall, business
    # 1 + 9 + 9 + 1 = 20 h less 4 h waiting and 2 h in Solucionado = 14 h (> 8 h: breached);
    # C 48 h wall, 0 business (met).
    res = row.resolution
    assert row.resolved == res.wall.count == res.business.count == 3
    assert res.wall.mean == (2 * H + 137 * H + 48 * H) / 3
    assert res.business.mean == (2 * H + 14 * H + 0) / 3
    assert within(res.wall.median, 48 * H) and within(res.wall.p90, 137 * H)
    assert within(res.business.median, 2 * H) and within(res.business.p90, 14 * H)
    assert (res.met, res.breached) == (2, 1)
    assert res.within_share == 2 / 3

    assert (row.first_contact, row.first_contact_share) == (2, 2 / 3)  # A and C
    assert row.false_incidents == 1  # C
    assert row.escalations == {2: 1, 3: 0}
    assert (row.resolved_escalated, row.escalated_share) == (1, 1 / 3)
    assert (row.reopenings, row.resolved_reopened, row.reopened_share) == (1, 1, 1 / 3)

    s = row.satisfaction
    assert (s.sent, s.answered, s.answer_rate) == (3, 2, 2 / 3)
    assert s.mean == 3.5
    assert s.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert s.solved_share == 0.5

    # The nine days before: nothing.
    assert (report.previous_start, report.previous_end) == (D(2025, 11, 4), D(2025, 11, 12))
    before = report.previous_of(row)
    assert (before.created, before.solved, before.backlog, before.first_response.wall.mean) == (0, 0, 0, None)


def test_each_day_puts_each_figure_on_its_instant(built):
    # The week without the first day: A's figures fall on Thursday 13 and stay out, except
    # its survey answer, counted with the survey on the day it was sent (13).
    (row,) = period_figures(D(2025, 11, 14), D(2025, 11, 21)).rows
    assert (row.created, row.solved, row.closed, row.resolved) == (4, 2, 2, 2)
    assert row.first_response.wall.count == 2
    assert (row.satisfaction.sent, row.satisfaction.answered) == (2, 1)
    # And the period before it (Thursday 6 … Thursday 13) holds A alone, with an empty backlog.
    before = period_figures(D(2025, 11, 14), D(2025, 11, 21)).previous[""]
    assert (before.created, before.solved, before.closed, before.resolved, before.backlog) == (1, 1, 1, 1, 0)

    days = {day.day: day for day in daily_figures(D(2025, 11, 13), D(2025, 11, 22))}
    assert [days[D(2025, 11, d)].backlog for d in range(13, 23)] == [0, 1, 2, 2, 1, 1, 2, 1, 1, 1]
    assert [days[D(2025, 11, d)].created for d in range(13, 23)] == [1, 1, 1, 0, 0, 1, 1, 0, 0, 0]
    assert [days[D(2025, 11, d)].solved for d in range(13, 23)] == [1, 0, 0, 0, 1, 0, 0, 1, 0, 0]
    assert days[D(2025, 11, 20)].res_breached == 1 and days[D(2025, 11, 17)].res_met == 1


def test_by_dimension(built):
    ana, nomina, facturacion = built["ana"], built["nomina"], built["facturacion"]
    by_module = {row.value: row for row in period_figures(D(2025, 11, 13), D(2025, 11, 21), breakdown="module").rows}
    assert set(by_module) == {str(nomina.pk), str(facturacion.pk), ""}
    assert (by_module[str(nomina.pk)].created, by_module[str(nomina.pk)].resolved) == (2, 2)
    assert by_module[str(nomina.pk)].resolution.business.mean == (2 * H + 14 * H) / 2
    assert (by_module[str(facturacion.pk)].false_incidents, by_module[str(facturacion.pk)].first_contact) == (1, 1)
    assert (by_module[""].created, by_module[""].cancelled, by_module[""].backlog) == (2, 1, 1)

    by_level = {row.value: row for row in period_figures(D(2025, 11, 13), D(2025, 11, 21), breakdown="level").rows}
    assert (by_level["1"].created, by_level["2"].created, by_level["2"].escalations[2]) == (4, 1, 1)

    by_channel = {row.value: row for row in period_figures(D(2025, 11, 13), D(2025, 11, 21), breakdown="channel").rows}
    assert (by_channel["web"].created, by_channel["email"].created) == (4, 1)

    (mine,) = period_figures(D(2025, 11, 13), D(2025, 11, 21), agent=ana).rows
    assert (mine.value, mine.created, mine.resolved, mine.satisfaction.mean) == (str(ana.pk), 3, 3, 3.5)
    with pytest.raises(ValueError):
        period_figures(D(2025, 11, 13), D(2025, 11, 21), agent=ana, breakdown="module")


def test_a_second_refresh_changes_nothing(built):
    rows = stored_rows()
    result = reports_refresh()
    assert (result.changed, stored_rows()) == (0, rows)


def test_the_reads_take_a_constant_number_of_queries(built, django_assert_num_queries):
    with django_assert_num_queries(2):
        period_figures(D(2025, 11, 1), D(2025, 11, 30), breakdown="agent")
    with django_assert_num_queries(2):
        daily_figures(D(2025, 11, 1), D(2025, 11, 30))


@pytest.mark.parametrize("tickets", [0, 30])
def test_the_reads_take_the_same_queries_whatever_the_tickets(tickets, django_assert_num_queries):
    requester = ContactFactory()
    for n in range(tickets):
        Ticket.objects.create(
            requester=requester, subject="S", description="D", channel="web", created_at=mx(2025, 11, 1 + n % 28, 10)
        )
    reports_refresh()
    with django_assert_num_queries(2):
        period_figures(D(2025, 11, 1), D(2025, 11, 30), breakdown="module")
    with django_assert_num_queries(2):
        daily_figures(D(2025, 11, 1), D(2025, 11, 30))


def test_a_refresh_since_an_instant_looks_only_at_what_changed_after_it(built):
    # Only B changed after Thursday 20 November at noon (closed, its survey answered).
    result = reports_refresh(since=mx(2025, 11, 20, 12, 0))
    assert (result.tickets, result.changed) == (1, 0)


def test_rebuild_command_and_beat_entry(built, settings):
    from io import StringIO

    from django.core.management import call_command

    rows = stored_rows()
    out = StringIO()
    call_command("reports_rebuild", stdout=out)
    assert out.getvalue().startswith("5 tickets")
    assert stored_rows() == rows
    assert settings.CELERY_BEAT_SCHEDULE["reports-refresh"]["task"] == "reports.refresh"
