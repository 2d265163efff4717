"""`manage.py sla_recompute`: deadlines for tickets that predate the SLA or were written
around the services, from their creation and history; the past recorded without emails
(or left to the sweep); and the demo desk ends with deadlines in all three colours."""

import datetime
from importlib import import_module
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils import timezone

from notifications.models import OutgoingEmail
from sla.models import Calendar, Holiday, SLAEvent, SLAPlan, SLATarget
from sla.services import PlanBook, sla_plan_for, sla_recompute
from sla.sweep import sla_sweep
from tests.factories import AgentFactory, OrganizationFactory, SupportPolicyFactory, TicketFactory
from tickets.models import Priority, SLAState, Ticket, TicketChange

from .conftest import MIN, H, mx

pytestmark = pytest.mark.django_db

FRIDAY_1730 = mx(2025, 6, 13, 17, 30)


def written_around_the_services(customer, state, steps=(), **fields):
    """A ticket as generate_dataset or an old version left it: columns and history rows,
    no deadlines. `steps`: (when, old state, new state)."""
    ticket = TicketFactory(
        requester=customer, organization=customer.organization, priority=Priority.HIGH, state=state,
        created_at=FRIDAY_1730, **fields,
    )
    TicketChange.objects.create(ticket=ticket, at=FRIDAY_1730, field="created", new_value="open")
    for when, old, new in steps:
        TicketChange.objects.create(ticket=ticket, at=when, field="state", old_value=old, new_value=new)
    return ticket


def test_an_overdue_ticket_gets_its_deadlines_and_its_past_recorded_without_emails(desk, customer, coordinator):
    ticket = written_around_the_services(customer, Ticket.State.OPEN)
    desk.at(mx(2025, 6, 16, 11, 0))
    assert sla_recompute().tickets == 1
    ticket.refresh_from_db()
    assert ticket.first_response_due == mx(2025, 6, 16, 10, 30) and ticket.resolution_due == mx(2025, 6, 16, 16, 30)
    assert sorted(ticket.sla_events.values_list("clock", "kind", "notified", "at")) == [
        ("first_response", "breach", False, mx(2025, 6, 16, 10, 30)),
        ("first_response", "warning", False, mx(2025, 6, 16, 10, 0)),
    ]
    assert ticket.sla_next_check_at == mx(2025, 6, 16, 14, 30)
    assert sla_sweep().events == 0 and not OutgoingEmail.objects.exists()


def test_with_notify_overdue_the_next_sweep_sends_what_is_overdue(desk, customer, coordinator):
    ticket = written_around_the_services(customer, Ticket.State.OPEN)
    desk.at(mx(2025, 6, 16, 11, 0))
    call_command("sla_recompute", "--notify-overdue", stdout=StringIO())
    ticket.refresh_from_db()
    assert not ticket.sla_events.exists() and ticket.sla_next_check_at == mx(2025, 6, 16, 10, 0)
    result = sla_sweep()
    assert (result.warnings, result.breaches) == (0, 1)
    assert OutgoingEmail.objects.get(template="sla_alert").to == coordinator.email


def test_the_history_tells_the_pauses_and_the_first_response(desk, customer):
    agent = AgentFactory()
    ticket = written_around_the_services(
        customer,
        Ticket.State.IN_PROGRESS,
        steps=[
            (mx(2025, 6, 16, 10, 0), "open", "in_progress"),
            (mx(2025, 6, 16, 11, 0), "in_progress", "pending_user"),
            (mx(2025, 6, 17, 11, 0), "pending_user", "in_progress"),
        ],
        assignee=agent,
    )
    desk.at(mx(2025, 6, 17, 12, 0))
    sla_recompute()
    ticket.refresh_from_db()
    assert (ticket.first_response_met, ticket.first_response_time) == (True, 90 * MIN)
    assert (ticket.resolution_paused, ticket.resolution_paused_since) == (9 * H, None)
    assert ticket.resolution_due == mx(2025, 6, 17, 16, 30)
    assert ticket.sla_state(mx(2025, 6, 17, 12, 0)) == SLAState.ON_TIME


def test_a_ticket_waiting_now_is_paused_since_it_began_to_wait(desk, customer):
    ticket = written_around_the_services(
        customer,
        Ticket.State.PENDING_VENDOR,
        steps=[(mx(2025, 6, 16, 10, 0), "open", "in_progress"), (mx(2025, 6, 16, 15, 0), "in_progress", "pending_vendor")],
    )
    desk.at(mx(2025, 6, 20, 12, 0))
    sla_recompute()
    ticket.refresh_from_db()
    assert ticket.resolution_paused_since == mx(2025, 6, 16, 15, 0)
    assert ticket.sla_next_check_at is None
    # The warning (14:30) came before the pause and is on record; the deadline did not.
    assert list(ticket.sla_events.values_list("clock", "kind")) == [("resolution", "warning")]


