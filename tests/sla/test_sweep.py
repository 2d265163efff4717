"""The beat sweep: records each warning and breach once, tells the right people through
the outbox, escalates when the plan says so, touches only the tickets that are due, and
loses nothing when it dies halfway."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SupportLevel
from notifications.models import OutgoingEmail
from sla import sweep as sweep_module
from sla.models import SLAEvent, SLAPlan
from sla.sweep import sla_sweep
from sla.tasks import sla_sweep_task
from tests.factories import AgentFactory, CoordinatorFactory, UserFactory
from tickets import services
from tickets.models import Impact, Ticket, TicketChange, Urgency

from .conftest import mx, open_ticket, set_impact

pytestmark = pytest.mark.django_db

# Opened Friday 17:30 with priority alto: first response warning Monday 10:00, due 10:30;
# resolution warning Monday 14:30, due 16:30.
FIRST_RESPONSE_WARNING = mx(2025, 6, 16, 10, 1)
FIRST_RESPONSE_BREACH = mx(2025, 6, 16, 10, 31)
RESOLUTION_BREACH = mx(2025, 6, 16, 16, 31)


def sla_emails():
    return OutgoingEmail.objects.filter(template="sla_alert").order_by("id")


def recipients():
    return sorted(sla_emails().values_list("to", flat=True))


# Who is told --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assigned, when, told",
    [
        pytest.param(True, FIRST_RESPONSE_WARNING, ["assignee"], id="warning-to-the-assignee"),
        pytest.param(False, FIRST_RESPONSE_WARNING, ["coordinator"], id="warning-unassigned-to-coordinators"),
        pytest.param(True, RESOLUTION_BREACH, ["assignee", "coordinator"], id="breach-to-assignee-and-coordinators"),
        pytest.param(False, FIRST_RESPONSE_BREACH, ["coordinator"], id="breach-unassigned-to-coordinators"),
    ],
)
def test_notices_go_to_the_assignee_and_for_breaches_the_coordinators(
    desk, customer, agent, coordinator, assigned, when, told
):
    ticket = open_ticket(customer)
    if assigned:
        # Assigned but still owing the first response would need an open ticket with an
        # assignee, which the desk never has; take it, so the resolution clock is the one.
        desk.at(mx(2025, 6, 16, 9, 0))
        ticket = services.ticket_take(ticket=ticket, agent=agent)
        when = mx(2025, 6, 16, 14, 31) if when == FIRST_RESPONSE_WARNING else when
    desk.at(when)
    sla_sweep()
    people = {"assignee": agent.email, "coordinator": coordinator.email}
    assert recipients() == sorted(people[name] for name in told)
    email = sla_emails().first()
    assert email.ticket_id == ticket.pk
    assert ticket.reference in email.subject and ticket.reference in email.body_text
    assert f"/mesa/tickets/{ticket.pk}/" in email.body_text
    assert SLAEvent.objects.get(ticket=ticket).notified


def test_an_inactive_assignee_is_not_written_to_and_the_coordinators_are(desk, customer, agent, coordinator):
    services.ticket_take(ticket=open_ticket(customer), agent=agent)
    agent.is_active = False
    agent.save()
    desk.at(mx(2025, 6, 16, 14, 31))
    sla_sweep()
    assert recipients() == [coordinator.email]


def test_the_coordinators_warned_are_those_accounts_roles_names(desk, customer, agent, coordinator):
    """Who is a coordinator is one rule (accounts/roles.py): the group, a superuser, or
    the assign permission given directly; never an inactive user or one without email."""
    UserFactory(username="jefa", email="jefa@mesa.example.mx", is_superuser=True)
    direct = UserFactory(username="directo", email="directo@mesa.example.mx")
    direct.user_permissions.add(Permission.objects.get(codename="assign_ticket"))
    UserFactory(username="inactivo", email="inactivo@mesa.example.mx", is_superuser=True, is_active=False)
    UserFactory(username="sincorreo", email="", is_superuser=True)
    services.ticket_take(ticket=open_ticket(customer), agent=agent)
    agent.is_active = False
    agent.save()
    desk.at(mx(2025, 6, 16, 14, 31))
    sla_sweep()
    assert sorted(recipients()) == sorted([coordinator.email, "jefa@mesa.example.mx", "directo@mesa.example.mx"])


def test_the_email_says_which_deadline_when_and_who_has_it(desk, customer, agent, coordinator):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(RESOLUTION_BREACH)
    sla_sweep()
    email = sla_emails().get(to=coordinator.email)
    assert email.subject == f"Venció el plazo de resolución de {ticket.reference}: No timbra ninguna factura"
    assert "Venció el plazo de resolución: 16 de junio de 2025 a las 16:30." in email.body_text
    assert "A cargo de Ana Agente · prioridad Alto · En proceso" in email.body_text
    assert "Recibe este aviso como coordinador de la mesa." in email.body_text
    assert "16 de junio de 2025 a las 16:30" in email.body_html


def test_each_person_gets_one_email_listing_their_tickets(desk, customer, agent, other_agent, coordinator):
    mine = [services.ticket_take(ticket=open_ticket(customer, subject=f"Falla {n}"), agent=agent) for n in range(3)]
    theirs = services.ticket_take(ticket=open_ticket(customer, subject="Otra falla"), agent=other_agent)
    desk.at(RESOLUTION_BREACH)
    result = sla_sweep()
    assert (result.examined, result.breaches, result.emails) == (4, 4, 3)
    to_agent = sla_emails().get(to=agent.email)
    assert to_agent.ticket is None
    assert all(t.reference in to_agent.body_text for t in mine) and theirs.reference not in to_agent.body_text
    assert "Vencieron 3 plazos del nivel de servicio (SLA):" in to_agent.body_text
    to_coordinator = sla_emails().get(to=coordinator.email)
    assert all(t.reference in to_coordinator.body_text for t in [*mine, theirs])


def test_a_clock_already_past_its_deadline_gets_the_breach_only(desk, customer, coordinator):
    ticket = open_ticket(customer)
    desk.at(FIRST_RESPONSE_BREACH)  # no sweep ran at the warning instant
    sla_sweep()
    assert list(ticket.sla_events.values_list("clock", "kind")) == [("first_response", "breach")]
    assert "Venció el plazo de primera respuesta" in sla_emails().get().subject


# Exactly once -------------------------------------------------------------------------


def test_however_many_sweeps_run_each_event_is_recorded_and_sent_once(desk, customer, coordinator):
    ticket = open_ticket(customer)
    for minute in range(0, 45):
        desk.at(mx(2025, 6, 16, 10, minute))
        sla_sweep()
    assert list(ticket.sla_events.values_list("clock", "kind")) == [
        ("first_response", "warning"),
        ("first_response", "breach"),
    ]
    assert sla_emails().count() == 2


def test_an_event_already_recorded_is_neither_recorded_nor_sent_again(desk, customer, coordinator):
    ticket = open_ticket(customer)
    # Another sweep (or a recompute) got there first: its row stands, the unique
    # constraint refuses a second one, and this sweep tells nobody.
    SLAEvent.objects.create(ticket=ticket, clock="first_response", kind="breach", at=ticket.first_response_due, due=ticket.first_response_due)
    Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=ticket.first_response_warn_at)
    desk.at(FIRST_RESPONSE_BREACH)
    assert sla_sweep().events == 0
    assert SLAEvent.objects.filter(ticket=ticket).count() == 1 and not sla_emails().exists()


def test_a_conflicting_insert_is_left_out_and_the_rest_recorded(desk, customer, coordinator, monkeypatch):
    first, second = open_ticket(customer), open_ticket(customer)
    original = sweep_module.alarms_passed

    def someone_else_first(ticket, recorded, now):
        # A row for the first ticket appears between this sweep's read and its insert.
        if ticket.pk == first.pk:
            SLAEvent.objects.create(ticket=first, clock="first_response", kind="breach", at=first.first_response_due, due=first.first_response_due)
        return original(ticket, recorded, now)

    monkeypatch.setattr(sweep_module, "alarms_passed", someone_else_first)
    desk.at(FIRST_RESPONSE_BREACH)
    result = sla_sweep()
    assert result.breaches == 1
    assert SLAEvent.objects.filter(ticket=first).count() == 1 and not SLAEvent.objects.get(ticket=first).notified
    assert SLAEvent.objects.get(ticket=second).notified
    assert second.reference in sla_emails().get().body_text and first.reference not in sla_emails().get().body_text


def test_a_sweep_that_dies_midway_loses_nothing_and_sends_nothing(
    desk, customer, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    tickets = [open_ticket(customer, subject=f"Falla {n}") for n in range(5)]
    agents = [AgentFactory() for _ in tickets]
    for ticket, agent in zip(tickets, agents, strict=True):
        services.ticket_take(ticket=ticket, agent=agent)
    calls = []
    real_queue = sweep_module.email_queue

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real_queue(**kwargs)

    monkeypatch.setattr(sweep_module, "email_queue", dies_on_the_third)
    desk.at(RESOLUTION_BREACH)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        sla_sweep()
    assert not SLAEvent.objects.exists() and not sla_emails().exists()
    assert Ticket.objects.due_for_sla(RESOLUTION_BREACH).count() == 5

    monkeypatch.setattr(sweep_module, "email_queue", real_queue)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla_sweep()
    assert (result.breaches, result.emails) == (5, 6)
    assert SLAEvent.objects.filter(kind="breach", notified=True).count() == 5


# Escalation ---------------------------------------------------------------------------


def escalating_plan():
    SLAPlan.objects.filter(is_default=True).update(escalate_on_breach=True)


def test_a_breach_escalates_when_the_plan_says_so(desk, customer, agent, coordinator):
    escalating_plan()
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(RESOLUTION_BREACH)
    assert sla_sweep().escalated == 1
    ticket.refresh_from_db()
    assert (ticket.level, ticket.escalation_count, ticket.assignee) == (SupportLevel.N2, 1, agent)
    change = ticket.changes.get(field=TicketChange.Field.LEVEL)
    assert change.actor is None
    assert change.note == "Escalado automáticamente: venció el plazo de resolución del SLA."
    assert ticket.sla_events.get().escalated
    assert "Se escaló automáticamente a N2." in sla_emails().get(to=agent.email).body_text


def test_a_first_response_breach_escalates_an_open_ticket(desk, customer, coordinator):
    escalating_plan()
    ticket = open_ticket(customer)
    desk.at(FIRST_RESPONSE_BREACH)
    sla_sweep()
    ticket.refresh_from_db()
    assert (ticket.level, ticket.state, ticket.assignee) == (SupportLevel.N2, Ticket.State.OPEN, None)


@pytest.mark.parametrize(
    "escalates, level, expected",
    [(False, SupportLevel.N1, SupportLevel.N1), (True, SupportLevel.N3, SupportLevel.N3), (True, SupportLevel.N2, SupportLevel.N3)],
)
def test_escalation_follows_the_plan_and_stops_at_n3(desk, customer, agent, coordinator, escalates, level, expected):
    SLAPlan.objects.filter(is_default=True).update(escalate_on_breach=escalates)
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    Ticket.objects.filter(pk=ticket.pk).update(level=level)
    desk.at(RESOLUTION_BREACH)
    sla_sweep()
    ticket.refresh_from_db()
    assert ticket.level == expected
    assert ticket.sla_events.get().escalated is (expected != level)


def test_two_breaches_in_one_sweep_raise_one_level(desk, customer, coordinator):
    escalating_plan()
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 17, 0))  # both deadlines of an untouched ticket passed
    sla_sweep()
    ticket.refresh_from_db()
    assert ticket.level == SupportLevel.N2
    assert sorted(ticket.sla_events.values_list("clock", "escalated")) == [("first_response", True), ("resolution", False)]


# Only what is due ---------------------------------------------------------------------


def test_a_sweep_reads_only_the_due_tickets_and_its_queries_do_not_grow_with_open_ones(desk, customer, coordinator):
    due = [open_ticket(customer, subject=f"Urgente {n}") for n in range(3)]
    for n in range(3):
        open_ticket(customer, subject=f"Tranquilo {n}", urgency=Urgency.LOW)  # first response due Monday 16:30
    desk.at(FIRST_RESPONSE_WARNING)

    def sweep_queries():
        with CaptureQueriesContext(connection) as queries:
            result = sla_sweep()
        return result, len(queries)

    result, few = sweep_queries()
    assert result.examined == 3 and result.warnings == 3
    assert all(t.sla_events.count() == 1 for t in due)
    # Many more open tickets not due, and three more due: the same queries.
    for n in range(20):
        open_ticket(customer, subject=f"Tranquilo más {n}", urgency=Urgency.LOW)
    for ticket in due:
        SLAEvent.objects.filter(ticket=ticket).delete()
        Ticket.objects.filter(pk=ticket.pk).update(sla_next_check_at=ticket.first_response_warn_at)
    result, many = sweep_queries()
    assert result.examined == 3 and many == few
    # Nothing due: a single read, of the index (the rest is the transaction's own savepoint).
    desk.at(mx(2025, 6, 16, 10, 2))
    with CaptureQueriesContext(connection) as queries:
        assert sla_sweep().examined == 0
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1 and '"sla_next_check_at" <' in reads[0]


def test_a_paused_ticket_is_not_swept(desk, customer, agent):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 11, 0))
    services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Nos confirma?", notify=False)
    desk.at(mx(2025, 6, 20, 11, 0))
    assert sla_sweep().examined == 0


def test_small_batches_get_through_everything_due(desk, customer, coordinator):
    for n in range(7):
        open_ticket(customer, subject=f"Falla {n}")
    desk.at(FIRST_RESPONSE_WARNING)
    result = sla_sweep(batch_size=2)
    assert (result.batches, result.examined, result.warnings) == (4, 7, 7)
    # One email per person and batch: four to the coordinator.
    assert sla_emails().count() == 4


def test_the_task_sweeps_and_beat_runs_it_every_minute(desk, customer, coordinator):
    open_ticket(customer)
    desk.at(FIRST_RESPONSE_WARNING)
    sla_sweep_task.delay()
    assert SLAEvent.objects.count() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]
    assert (entry["task"], entry["schedule"]) == ("sla.sweep", 60.0)
    assert sla_sweep_task.acks_late and sla_sweep_task.time_limit


def test_a_reclassification_that_moves_a_deadline_into_the_past_is_caught_by_the_next_sweep(desk, customer, coordinator):
    ticket = open_ticket(customer, urgency=Urgency.LOW)  # bajo: first response due Monday 16:30
    desk.at(mx(2025, 6, 16, 12, 0))
    set_impact(ticket, coordinator, Impact.HIGH)  # medio: first response was due at 12:30, warned at 11:30
    desk.at(mx(2025, 6, 16, 12, 1))
    sla_sweep()
    assert list(ticket.sla_events.values_list("kind", flat=True)) == ["warning"]


def test_coordinators_without_email_are_skipped(desk, customer, coordinator):
    CoordinatorFactory(email="")
    open_ticket(customer)
    desk.at(FIRST_RESPONSE_WARNING)
    sla_sweep()
    assert recipients() == [coordinator.email]


def test_a_long_list_is_cut_and_links_to_the_rest(desk, customer, agent, coordinator, monkeypatch):
    monkeypatch.setattr(sweep_module, "LISTED_PER_EMAIL", 2)
    tickets = [services.ticket_take(ticket=open_ticket(customer, subject=f"Falla {n}"), agent=agent) for n in range(3)]
    desk.at(RESOLUTION_BREACH)
    sla_sweep()
    to_coordinator = sla_emails().get(to=coordinator.email)
    assert sum(t.reference in to_coordinator.body_text for t in tickets) == 2
    assert "Vencieron 3 plazos del nivel de servicio (SLA):" in to_coordinator.body_text
    assert "Y 1 aviso más, que no cabe en este correo:\nhttp://127.0.0.1:8000/admin/tickets/ticket/?sla=breached" in to_coordinator.body_text
    assert "/mesa/?vista=mios" in sla_emails().get(to=agent.email).body_text
    assert SLAEvent.objects.filter(notified=True).count() == 3  # the third was told, by count and link
