"""Deadlines on every ticket: set at creation, retargeted by a new priority, pushed out by
the business time spent waiting, stopped (met or missed, with the figures) when solved,
resumed on reopening, and nothing due once cancelled or closed. Every ticket here goes
through tickets.services at a travelled moment of the default calendar (Mon–Fri
09:00–18:00, Mexico City)."""

import datetime

import pytest

from notifications.models import OutgoingEmail
from sla.models import Calendar, SLAPlan, SLATarget
from sla.services import SLA_FIELDS, sla_recompute
from sla.sweep import sla_sweep
from tests.factories import ContactFactory, TicketFactory
from tickets import services
from tickets.models import Impact, Message, Priority, Ticket, Urgency

from .conftest import MIN, H, default_plan, mx, open_ticket, requester_replies, set_impact

pytestmark = pytest.mark.django_db


def local(value):
    return value.astimezone(mx(2025, 1, 1).tzinfo) if value else None


def deadlines(ticket):
    ticket.refresh_from_db()
    return (
        local(ticket.first_response_warn_at),
        local(ticket.first_response_due),
        local(ticket.resolution_warn_at),
        local(ticket.resolution_due),
    )


# The SLA's promises end to end (docs/process.md, «SLA») ------------------------------


def test_a_ticket_opened_on_friday_at_1730_runs_on_monday_pauses_and_is_breached_once(
    desk, customer, agent, coordinator
):
    ticket = open_ticket(customer)  # Friday 17:30, priority alto: 2 h / 8 h, warning at 75 %
    assert ticket.priority == Priority.HIGH
    # Half an hour on Friday, the rest on Monday from 09:00.
    assert deadlines(ticket) == (mx(2025, 6, 16, 10, 0), mx(2025, 6, 16, 10, 30), mx(2025, 6, 16, 14, 30), mx(2025, 6, 16, 16, 30))

    desk.at(mx(2025, 6, 16, 10, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    assert (ticket.first_response_met, ticket.first_response_time) == (True, 90 * MIN)

    desk.at(mx(2025, 6, 16, 11, 0))
    ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Nos envía la captura del error?", notify=False)
    # While it waits, the old warning instant (14:30) passes and no sweep notices anything.
    desk.at(mx(2025, 6, 16, 17, 0))
    assert sla_sweep().examined == 0

    desk.at(mx(2025, 6, 17, 11, 0))  # Tuesday: the requester answers
    ticket = requester_replies(ticket)
    assert ticket.state == Ticket.State.IN_PROGRESS
    assert ticket.resolution_paused == 9 * H  # Monday 11–18 and Tuesday 9–11
    assert deadlines(ticket)[2:] == (mx(2025, 6, 17, 14, 30), mx(2025, 6, 17, 16, 30))

    sent = []
    for when in (mx(2025, 6, 17, 14, 31), mx(2025, 6, 17, 16, 31), mx(2025, 6, 17, 16, 32), mx(2025, 6, 18, 9, 0), mx(2025, 6, 18, 9, 1)):
        desk.at(when)
        sla_sweep()
        sent.append(sorted(OutgoingEmail.objects.filter(template="sla_alert").values_list("to", flat=True)))
    warning, breach = [agent.email], sorted([agent.email, agent.email, coordinator.email])
    assert sent == [warning, breach, breach, breach, breach]
    assert list(ticket.sla_events.values_list("clock", "kind")) == [("resolution", "warning"), ("resolution", "breach")]


# Creation -----------------------------------------------------------------------------


# (urgency, impact after classifying at once) → first response due, resolution due
CREATION = [
    pytest.param(Urgency.HIGH, Impact.HIGH, mx(2025, 6, 16, 9, 30), mx(2025, 6, 16, 12, 30), id="critico-1h-4h"),
    pytest.param(Urgency.HIGH, Impact.MEDIUM, mx(2025, 6, 16, 10, 30), mx(2025, 6, 16, 16, 30), id="alto-2h-8h"),
    pytest.param(Urgency.MEDIUM, Impact.MEDIUM, mx(2025, 6, 16, 12, 30), mx(2025, 6, 18, 14, 30), id="medio-4h-24h"),
    pytest.param(Urgency.LOW, Impact.MEDIUM, mx(2025, 6, 16, 16, 30), mx(2025, 6, 23, 11, 30), id="bajo-8h-48h"),
    pytest.param(Urgency.LOW, Impact.LOW, mx(2025, 6, 16, 16, 30), mx(2025, 6, 23, 11, 30), id="muy-bajo-8h-48h"),
]


@pytest.mark.parametrize("urgency, impact, first_response_due, resolution_due", CREATION)
def test_deadlines_count_the_default_plans_targets_in_business_hours(
    desk, customer, coordinator, urgency, impact, first_response_due, resolution_due
):
    ticket = set_impact(open_ticket(customer, urgency=urgency), coordinator, impact)
    _fr_warn, fr_due, _res_warn, res_due = deadlines(ticket)
    assert (fr_due, res_due) == (first_response_due, resolution_due)
    assert ticket.sla_plan == default_plan()


def test_the_organizations_policy_chooses_the_plan_and_its_calendar(desk, customer):
    plan = SLAPlan.objects.create(name="Plan 24×7", calendar=Calendar.objects.get(name="24×7"), warning_percent=50)
    for priority in Priority.values:
        SLATarget.objects.create(plan=plan, priority=priority, first_response=H, resolution=6 * H)
    customer.organization.policies.update(sla_plan=plan)
    ticket = open_ticket(customer)
    assert ticket.sla_plan == plan
    assert deadlines(ticket) == (mx(2025, 6, 13, 18, 0), mx(2025, 6, 13, 18, 30), mx(2025, 6, 13, 20, 30), mx(2025, 6, 13, 23, 30))


def test_a_report_cancelled_at_intake_has_nothing_due(desk):
    stranger = ContactFactory(is_authorized=False)
    ticket = open_ticket(stranger)
    assert ticket.state == Ticket.State.CANCELLED
    assert ticket.sla_plan == default_plan()
    assert deadlines(ticket) == (None, None, None, None)
    assert ticket.sla_next_check_at is None
    # Its history row says the gatekeeping cancelled it, and the replay reads that.
    assert list(ticket.changes.order_by("pk").values_list("field", "gatekeeping")) == [("created", False), ("state", True)]
    sla_recompute(tickets=Ticket.objects.filter(pk=ticket.pk))
    assert deadlines(ticket) == (None, None, None, None)


def test_a_report_an_agent_cancels_half_a_minute_after_it_arrived_keeps_its_deadlines(desk, customer, coordinator):
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 13, 17, 30, 30))
    ticket = services.ticket_cancel(
        ticket=ticket, by=coordinator, reason=Ticket.CancelReason.UNAUTHORIZED_CONTACT, note="", notify=False
    )
    written = (mx(2025, 6, 16, 10, 0), mx(2025, 6, 16, 10, 30), mx(2025, 6, 16, 14, 30), mx(2025, 6, 16, 16, 30))
    assert deadlines(ticket) == written
    assert not ticket.changes.filter(gatekeeping=True).exists()
    # The replay agrees: a gatekeeping reason within a minute is not the gatekeeping.
    sla_recompute(tickets=Ticket.objects.filter(pk=ticket.pk))
    assert deadlines(ticket) == written


