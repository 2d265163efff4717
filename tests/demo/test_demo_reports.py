"""The demo desk's reports (`manage.py load_demo`): current as soon as it is loaded, with
something to show in every figure of the last 30 days, and the requesters' answers to the
solutions recorded as the confirmation pages record them.

The demo takes about 30 s to load (as in test_load_demo.py): one test loads it and checks
everything on the result."""

import datetime
from io import StringIO

import holidays
import pytest
from django.core.management import call_command
from django.utils import timezone

from reports.figures import daily_figures, period_figures
from reports.models import TicketFacts
from reports.refresh import reports_rebuild
from surveys.models import ConfirmationChange, SolutionConfirmation, SurveyAnswer
from tests.reports.desk import stored_rows
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def check_the_reports_are_current():
    assert TicketFacts.objects.count() == Ticket.objects.count() > 0
    loaded = stored_rows()
    reports_rebuild()
    assert stored_rows() == loaded


def check_every_figure_of_the_last_30_days_has_something_to_show():
    today = timezone.localdate()
    start = today - datetime.timedelta(days=29)
    (row,) = period_figures(start, today).rows

    assert row.created > 0 and row.solved > 0 and row.closed > 0
    assert row.first_response.breached > 0 and row.first_response.met > 0
    assert row.resolution.breached > 0 and row.resolution.met > 0
    assert row.escalations[2] > 0 and row.escalations[3] > 0
    assert row.reopenings > 0 and row.resolved_reopened > 0
    assert row.false_incidents > 0
    assert len([reason for reason, count in row.cancellations.items() if count > 0]) >= 3, row.cancellations
    assert row.satisfaction.answered > 0
    assert all(row.satisfaction.distribution[rating] > 0 for rating in range(1, 6)), row.satisfaction.distribution
    # The low ratings say why: comments on the surveys of the period rated 1 or 2.
    local_start = datetime.datetime.combine(start, datetime.time(), timezone.get_current_timezone())
    low = SurveyAnswer.objects.filter(rating__lte=2, survey__sent_at__gte=local_start).exclude(comment="")
    assert low.exists()


def check_tickets_are_created_and_solved_every_working_day_of_this_month_and_last():
    today = timezone.localdate()
    since = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    mexican = holidays.country_holidays("MX", years=range(since.year, today.year + 1))
    history_start = today - datetime.timedelta(days=60)
    working = [
        day
        for day in daily_figures(max(since, history_start + datetime.timedelta(days=7)), today - datetime.timedelta(days=1))
        if day.day.weekday() < 5 and day.day not in mexican
    ]
    assert working
    assert [day.day for day in working if not day.created] == []
    assert [day.day for day in working if not day.solved] == []


def check_the_requesters_answers_to_the_solutions_are_their_own():
    outcomes = set(SolutionConfirmation.objects.values_list("outcome", flat=True))
    Outcome = SolutionConfirmation.Outcome
    assert {Outcome.ACCEPTED, Outcome.REJECTED, Outcome.EXPIRED, Outcome.PENDING} <= outcomes
    # Every reopening is a rejection by the requester, with what they said.
    reopened = Ticket.objects.filter(reopen_count__gt=0)
    assert reopened.exists()
    for ticket in reopened:
        rejected = SolutionConfirmation.objects.filter(ticket=ticket, outcome=Outcome.REJECTED)
        assert rejected.count() == ticket.reopen_count
        assert all(confirmation.comment for confirmation in rejected)
    # A closed ticket's last solution was accepted or expired; none was closed by the desk.
    assert not SolutionConfirmation.objects.filter(outcome=Outcome.CLOSED_BY_DESK).exists()
    assert ConfirmationChange.objects.filter(new_outcome=Outcome.ACCEPTED).exists()


def test_the_demo_desk_opens_on_reports_with_something_in_every_figure():
    call_command("load_demo", stdout=StringIO())

    check_the_reports_are_current()
    check_every_figure_of_the_last_30_days_has_something_to_show()
    check_tickets_are_created_and_solved_every_working_day_of_this_month_and_last()
    check_the_requesters_answers_to_the_solutions_are_their_own()
