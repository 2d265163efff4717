"""The service-level rules (tickets/sla_rules.py), one table each: when the first response
happens, what stops the resolution clock, when a deadline is met; and each reading of the
stored columns in Python and in SQL agreeing (the whole light: test_light.py)."""

import datetime
from types import SimpleNamespace

import pytest

from tests.factories import TicketFactory
from tickets.models import Message, Ticket, TicketChange
from tickets.sla_rules import deadline_met

S = Ticket.State
T0 = datetime.datetime(2025, 6, 16, 9, 0, tzinfo=datetime.UTC)
MIN = datetime.timedelta(minutes=1)


def plan(*, pending_user=True, pending_vendor=True):
    """A plan as the rule sees it: its pausing states, from its two switches."""
    return SimpleNamespace(pausing_states=Ticket.pausing_states(pending_user=pending_user, pending_vendor=pending_vendor))


# When the first response happens ------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, gives",
    [
        (S.OPEN, S.IN_PROGRESS, True),  # taken or assigned
        (S.OPEN, S.CANCELLED, False),  # cancelling is not answering
        (S.IN_PROGRESS, S.PENDING_USER, False),  # a question comes after the first response
        (S.IN_PROGRESS, S.PENDING_VENDOR, False),
        (S.PENDING_USER, S.IN_PROGRESS, False),  # back to work
        (S.SOLVED, S.IN_PROGRESS, False),  # a reopening
        (S.IN_PROGRESS, S.SOLVED, False),
    ],
)
def test_leaving_open_for_work_is_the_only_step_that_is_a_first_response(old, new, gives):
    assert Ticket.step_gives_first_response(old, new) is gives


@pytest.mark.parametrize(
    "kind, gives",
    [(Message.Kind.PUBLIC_REPLY, True), (Message.Kind.INTERNAL_NOTE, False), (Message.Kind.FROM_REQUESTER, False)],
)
def test_only_a_public_reply_is_a_first_response(kind, gives):
    assert Ticket.message_gives_first_response(Message(kind=kind)) is gives


def test_only_the_first_response_counts():
    ticket = Ticket(state=S.OPEN)
    assert ticket.record_first_response(T0) is True
    assert ticket.record_first_response(T0 + MIN) is False
    assert ticket.first_response_at == T0


def changes(*steps):
    return [TicketChange(field=TicketChange.Field.STATE, at=at, old_value=old, new_value=new) for at, old, new in steps]


@pytest.mark.parametrize(
    "column, history, expected",
    [
        (None, [], None),
        (None, [(T0 + 5 * MIN, S.OPEN, S.IN_PROGRESS)], T0 + 5 * MIN),
        # The column (a public reply before the take) wins over the history.
        (T0 + MIN, [(T0 + 5 * MIN, S.OPEN, S.IN_PROGRESS)], T0 + MIN),
        # A cancellation, a pause and a reopening are not responses; the first take is.
        (
            None,
            [
                (T0 + MIN, S.OPEN, S.IN_PROGRESS),
                (T0 + 2 * MIN, S.IN_PROGRESS, S.PENDING_USER),
                (T0 + 3 * MIN, S.PENDING_USER, S.IN_PROGRESS),
            ],
            T0 + MIN,
        ),
        (None, [(T0 + 2 * MIN, S.OPEN, S.CANCELLED)], None),
    ],
)
def test_the_first_response_in_the_history_is_the_column_or_else_the_first_take(column, history, expected):
    assert Ticket.first_response_in_history(column, changes(*history)) == expected


# What stops the resolution clock --------------------------------------------------------


@pytest.mark.parametrize(
    "pending_user, pending_vendor, expected",
    [
        (True, True, {S.PENDING_USER, S.PENDING_VENDOR}),
        (True, False, {S.PENDING_USER}),
        (False, True, {S.PENDING_VENDOR}),
        (False, False, set()),
    ],
)
def test_a_plans_switches_name_its_pausing_states(pending_user, pending_vendor, expected):
    assert Ticket.pausing_states(pending_user=pending_user, pending_vendor=pending_vendor) == expected