# Reclassification ---------------------------------------------------------------------


def test_a_higher_priority_brings_the_deadlines_forward_counted_from_creation(desk, customer, coordinator):
    ticket = open_ticket(customer, urgency=Urgency.LOW)  # bajo: 8 h / 48 h
    desk.at(mx(2025, 6, 16, 9, 15))
    ticket = set_impact(ticket, coordinator, Impact.HIGH)  # → medio: 4 h / 24 h
    assert ticket.priority == Priority.MEDIUM
    assert deadlines(ticket) == (mx(2025, 6, 16, 11, 30), mx(2025, 6, 16, 12, 30), mx(2025, 6, 17, 17, 30), mx(2025, 6, 18, 14, 30))
    assert ticket.sla_next_check_at == mx(2025, 6, 16, 11, 30)


def test_a_new_priority_after_the_first_response_keeps_its_verdict(desk, customer, agent, coordinator):
    ticket = open_ticket(customer)  # alto: first response due Monday 10:30
    desk.at(mx(2025, 6, 16, 11, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    assert ticket.first_response_met is False
    ticket = set_impact(ticket, coordinator, Impact.LOW)  # → medio: 4 h would have been met
    assert ticket.priority == Priority.MEDIUM
    assert (ticket.first_response_met, ticket.first_response_target) == (False, 2 * H)
    assert (ticket.resolution_target, local(ticket.resolution_due)) == (24 * H, mx(2025, 6, 18, 14, 30))


def test_a_lower_priority_after_a_warning_keeps_it_and_does_not_warn_again(desk, customer, agent, coordinator):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 14, 31))  # the resolution warning (14:30) passed
    sla_sweep()
    ticket = set_impact(ticket, coordinator, Impact.LOW)  # → medio: warning Tuesday 17:30, due Wednesday 14:30
    desk.at(mx(2025, 6, 18, 9, 0))  # past the new warning instant
    sla_sweep()
    assert list(ticket.sla_events.values_list("kind", "due")) == [("warning", mx(2025, 6, 16, 16, 30))]
    desk.at(mx(2025, 6, 18, 14, 31))
    sla_sweep()
    assert list(ticket.sla_events.values_list("kind", "due")) == [
        ("warning", mx(2025, 6, 16, 16, 30)),
        ("breach", mx(2025, 6, 18, 14, 30)),
    ]


