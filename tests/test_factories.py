"""The ticket factory's ways to a state: the traits walk the services (history, emails,
confirmation, survey as at the desk); `row_in` writes the columns alone."""

import pytest

from notifications.models import OutgoingEmail
from surveys.models import SolutionConfirmation, Survey
from tests.factories import TicketFactory
from tickets.models import Message, Ticket, TicketChange

pytestmark = pytest.mark.django_db

S = Ticket.State
STATE, ASSIGNEE = TicketChange.Field.STATE, TicketChange.Field.ASSIGNEE
TAKEN = [(STATE, S.OPEN, S.IN_PROGRESS), (ASSIGNEE, "", "agent")]

# trait → (state, history rows, public replies, emails to the requester, confirmation, survey)
TRAITS = {
    "in_progress": (S.IN_PROGRESS, TAKEN, 0, [], False, False),
    "pending_user": (
        S.PENDING_USER,
        [*TAKEN, (STATE, S.IN_PROGRESS, S.PENDING_USER)],
        1,
        ["ticket_waiting_for_user"],
        False,
        False,
    ),
    "pending_vendor": (
        S.PENDING_VENDOR,
        [*TAKEN, (STATE, S.IN_PROGRESS, S.PENDING_VENDOR)],
        1,
        ["ticket_waiting_for_vendor"],
        False,
        False,
    ),
    "solved": (S.SOLVED, [*TAKEN, (STATE, S.IN_PROGRESS, S.SOLVED)], 1, ["ticket_solved"], True, False),
    "closed": (
        S.CLOSED,
        [*TAKEN, (STATE, S.IN_PROGRESS, S.SOLVED), (STATE, S.SOLVED, S.CLOSED)],
        1,
        ["ticket_solved", "survey_invitation"],
        True,
        True,
    ),
    "cancelled": (S.CANCELLED, [*TAKEN, (STATE, S.IN_PROGRESS, S.CANCELLED)], 0, ["ticket_cancelled"], False, False),
}


def history(ticket, agent):
    return [
        (row.field, row.old_value, "agent" if row.new_value == str(agent.pk) else row.new_value)
        for row in ticket.changes.order_by("pk")
    ]


@pytest.mark.parametrize("trait", TRAITS)
def test_a_trait_walks_the_ticket_to_its_state_through_the_services(trait, requester, agent):
    state, rows, replies, templates, confirmed, surveyed = TRAITS[trait]

    ticket = TicketFactory(requester=requester, assignee=agent, **{trait: True})

    assert ticket.state == Ticket.objects.get(pk=ticket.pk).state == state
    assert ticket.assignee == agent and ticket.first_response_at is not None
    assert history(ticket, agent) == rows
    assert ticket.messages.filter(kind=Message.Kind.PUBLIC_REPLY).count() == replies
    assert list(OutgoingEmail.objects.filter(ticket=ticket).order_by("pk").values_list("template", flat=True)) == templates
    assert SolutionConfirmation.objects.filter(ticket=ticket).exists() == confirmed
    assert Survey.objects.filter(ticket=ticket).exists() == surveyed
    assert ticket.sla_plan_id is not None and ticket.first_response_met is not None


def test_the_cancelling_trait_is_a_coordinators_act(requester, agent, coordinator):
    ticket = TicketFactory(requester=requester, assignee=agent, cancelled=True, walk__by=coordinator)

    assert ticket.changes.get(field=STATE, new_value=S.CANCELLED).actor == coordinator
    assert ticket.cancel_reason == Ticket.CancelReason.WITHDRAWN


def test_a_trait_without_an_assignee_is_taken_by_an_agent_of_its_own():
    ticket = TicketFactory(solved=True)

    assert ticket.assignee.has_perm("tickets.work_ticket")
    assert ticket.changes.get(field=ASSIGNEE).new_value == str(ticket.assignee_id)


# state → the columns row_in writes (True/False: set or left empty)
ROWS = {
    S.OPEN: {"assignee": False, "first_response_at": False, "vendor_name": "", "solution": "", "closed_at": False},
    S.IN_PROGRESS: {"assignee": True, "first_response_at": True, "vendor_name": "", "solution": "", "closed_at": False},
    S.PENDING_USER: {"assignee": True, "first_response_at": True, "vendor_name": "", "solution": "", "closed_at": False},
    S.PENDING_VENDOR: {
        "assignee": True,
        "first_response_at": True,
        "vendor_name": "Telmex",
        "solution": "",
        "closed_at": False,
    },
    S.SOLVED: {
        "assignee": True,
        "first_response_at": True,
        "vendor_name": "",
        "solution": "Se reinició el servicio.",
        "closed_at": False,
    },
    S.CLOSED: {
        "assignee": True,
        "first_response_at": True,
        "vendor_name": "",
        "solution": "Se reinició el servicio.",
        "closed_at": True,
    },
    S.CANCELLED: {"assignee": True, "first_response_at": True, "vendor_name": "", "solution": "", "closed_at": False},
}


@pytest.mark.parametrize("state", ROWS)
def test_row_in_writes_the_columns_of_the_state_and_no_history(state, agent):
    ticket = TicketFactory.row_in(state, assignee=agent)

    ticket.refresh_from_db()
    expected = ROWS[state]
    assert ticket.state == state
    assert (ticket.assignee == agent) == expected["assignee"]
    assert (ticket.first_response_at is not None) == expected["first_response_at"]
    assert (ticket.vendor_name, ticket.solution) == (expected["vendor_name"], expected["solution"])
    assert (ticket.closed_at is not None) == expected["closed_at"]
    assert (ticket.cancel_reason == Ticket.CancelReason.WITHDRAWN) == (state == S.CANCELLED)
    assert not ticket.changes.exists() and not ticket.messages.exists()
    assert not OutgoingEmail.objects.exists() and not SolutionConfirmation.objects.exists()


def test_row_in_takes_fields_over_the_states_own(agent):
    ticket = TicketFactory.row_in(S.SOLVED, assignee=agent, solution="Otra solución.")

    assert ticket.solution == "Otra solución."