@pytest.mark.parametrize(
    "state, stops_by_default, stops_without_vendor_pause",
    [
        (S.OPEN, False, False),
        (S.IN_PROGRESS, False, False),
        (S.PENDING_USER, True, True),
        (S.PENDING_VENDOR, True, False),
        (S.SOLVED, True, True),  # whatever the plan says
        (S.CLOSED, False, False),  # final: resolution_clock_after leaves the clock as it was
        (S.CANCELLED, False, False),
    ],
)
def test_the_resolution_clock_stops_in_the_plans_pausing_states_and_in_solved(
    state, stops_by_default, stops_without_vendor_pause
):
    assert Ticket.resolution_clock_stops(state, plan()) is stops_by_default
    assert Ticket.resolution_clock_stops(state, plan(pending_vendor=False)) is stops_without_vendor_pause


AT = T0 + 60 * MIN
BEFORE = T0


@pytest.mark.parametrize(
    "new_state, stopped_since, pauses_vendor, expected",
    [
        # Running, then into a pausing state: stands still from now.
        (S.PENDING_USER, None, True, (AT, None)),
        # Into a pending state the plan does not pause: runs on.
        (S.PENDING_VENDOR, None, False, (None, None)),
        # Solved while paused: stands still since the pause, not since the solution.
        (S.SOLVED, BEFORE, True, (BEFORE, None)),
        (S.SOLVED, None, False, (AT, None)),
        # Back to work (resumed, reopened): runs again, having stood still since BEFORE.
        (S.IN_PROGRESS, BEFORE, True, (None, BEFORE)),
        (S.IN_PROGRESS, None, True, (None, None)),
        # Closed or cancelled: as it was; nothing is due any more.
        (S.CLOSED, BEFORE, True, (BEFORE, None)),
        (S.CANCELLED, None, True, (None, None)),
    ],
)
def test_the_resolution_clock_after_each_state(new_state, stopped_since, pauses_vendor, expected):
    after = Ticket.resolution_clock_after(new_state, stopped_since=stopped_since, at=AT, plan=plan(pending_vendor=pauses_vendor))
    assert after == expected


def test_the_plan_is_not_read_for_a_state_that_is_not_pending():
    class Unread:
        @property
        def pausing_states(self):
            raise AssertionError("read")

    for state in (S.IN_PROGRESS, S.SOLVED, S.CLOSED):
        Ticket.resolution_clock_after(state, stopped_since=BEFORE, at=AT, plan=Unread())


# Deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize("at, met", [(T0 - MIN, True), (T0, True), (T0 + datetime.timedelta(microseconds=1), False)])
def test_a_deadline_is_met_up_to_and_including_its_instant(at, met):
    assert deadline_met(at, T0) is met


# Each reading of the stored columns, in Python and in SQL -----------------------------------


@pytest.mark.parametrize(
    "state, first_response_at, owed",
    [
        (S.OPEN, None, True),
        (S.OPEN, T0, False),  # answered by a public reply, still open
        (S.IN_PROGRESS, T0, False),
        (S.PENDING_USER, None, False),  # data written around the services: not open, not owed
        (S.CANCELLED, None, False),
    ],
)
@pytest.mark.django_db
def test_first_response_owed_in_python_and_in_sql_agree(state, first_response_at, owed):
    ticket = TicketFactory(state=state, first_response_at=first_response_at)
    assert ticket.first_response_owed is owed
    assert Ticket.objects.filter(Ticket.first_response_owed_q(), pk=ticket.pk).exists() is owed


@pytest.mark.parametrize("paused_since, stopped", [(None, False), (T0, True)])
@pytest.mark.django_db
def test_the_clock_stopped_in_python_and_in_sql_agree(paused_since, stopped):
    ticket = TicketFactory(state=S.PENDING_USER, resolution_paused_since=paused_since)
    assert ticket.sla_clock_stopped is stopped
    assert Ticket.objects.filter(Ticket.sla_clock_stopped_q(), pk=ticket.pk).exists() is stopped