# Pauses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pause_on_user, pause_on_vendor, wait, pushed",
    [
        (True, True, "user", True),
        (True, True, "vendor", True),
        (False, True, "user", False),
        (True, False, "vendor", False),
        (False, False, "vendor", False),
    ],
)
def test_waiting_pushes_the_resolution_deadline_only_in_the_plans_pausing_states(
    desk, customer, agent, pause_on_user, pause_on_vendor, wait, pushed
):
    SLAPlan.objects.filter(is_default=True).update(
        pause_on_pending_user=pause_on_user, pause_on_pending_vendor=pause_on_vendor
    )
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 9, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)  # resolution due Monday 16:30
    desk.at(mx(2025, 6, 16, 10, 0))
    if wait == "user":
        ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Qué versión usa?", notify=False)
    else:
        ticket = services.ticket_wait_for_vendor(
            ticket=ticket, by=agent, message="Lo revisa el PAC.", vendor_name="PAC", notify=False
        )
    assert ticket.sla_clock_stopped is pushed
    assert (ticket.sla_next_check_at is None) is pushed
    desk.at(mx(2025, 6, 16, 13, 0))
    ticket = services.ticket_resume(ticket=ticket, by=agent)
    assert ticket.resolution_paused == (3 * H if pushed else datetime.timedelta(0))
    assert local(ticket.resolution_due) == (mx(2025, 6, 17, 10, 30) if pushed else mx(2025, 6, 16, 16, 30))


def test_a_breach_before_the_pause_stays_red_while_paused(desk, customer, agent):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 17, 0))  # resolution due 16:30
    ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Sigue el error?", notify=False)
    desk.at(mx(2025, 6, 20, 12, 0))
    assert ticket.sla_state(mx(2025, 6, 20, 12, 0)) == "breached"


# Solving and reopening ----------------------------------------------------------------


