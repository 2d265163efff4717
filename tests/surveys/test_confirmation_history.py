"""The confirmation's outcome is a state machine: only its transitions change it, and each
change leaves one history row saying who, when, from what to what (docs/process.md,
«Solution confirmation and surveys»)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from surveys.answers import confirmation_accept, confirmation_expire_due, confirmation_reject
from surveys.models import ConfirmationChange, SolutionConfirmation
from tickets import services
from tickets.models import Ticket

from .helpers import FRIDAY_10AM, solve

pytestmark = pytest.mark.django_db

Outcome = SolutionConfirmation.Outcome
COMMENT = "Sigue saliendo el error 500 al timbrar."
# Past the default window of three business days after Friday 7 March 2025.
AFTER_THE_WINDOW = FRIDAY_10AM + datetime.timedelta(days=7)


@pytest.fixture
def solved(ticket, agent):
    with time_machine.travel(FRIDAY_10AM, tick=False):
        return solve(ticket, agent)


def history(ticket):
    return list(
        ConfirmationChange.objects.filter(confirmation__ticket=ticket)
        .order_by("at", "pk")
        .values_list("actor__username", "old_outcome", "new_outcome", "note")
    )


def accept(ticket, agent):
    confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))


def reject(ticket, agent):
    confirmation_reject(confirmation=SolutionConfirmation.objects.get(ticket=ticket), comment=COMMENT)


def agent_closes(ticket, agent):
    services.ticket_close(ticket=ticket, by=agent)


def solved_again(ticket, agent):
    services.ticket_reopen(ticket=ticket, by=agent, message="Llamó: sigue fallando.")
    ticket.refresh_from_db()
    solve(ticket, agent)


def nobody_answers(ticket, agent):
    with time_machine.travel(AFTER_THE_WINDOW, tick=False):
        confirmation_expire_due()


def reopened_then_swept(ticket, agent):
    services.ticket_reopen(ticket=ticket, by=agent, message="Llamó: sigue fallando.")
    with time_machine.travel(AFTER_THE_WINDOW, tick=False):
        confirmation_expire_due()


# (what happens, the rows it leaves: who, from, to, note); "ana" is the agent fixture.
@pytest.mark.parametrize(
    "act, rows",
    [
        (accept, [(None, Outcome.PENDING, Outcome.ACCEPTED, "")]),
        (reject, [(None, Outcome.PENDING, Outcome.REJECTED, COMMENT)]),
        (agent_closes, [("ana", Outcome.PENDING, Outcome.CLOSED_BY_DESK, "")]),
        (solved_again, [("ana", Outcome.PENDING, Outcome.SUPERSEDED, "")]),
        (nobody_answers, [(None, Outcome.PENDING, Outcome.EXPIRED, "")]),
        (reopened_then_swept, [(None, Outcome.PENDING, Outcome.SUPERSEDED, "El ticket ya no espera esta solución.")]),
    ],
    ids=["accepted", "rejected", "closed-by-desk", "superseded-by-a-new-solution", "expired", "superseded-by-the-job"],
)
def test_each_change_of_outcome_leaves_one_history_row(solved, agent, act, rows):
    act(solved, agent)
    assert history(solved) == rows


def test_a_new_round_starts_without_history(solved, agent):
    assert history(solved) == []
    assert SolutionConfirmation.objects.get(ticket=solved).outcome == Outcome.PENDING


def test_the_outcome_cannot_be_assigned_directly(solved):
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    with pytest.raises(AttributeError):
        confirmation.outcome = Outcome.ACCEPTED


@pytest.mark.parametrize("final", [o for o in Outcome.values if o != Outcome.PENDING])
@pytest.mark.parametrize("transition", ["accept", "reject", "expire", "close_by_desk", "supersede"])
def test_every_outcome_but_pending_is_final(final, transition):
    confirmation = SolutionConfirmation(outcome=final)
    arguments = {"accept": {"at": FRIDAY_10AM}, "reject": {"at": FRIDAY_10AM, "comment": COMMENT}}
    with pytest.raises(TransitionNotAllowed):
        getattr(confirmation, transition)(**arguments.get(transition, {}))


def test_the_expiry_job_run_twice_closes_and_records_once(solved):
    with time_machine.travel(AFTER_THE_WINDOW, tick=False):
        assert confirmation_expire_due() == 1
        assert confirmation_expire_due() == 0
    solved.refresh_from_db()
    assert solved.state == Ticket.State.CLOSED
    assert history(solved) == [(None, Outcome.PENDING, Outcome.EXPIRED, "")]


def test_an_answer_refused_leaves_no_history(solved):
    accept(solved, None)
    with pytest.raises(ValidationError):
        reject(solved, None)
    assert history(solved) == [(None, Outcome.PENDING, Outcome.ACCEPTED, "")]


def test_a_coordinator_reads_the_history_on_the_confirmation_admin_page(solved, agent, coordinator, client):
    agent_closes(solved, agent)
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    client.force_login(coordinator)
    response = client.get(reverse("admin:surveys_solutionconfirmation_change", args=[confirmation.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Historial de la confirmación" in page and str(Outcome.CLOSED_BY_DESK.label) in page
