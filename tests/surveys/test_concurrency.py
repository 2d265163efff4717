"""Real threads on PostgreSQL: the beat job closes each unanswered ticket once even when
two runs overlap or the requester answers at the same moment; one answer per survey."""

import time_machine
from django.core.exceptions import ValidationError

from surveys.answers import confirmation_accept, confirmation_expire_due, survey_answer
from surveys.models import SolutionConfirmation, Survey, SurveyAnswer
from tests.factories import TicketFactory
from tests.races import POSTGRES_ONLY, race, row_locked
from tickets.models import Ticket, TicketChange

from .helpers import FRIDAY_10AM, emails, solve

pytestmark = POSTGRES_ONLY


def solved_long_ago(requester, agent, count=1):
    """Tickets solved in March 2025: their confirmation window ended long ago."""
    tickets = [TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent) for _ in range(count)]
    with time_machine.travel(FRIDAY_10AM, tick=False):
        for ticket in tickets:
            solve(ticket, agent)
    return tickets


def closings(ticket):
    return ticket.changes.filter(field=TicketChange.Field.STATE, new_value=Ticket.State.CLOSED).count()


def raised_or_returned(outcomes):
    for outcome in outcomes:
        if isinstance(outcome, BaseException) and not isinstance(outcome, ValidationError):
            raise outcome
    return outcomes


def test_two_overlapping_runs_close_each_ticket_once(requester, agent):
    tickets = solved_long_ago(requester, agent, count=6)

    outcomes = raised_or_returned(race((None, lambda _: confirmation_expire_due(batch_size=2)),
                                       (None, lambda _: confirmation_expire_due(batch_size=2))))

    assert sum(outcomes) == 6
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.state == Ticket.State.CLOSED
        assert closings(ticket) == 1
    assert Survey.objects.count() == 6 and len(emails("survey_invitation")) == 6
    assert set(SolutionConfirmation.objects.values_list("outcome", flat=True)) == {SolutionConfirmation.Outcome.EXPIRED}


def test_requester_answering_while_the_job_runs_closes_once(requester, agent):
    (ticket,) = solved_long_ago(requester, agent)
    confirmation = SolutionConfirmation.objects.get(ticket=ticket)

    accepted, swept = raised_or_returned(
        race((None, lambda _: confirmation_accept(confirmation=confirmation)), (None, lambda _: confirmation_expire_due()))
    )

    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.CLOSED and closings(ticket) == 1
    outcome = SolutionConfirmation.objects.get(pk=confirmation.pk).outcome
    if isinstance(accepted, ValidationError):  # the job was first: the requester is told it was answered
        assert (outcome, swept) == (SolutionConfirmation.Outcome.EXPIRED, 1)
        assert accepted.code == "answered"
    else:  # the requester was first: the job skipped the ticket or found it answered
        assert (outcome, swept) == (SolutionConfirmation.Outcome.ACCEPTED, 0)
    assert len(emails("survey_invitation", ticket)) == 1


def test_two_accepts_at_once_one_wins(requester, agent):
    (ticket,) = solved_long_ago(requester, agent)
    confirmation = SolutionConfirmation.objects.get(ticket=ticket)

    outcomes = raised_or_returned(race(*[(None, lambda _: confirmation_accept(confirmation=confirmation))] * 2))

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and refused[0].code == "answered"
    ticket.refresh_from_db()
    assert closings(ticket) == 1 and Survey.objects.filter(ticket=ticket).count() == 1


def test_two_answers_to_one_survey_at_once_one_is_kept(requester, agent):
    (ticket,) = solved_long_ago(requester, agent)
    confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
    survey = Survey.objects.get(ticket=ticket)

    outcomes = raised_or_returned(
        race(
            (None, lambda _: survey_answer(survey=survey, rating=5, solved=True)),
            (None, lambda _: survey_answer(survey=survey, rating=1, solved=False)),
        )
    )

    kept = [o for o in outcomes if isinstance(o, SurveyAnswer)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(kept) == len(refused) == 1 and refused[0].code == "answered"
    assert SurveyAnswer.objects.get(ticket=ticket).rating == kept[0].rating


def test_the_job_skips_a_ticket_someone_holds_and_closes_it_next_run(requester, agent):
    (ticket,) = solved_long_ago(requester, agent)
    with row_locked(Ticket, ticket.pk):
        assert confirmation_expire_due() == 0  # did not wait for the lock
        assert Ticket.objects.get(pk=ticket.pk).state == Ticket.State.SOLVED

    assert confirmation_expire_due() == 1
    assert Ticket.objects.get(pk=ticket.pk).state == Ticket.State.CLOSED