@pytest.mark.parametrize(
    "solved_at, met, used",
    [
        (mx(2025, 6, 16, 16, 30), True, 8 * H),  # exactly at the deadline: met
        (mx(2025, 6, 16, 16, 31), False, 8 * H + MIN),
        (mx(2025, 6, 16, 12, 0), True, 3 * H + 30 * MIN),
    ],
)
def test_solving_records_met_or_missed_with_the_business_time_used(desk, customer, agent, solved_at, met, used):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(solved_at)
    ticket = services.ticket_solve(
        ticket=ticket, by=agent, solution="Se renovó el certificado.", resolution_code="resolved", notify=False
    )
    assert (ticket.resolution_met, ticket.resolution_time, ticket.resolution_target) == (met, used, 8 * H)
    assert ticket.sla_next_check_at is None


def test_solving_while_paused_counts_until_the_pause_began(desk, customer, agent):
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 9, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    desk.at(mx(2025, 6, 16, 10, 0))
    ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Ya funciona?", notify=False)
    desk.at(mx(2025, 6, 18, 10, 0))
    ticket = services.ticket_solve(
        ticket=ticket, by=agent, solution="Confirmado por teléfono.", resolution_code="resolved", notify=False
    )
    assert (ticket.resolution_met, ticket.resolution_time) == (True, H + 30 * MIN)


def test_reopening_resumes_the_clock_without_counting_the_time_solved(desk, customer, agent):
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 9, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)  # 0.5 h used on Friday
    desk.at(mx(2025, 6, 16, 12, 0))
    ticket = services.ticket_solve(ticket=ticket, by=agent, solution="Listo.", resolution_code="resolved", notify=False)
    assert (ticket.resolution_met, ticket.resolution_time) == (True, 3 * H + 30 * MIN)
    desk.at(mx(2025, 6, 17, 12, 0))  # a whole business day later the requester says no
    ticket = services.ticket_reopen(ticket=ticket, message="Sigue fallando.")
    assert (ticket.resolution_met, ticket.resolution_time) == (None, None)
    assert ticket.resolution_paused == 9 * H
    assert local(ticket.resolution_due) == mx(2025, 6, 17, 16, 30)
    desk.at(mx(2025, 6, 17, 17, 0))
    ticket = services.ticket_solve(ticket=ticket, by=agent, solution="Ahora sí.", resolution_code="resolved", notify=False)
    assert (ticket.resolution_met, ticket.resolution_time) == (False, 8 * H + 30 * MIN)


# First response -----------------------------------------------------------------------


def test_a_public_reply_is_the_first_response_and_the_resolution_clock_goes_on(desk, customer, agent):
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 10, 45))
    services.ticket_add_message(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, body="Lo revisamos.", by=agent, notify=False)
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.OPEN
    assert (ticket.first_response_met, ticket.first_response_time) == (False, 2 * H + 15 * MIN)
    assert ticket.sla_deadline()[0] == "resolution"
    assert ticket.sla_next_check_at == mx(2025, 6, 16, 14, 30)
    # Taking it later does not count as another first response.
    desk.at(mx(2025, 6, 16, 11, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    assert ticket.first_response_time == 2 * H + 15 * MIN


def test_an_internal_note_is_not_a_first_response(desk, customer, agent):
    ticket = open_ticket(customer)
    services.ticket_add_message(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, body="Revisar CSD.", by=agent)
    ticket.refresh_from_db()
    assert ticket.first_response_met is None and ticket.first_response_owed


# Cancelled and closed ----------------------------------------------------------------


def test_nothing_is_due_once_cancelled(desk, customer, coordinator):
    ticket = open_ticket(customer)
    ticket = services.ticket_cancel(ticket=ticket, by=coordinator, reason="withdrawn", notify=False)
    assert ticket.sla_next_check_at is None and ticket.sla_state(mx(2025, 7, 1, 12, 0)) is None
    desk.at(mx(2025, 7, 1, 12, 0))
    assert sla_sweep().examined == 0


def test_closing_keeps_the_verdict_and_nothing_is_due(desk, customer, agent):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 12, 0))
    ticket = services.ticket_solve(ticket=ticket, by=agent, solution="Listo.", resolution_code="resolved", notify=False)
    desk.at(mx(2025, 6, 20, 12, 0))
    ticket = services.ticket_close(ticket=ticket, automatic=True)
    assert (ticket.resolution_met, ticket.sla_next_check_at) == (True, None)