def test_only_tickets_without_deadlines_unless_all_and_closed_ones_only_when_asked(desk, customer):
    fresh = written_around_the_services(customer, Ticket.State.OPEN)
    closed = written_around_the_services(
        customer,
        Ticket.State.CLOSED,
        steps=[
            (mx(2025, 6, 16, 9, 30), "open", "in_progress"),
            (mx(2025, 6, 16, 17, 0), "in_progress", "solved"),
            (mx(2025, 6, 19, 17, 0), "solved", "closed"),
        ],
    )
    desk.at(mx(2025, 6, 20, 12, 0))
    out = StringIO()
    call_command("sla_recompute", stdout=out)
    assert "Plazos de SLA calculados para 1 tickets" in out.getvalue()
    closed.refresh_from_db()
    assert closed.sla_plan is None

    # A new holiday on the calendar: --all applies it to the tickets in course.
    Holiday.objects.create(calendar=SLAPlan.objects.default().calendar, date=datetime.date(2025, 6, 16), name="Cierre")
    call_command("sla_recompute", "--all", stdout=StringIO())
    fresh.refresh_from_db()
    assert fresh.first_response_due == mx(2025, 6, 17, 10, 30)

    call_command("sla_recompute", "--include-final", stdout=StringIO())
    closed.refresh_from_db()
    # Solved on Monday, now a holiday: only Friday's half hour counts.
    assert (closed.resolution_met, closed.resolution_time, closed.first_response_met) == (True, 30 * MIN, True)
    assert not closed.sla_events.exists()


def test_the_migration_marks_the_cancellations_at_intake_written_before_the_marker(desk, customer):
    """Once, by the rule the replay used before the marker: a gatekeeping reason, cancelled
    less than a minute after its creation."""
    mark_intake_cancellations = import_module("tickets.migrations.0008_gatekeeping_marker").mark_intake_cancellations

    def cancelled(reason, after):
        ticket = written_around_the_services(
            customer, Ticket.State.CANCELLED, steps=[(FRIDAY_1730 + after, "open", "cancelled")],
            cancel_reason=reason, cancelled_at=FRIDAY_1730 + after,
        )
        TicketChange.objects.filter(ticket=ticket).update(gatekeeping=False)
        return ticket

    at_intake = cancelled(Ticket.CancelReason.NO_POLICY, datetime.timedelta(0))
    unauthorized = cancelled(Ticket.CancelReason.UNAUTHORIZED_CONTACT, 59 * datetime.timedelta(seconds=1))
    a_minute_later = cancelled(Ticket.CancelReason.NO_POLICY, MIN)
    withdrawn = cancelled(Ticket.CancelReason.WITHDRAWN, datetime.timedelta(seconds=5))
    mark_intake_cancellations(django_apps, None)

    marked = TicketChange.objects.filter(gatekeeping=True)
    assert sorted(marked.values_list("ticket_id", "field")) == [(at_intake.pk, "state"), (unauthorized.pk, "state")]
    sla_recompute(tickets=Ticket.objects.all())
    due = dict(Ticket.objects.values_list("pk", "first_response_due"))
    assert (due[at_intake.pk], due[unauthorized.pk]) == (None, None)
    assert due[a_minute_later.pk] == due[withdrawn.pk] == mx(2025, 6, 16, 10, 30)


def test_recomputing_twice_changes_nothing(desk, customer):
    written_around_the_services(customer, Ticket.State.OPEN)
    desk.at(mx(2025, 6, 17, 12, 0))
    sla_recompute()
    before = list(Ticket.objects.values())
    events = list(SLAEvent.objects.values("ticket_id", "clock", "kind", "at"))
    assert sla_recompute(tickets=Ticket.objects.all()).events == 0
    assert list(Ticket.objects.values()) == before
    assert list(SLAEvent.objects.values("ticket_id", "clock", "kind", "at")) == events


def premium_plan():
    plan = SLAPlan.objects.create(name="Premium", calendar=Calendar.objects.get(name="24×7"))
    for priority in Priority.values:
        SLATarget.objects.create(plan=plan, priority=priority, first_response=H, resolution=2 * H)
    return plan


@pytest.mark.parametrize(
    "policies, expected",
    [
        ([], "default"),
        ([("premium", 1, 12)], "premium"),
        ([(None, 1, 12)], "default"),
        ([("premium", 1, 6), (None, 1, 12)], "default"),  # the one ending last decides
        ([("premium", 1, 12), (None, 1, 6)], "premium"),
        ([("premium", 7, 12)], "default"),  # not yet in force
    ],
)
def test_the_plan_book_chooses_as_sla_plan_for(policies, expected):
    premium = premium_plan()
    organization = OrganizationFactory()
    for plan, start_month, end_month in policies:
        SupportPolicyFactory(
            organization=organization,
            sla_plan=premium if plan else None,
            starts_on=datetime.date(2025, start_month, 1),
            ends_on=datetime.date(2025, end_month, 28),
        )
    on = datetime.date(2025, 3, 10)
    chosen = PlanBook().plan_for(organization.pk, on)
    assert chosen == sla_plan_for(organization=organization, on=on)
    assert chosen == (premium if expected == "premium" else SLAPlan.objects.default())


def test_the_demo_ends_with_deadlines_in_all_three_colours_and_nothing_to_send():
    # The clock stands still while the demo loads and the sweep runs: on a real clock a
    # warning due in the seconds between the demo's last recompute and this sweep would be
    # the sweep's to send, and the test would fail at some times of day and not others.
    with time_machine.travel(timezone.now(), tick=False):
        call_command("load_demo", stdout=StringIO())
        in_course = Ticket.objects.in_course()
        assert in_course.exists() and not in_course.filter(resolution_due__isnull=True).exists()
        now = timezone.now()
        for state in SLAState.values:
            assert Ticket.objects.in_sla_state(state, now).exists(), state
        assert SLAEvent.objects.filter(kind="breach", notified=False).exists()
        # The past is on record: a sweep now has nothing to send.
        assert sla_sweep().events == 0
        assert not OutgoingEmail.objects.filter(template="sla_alert").exists()