# Tickets from before the SLA ------------------------------------------------------------


def test_a_ticket_without_deadlines_gets_them_from_its_history_at_its_next_step(desk, customer, agent):
    ticket = TicketFactory(
        requester=customer, priority=Priority.HIGH, state=Ticket.State.OPEN, created_at=mx(2025, 6, 13, 17, 30)
    )
    assert ticket.sla_plan is None
    desk.at(mx(2025, 6, 16, 10, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    assert ticket.sla_plan == default_plan()
    assert deadlines(ticket) == (mx(2025, 6, 16, 10, 0), mx(2025, 6, 16, 10, 30), mx(2025, 6, 16, 14, 30), mx(2025, 6, 16, 16, 30))
    assert ticket.first_response_met is True


# The history tells the same story -------------------------------------------------------


def _story_reclassified_after_reply(ticket, desk, agent, coordinator):
    desk.at(mx(2025, 6, 16, 11, 0))
    services.ticket_add_message(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, body="Lo vemos.", by=agent, notify=False)
    desk.at(mx(2025, 6, 16, 12, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    desk.at(mx(2025, 6, 16, 13, 0))
    return set_impact(ticket, coordinator, Impact.LOW)


def _story_paused_twice_solved_reopened(ticket, desk, agent, coordinator):
    desk.at(mx(2025, 6, 16, 9, 30))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    desk.at(mx(2025, 6, 16, 10, 0))
    ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Versión?", notify=False)
    desk.at(mx(2025, 6, 16, 15, 0))
    ticket = requester_replies(ticket)
    desk.at(mx(2025, 6, 17, 9, 0))
    ticket = services.ticket_wait_for_vendor(ticket=ticket, by=agent, message="Con el PAC.", vendor_name="PAC", notify=False)
    desk.at(mx(2025, 6, 18, 9, 0))
    ticket = services.ticket_solve(ticket=ticket, by=agent, solution="El PAC corrigió.", resolution_code="vendor_fix", notify=False)
    desk.at(mx(2025, 6, 19, 9, 0))
    ticket = services.ticket_reopen(ticket=ticket, message="Volvió a fallar.")
    desk.at(mx(2025, 6, 19, 10, 0))
    return set_impact(ticket, coordinator, Impact.HIGH)


def _story_late_and_cancelled(ticket, desk, agent, coordinator):
    desk.at(mx(2025, 6, 17, 9, 0))
    ticket = services.ticket_assign(ticket=ticket, assignee=agent, by=coordinator)
    desk.at(mx(2025, 6, 17, 10, 0))
    return services.ticket_cancel(ticket=ticket, by=coordinator, reason="withdrawn", notify=False)


@pytest.mark.parametrize(
    "story", [_story_reclassified_after_reply, _story_paused_twice_solved_reopened, _story_late_and_cancelled]
)
def test_recomputing_from_the_history_gives_what_the_lifecycle_points_wrote(desk, customer, agent, coordinator, story):
    ticket = story(open_ticket(customer), desk, agent, coordinator)
    columns = [name + "_id" if name == "sla_plan" else name for name in SLA_FIELDS]
    written = Ticket.objects.filter(pk=ticket.pk).values(*columns).get()
    sla_recompute(tickets=Ticket.objects.filter(pk=ticket.pk), record_passed=False)
    assert Ticket.objects.filter(pk=ticket.pk).values(*columns).get() == written
