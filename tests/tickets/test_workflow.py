"""The ticket's state machine as the desk runs it (docs/process.md, «States and
transitions»): every transition from every state, by role, plus each transition's guards
and intake's gatekeeping."""

import datetime
import itertools
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import SupportLevel
from tests.factories import ContactFactory, SupportPolicyFactory, TicketFactory
from tickets.models import Message, Ticket, TicketChange
from tickets.services import (
    ticket_assign,
    ticket_cancel,
    ticket_escalate,
    ticket_open,
    ticket_reopen,
    ticket_solve,
    ticket_take,
    ticket_transition,
    ticket_wait_for_user,
    ticket_wait_for_vendor,
)

S = Ticket.State

TRANSITIONS = ["take", "assign", "wait_for_user", "wait_for_vendor", "resume", "solve", "close", "reopen", "cancel"]

# (source state, transition) -> target state (docs/process.md, «States and transitions»).
# Everything else is refused.
ALLOWED = {
    (S.OPEN, "take"): S.IN_PROGRESS,
    (S.OPEN, "assign"): S.IN_PROGRESS,
    (S.OPEN, "cancel"): S.CANCELLED,
    (S.IN_PROGRESS, "wait_for_user"): S.PENDING_USER,
    (S.IN_PROGRESS, "wait_for_vendor"): S.PENDING_VENDOR,
    (S.IN_PROGRESS, "solve"): S.SOLVED,
    (S.IN_PROGRESS, "cancel"): S.CANCELLED,
    (S.PENDING_USER, "resume"): S.IN_PROGRESS,
    (S.PENDING_USER, "solve"): S.SOLVED,
    (S.PENDING_USER, "cancel"): S.CANCELLED,
    (S.PENDING_VENDOR, "resume"): S.IN_PROGRESS,
    (S.PENDING_VENDOR, "solve"): S.SOLVED,
    (S.PENDING_VENDOR, "cancel"): S.CANCELLED,
    (S.SOLVED, "close"): S.CLOSED,
    (S.SOLVED, "reopen"): S.IN_PROGRESS,
    (S.SOLVED, "cancel"): S.CANCELLED,
    # A coordinator's "assign" on a ticket being worked changes hands and keeps the state.
    (S.IN_PROGRESS, "assign"): S.IN_PROGRESS,
    (S.PENDING_USER, "assign"): S.PENDING_USER,
    (S.PENDING_VENDOR, "assign"): S.PENDING_VENDOR,
}
COORDINATOR_ONLY = {"assign", "cancel"}
REFUSED = [pair for pair in itertools.product(S.values, TRANSITIONS) if pair not in ALLOWED]


def valid_arguments(name, *, other_agent):
    """Arguments that satisfy the transition's guards, so only state or role can refuse it."""
    return {
        "assign": {"assignee": other_agent},
        "wait_for_user": {"message": "¿Desde qué equipo intenta conectarse?"},
        "wait_for_vendor": {"message": "Lo consultamos con el proveedor.", "vendor_name": "Telmex"},
        "solve": {"solution": "Se reinició el servicio de timbrado.", "resolution_code": Ticket.ResolutionCode.RESOLVED},
        "reopen": {"message": "Sigue apareciendo el error 500."},
        "cancel": {"reason": Ticket.CancelReason.WITHDRAWN},
    }.get(name, {})


def snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.state, ticket.assignee_id, ticket.changes.count(), ticket.messages.count())


@pytest.fixture
def open_ticket(requester):
    return ticket_open(requester=requester, subject="Sin red", description="No hay red en el piso 3", channel=Ticket.Channel.WEB)


@pytest.fixture
def working_ticket(agent):
    return TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)


# The table -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "source", "name"),
    [
        (role, source, name)
        for source, name in sorted(ALLOWED)
        for role in ("agent", "coordinator")
        if not (role == "agent" and name in COORDINATOR_ONLY)  # see test_agent_may_not_assign_or_cancel
    ],
)
def test_allowed_transition_moves_ticket_to_its_target(request, role, source, name, other_agent):
    actor = request.getfixturevalue(role)
    ticket = TicketFactory.row_in(source, assignee=actor)
    target = ALLOWED[source, name]

    result = ticket_transition(ticket=ticket, name=name, by=actor, **valid_arguments(name, other_agent=other_agent))

    ticket.refresh_from_db()
    assert result.state == ticket.state == target
    state_rows = ticket.changes.filter(field=TicketChange.Field.STATE)
    if target == source:  # a reassignment, not a change of state
        assert not state_rows.exists()
        assert ticket.assignee == other_agent
        assert ticket.changes.get(field=TicketChange.Field.ASSIGNEE).new_value == str(other_agent.pk)
    else:
        assert [(r.old_value, r.new_value, r.actor) for r in state_rows] == [(source, target, actor)]


@pytest.mark.parametrize(("source", "name"), sorted(pair for pair in ALLOWED if pair[1] in COORDINATOR_ONLY))
def test_agent_may_not_assign_or_cancel(source, name, agent, other_agent):
    ticket = TicketFactory.row_in(source, assignee=agent)
    before = snapshot(ticket)

    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, name=name, by=agent, **valid_arguments(name, other_agent=other_agent))

    assert snapshot(ticket) == before


@pytest.mark.parametrize("role", ["agent", "coordinator"])
@pytest.mark.parametrize(("source", "name"), REFUSED)
def test_refused_transition_leaves_ticket_and_history_untouched(request, role, source, name, other_agent):
    actor = request.getfixturevalue(role)
    ticket = TicketFactory.row_in(source, assignee=actor)
    before = snapshot(ticket)

    if role == "agent" and name in COORDINATOR_ONLY:
        # Refused either way; which check comes first (state or role) is not a rule.
        with pytest.raises((ValidationError, PermissionDenied)):
            ticket_transition(ticket=ticket, name=name, by=actor, **valid_arguments(name, other_agent=other_agent))
    else:
        with pytest.raises(ValidationError) as refused:
            ticket_transition(ticket=ticket, name=name, by=actor, **valid_arguments(name, other_agent=other_agent))
        assert refused.value.code == "not_allowed"
        assert "No se puede" in refused.value.messages[0]

    assert snapshot(ticket) == before


def test_unknown_transition_name_is_refused(working_ticket, coordinator):
    with pytest.raises(ValidationError) as refused:
        ticket_transition(ticket=working_ticket, name="teleport", by=coordinator)
    assert refused.value.code == "unknown"


# Guards --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("solution", "resolution_code", "message"),
    [
        ("", Ticket.ResolutionCode.RESOLVED, "Describa la solución"),
        ("   ", Ticket.ResolutionCode.RESOLVED, "Describa la solución"),
        ("Se reinició el servicio.", "magic", "Elija un código de resolución"),
        ("Se reinició el servicio.", "", "Elija un código de resolución"),
    ],
)
def test_solve_requires_solution_and_valid_resolution_code(working_ticket, agent, solution, resolution_code, message):
    before = snapshot(working_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_solve(ticket=working_ticket, by=agent, solution=solution, resolution_code=resolution_code)

    assert message in refused.value.messages[0]
    assert snapshot(working_ticket) == before


@pytest.mark.parametrize("message", ["", "   "])
def test_wait_for_user_requires_a_message(working_ticket, agent, message):
    before = snapshot(working_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_wait_for_user(ticket=working_ticket, by=agent, message=message)

    assert "Escriba la pregunta" in refused.value.messages[0]
    assert snapshot(working_ticket) == before


def test_wait_for_vendor_requires_the_vendor_name(working_ticket, agent):
    before = snapshot(working_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_wait_for_vendor(ticket=working_ticket, by=agent, message="Lo consultamos.", vendor_name=" ")

    assert "Indique el proveedor" in refused.value.messages[0]
    assert snapshot(working_ticket) == before


def test_wait_for_vendor_records_the_vendor(working_ticket, agent):
    ticket = ticket_wait_for_vendor(
        ticket=working_ticket, by=agent, message="Lo consultamos.", vendor_name=" Telmex ", vendor_reference=" TK-77 "
    )

    ticket.refresh_from_db()
    assert (ticket.state, ticket.vendor_name, ticket.vendor_reference) == (S.PENDING_VENDOR, "Telmex", "TK-77")


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("wait_for_user", {"message": "¿Desde qué equipo intenta conectarse?"}),
        ("wait_for_vendor", {"message": "Lo consultamos con el proveedor.", "vendor_name": "Telmex"}),
        ("solve", {"solution": "Se reinició el servicio de timbrado.", "resolution_code": "resolved"}),
    ],
)
def test_pending_or_solving_sends_the_text_as_public_reply(working_ticket, agent, name, arguments):
    ticket_transition(ticket=working_ticket, name=name, by=agent, **arguments)

    text = arguments.get("message") or arguments["solution"]
    reply = working_ticket.messages.get()
    assert (reply.kind, reply.author, reply.body) == (Message.Kind.PUBLIC_REPLY, agent, text)
    assert reply.is_public


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"reason": "bored"}, "Elija el motivo"),
        ({"reason": ""}, "Elija el motivo"),
        ({"reason": Ticket.CancelReason.OTHER}, "Explique el motivo"),
        ({"reason": Ticket.CancelReason.OTHER, "note": "  "}, "Explique el motivo"),
        ({"reason": Ticket.CancelReason.DUPLICATE}, "Indique la referencia del ticket original"),
    ],
)
def test_cancel_requires_a_valid_reason(working_ticket, coordinator, arguments, message):
    before = snapshot(working_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_cancel(ticket=working_ticket, by=coordinator, **arguments)

    assert message in refused.value.messages[0]
    assert snapshot(working_ticket) == before


def test_cancel_for_other_reason_keeps_the_note(working_ticket, coordinator):
    ticket = ticket_cancel(ticket=working_ticket, by=coordinator, reason=Ticket.CancelReason.OTHER, note=" Prueba del cliente ")

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason, ticket.cancel_note) == (S.CANCELLED, "other", "Prueba del cliente")
    assert ticket.cancelled_at is not None
    assert ticket.changes.get(field=TicketChange.Field.STATE).note.strip() == "Prueba del cliente"


def test_cancel_as_duplicate_links_both_tickets(requester, coordinator):
    original = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)
    repeated = ticket_open(requester=requester, subject="Sin red otra vez", description="Piso 3", channel=Ticket.Channel.EMAIL)

    ticket_cancel(ticket=repeated, by=coordinator, reason=Ticket.CancelReason.DUPLICATE, duplicate_of=original)

    repeated.refresh_from_db()
    assert (repeated.state, repeated.cancel_reason, repeated.duplicate_of) == (S.CANCELLED, "duplicate", original)
    assert list(original.duplicates.all()) == [repeated]


def test_ticket_cannot_be_duplicate_of_itself(open_ticket, coordinator):
    before = snapshot(open_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_cancel(ticket=open_ticket, by=coordinator, reason=Ticket.CancelReason.DUPLICATE, duplicate_of=open_ticket)

    assert "duplicado de sí mismo" in refused.value.messages[0]
    assert snapshot(open_ticket) == before


def test_each_reopening_is_counted(working_ticket, agent):
    ticket = working_ticket
    for expected_count in (1, 2):
        ticket = ticket_solve(ticket=ticket, by=agent, solution="Se reinició el servicio.", resolution_code="resolved")
        assert ticket.solved_at is not None
        ticket = ticket_reopen(ticket=ticket, by=None, message="Sigue fallando.")
        ticket.refresh_from_db()
        assert (ticket.state, ticket.reopen_count, ticket.solved_at) == (S.IN_PROGRESS, expected_count, None)


def test_requester_reopening_is_recorded_as_their_message(working_ticket, agent):
    ticket = ticket_solve(ticket=working_ticket, by=agent, solution="Se reinició el servicio.", resolution_code="resolved")

    ticket_reopen(ticket=ticket, by=None, message="Sigue apareciendo el error 500.")

    message = working_ticket.messages.latest("id")
    assert (message.kind, message.author, message.body) == (Message.Kind.FROM_REQUESTER, None, "Sigue apareciendo el error 500.")
    reopening = working_ticket.changes.filter(field=TicketChange.Field.STATE).latest("id")
    assert (reopening.old_value, reopening.new_value, reopening.actor) == (S.SOLVED, S.IN_PROGRESS, None)


def test_reopen_requires_a_reason(working_ticket, agent):
    ticket = ticket_solve(ticket=working_ticket, by=agent, solution="Se reinició el servicio.", resolution_code="resolved")
    before = snapshot(ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_reopen(ticket=ticket, by=None, message=" ")

    assert "Explique por qué" in refused.value.messages[0]
    assert snapshot(ticket) == before


def test_take_assigns_the_agent_and_marks_first_response(open_ticket, agent):
    moment = datetime.datetime(2025, 3, 10, 10, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        ticket_take(ticket=open_ticket, agent=agent)

    open_ticket.refresh_from_db()
    assert (open_ticket.state, open_ticket.assignee, open_ticket.first_response_at) == (S.IN_PROGRESS, agent, moment)


def test_take_keeps_an_earlier_first_response(agent):
    earlier = timezone.now() - datetime.timedelta(hours=2)
    ticket = TicketFactory(first_response_at=earlier)

    ticket_take(ticket=ticket, agent=agent)

    ticket.refresh_from_db()
    assert ticket.first_response_at == earlier


def test_taking_a_ticket_someone_else_took_names_who(agent, other_agent):
    ticket = TicketFactory.row_in(S.IN_PROGRESS, assignee=agent)

    with pytest.raises(ValidationError) as refused:
        ticket_take(ticket=ticket, agent=other_agent)

    assert "ya fue tomado por Ana Agente" in refused.value.messages[0]


def test_coordinator_assigning_starts_the_ticket(open_ticket, coordinator, agent):
    ticket = ticket_transition(ticket=open_ticket, name="assign", by=coordinator, assignee=agent)

    assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, agent)
    assert ticket.first_response_at is not None


def test_assigning_to_someone_who_is_not_an_agent_is_refused(open_ticket, coordinator):
    from tests.factories import UserFactory

    outsider = UserFactory()
    with pytest.raises(ValidationError) as refused:
        ticket_transition(ticket=open_ticket, name="assign", by=coordinator, assignee=outsider)
    assert refused.value.code == "invalid_assignee"


# Escalation ------------------------------------------------------------------


def test_escalation_climbs_to_n3_and_stops_there(working_ticket, agent):
    ticket = working_ticket
    for level, count in ((SupportLevel.N2, 1), (SupportLevel.N3, 2)):
        ticket = ticket_escalate(ticket=ticket, by=agent, reason="Requiere acceso a la base de datos.")
        ticket.refresh_from_db()
        assert (ticket.level, ticket.escalation_count, ticket.state) == (level, count, S.IN_PROGRESS)

    with pytest.raises(ValidationError) as refused:
        ticket_escalate(ticket=ticket, by=agent, reason="Más arriba.")

    assert refused.value.code == "max_level"
    assert "N3" in refused.value.messages[0]
    ticket.refresh_from_db()
    assert (ticket.level, ticket.escalation_count) == (SupportLevel.N3, 2)
    assert ticket.changes.filter(field=TicketChange.Field.LEVEL).count() == 2


@pytest.mark.parametrize("reason", ["", "   "])
def test_escalation_requires_a_reason(working_ticket, agent, reason):
    before = snapshot(working_ticket)

    with pytest.raises(ValidationError) as refused:
        ticket_escalate(ticket=working_ticket, by=agent, reason=reason)

    assert refused.value.code == "required"
    assert "Explique por qué se escala" in refused.value.messages[0]
    assert snapshot(working_ticket) == before
    assert (working_ticket.level, working_ticket.escalation_count) == (SupportLevel.N1, 0)


@pytest.mark.parametrize("state", [S.SOLVED, S.CLOSED, S.CANCELLED])
def test_escalation_is_refused_once_solved_or_final(state, agent):
    ticket = TicketFactory.row_in(state, assignee=agent)

    with pytest.raises(ValidationError) as refused:
        ticket_escalate(ticket=ticket, by=agent, reason="Requiere N2.")

    assert refused.value.code == "not_allowed"


def test_escalation_may_hand_the_ticket_to_another_agent(working_ticket, agent, other_agent):
    ticket = ticket_escalate(ticket=working_ticket, by=agent, reason="Lo ve redes.", assignee=other_agent)

    assert (ticket.level, ticket.assignee) == (SupportLevel.N2, other_agent)
    handover = working_ticket.changes.get(field=TicketChange.Field.ASSIGNEE)
    assert (handover.old_display, handover.new_display, handover.note) == ("Ana Agente", "Beto Agente", "Lo ve redes.")


# Intake: references and gatekeeping (docs/process.md, «Intake and gatekeeping») -----


@pytest.mark.parametrize(("kind", "prefix"), [(Ticket.Kind.INCIDENT, "INC"), (Ticket.Kind.REQUEST, "REQ")])
def test_reference_has_the_type_prefix_and_six_digits(requester, kind, prefix):
    ticket = ticket_open(requester=requester, subject="Alta de usuario", description="Para Juan", channel="email", kind=kind)

    assert re.fullmatch(rf"{prefix}-\d{{6}}", ticket.reference)
    assert ticket.reference == f"{prefix}-{ticket.pk:06d}"


def test_authorized_contact_with_policy_in_force_gets_an_open_ticket(requester):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason, ticket.organization) == (S.OPEN, "", requester.organization)
    assert [c.field for c in ticket.changes.all()] == [TicketChange.Field.CREATED]


def _expired_policy_contact():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    policy = SupportPolicyFactory(starts_on=yesterday - datetime.timedelta(days=365), ends_on=yesterday)
    return ContactFactory(organization=policy.organization)


@pytest.mark.parametrize(
    ("make_contact", "reason", "explanation"),
    [
        pytest.param(
            lambda: ContactFactory(organization=SupportPolicyFactory().organization, is_authorized=False),
            Ticket.CancelReason.UNAUTHORIZED_CONTACT,
            "no está registrado como contacto autorizado",
            id="unauthorized-contact",
        ),
        pytest.param(
            lambda: ContactFactory(organization=None, is_authorized=True),
            Ticket.CancelReason.UNAUTHORIZED_CONTACT,
            "no está registrado como contacto autorizado",
            id="contact-without-organization",
        ),
        pytest.param(_expired_policy_contact, Ticket.CancelReason.NO_POLICY, "no tiene una póliza de soporte vigente", id="expired-policy"),
        pytest.param(ContactFactory, Ticket.CancelReason.NO_POLICY, "no tiene una póliza de soporte vigente", id="no-policy-at-all"),
        pytest.param(
            lambda: ContactFactory(organization=SupportPolicyFactory(is_active=False).organization),
            Ticket.CancelReason.NO_POLICY,
            "no tiene una póliza de soporte vigente",
            id="suspended-policy",
        ),
        pytest.param(
            # Its policy is in force: the organization itself is switched off.
            lambda: ContactFactory(organization=SupportPolicyFactory(organization__is_active=False).organization),
            Ticket.CancelReason.NO_POLICY,
            "no está activo con la mesa de ayuda",
            id="inactive-organization",
        ),
    ],
)
def test_report_without_service_becomes_a_cancelled_ticket(db, make_contact, reason, explanation):
    contact = make_contact()

    ticket = ticket_open(requester=contact, subject="Sin red", description="Piso 3", channel=Ticket.Channel.EMAIL)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason) == (S.CANCELLED, reason)
    assert explanation in ticket.cancel_note
    assert ticket.cancelled_at is not None
    assert re.fullmatch(r"INC-\d{6}", ticket.reference)
    created, cancelled = ticket.changes.all()
    assert created.field == TicketChange.Field.CREATED
    assert (cancelled.field, cancelled.old_value, cancelled.new_value, cancelled.actor) == ("state", "open", "cancelled", None)
    assert cancelled.note == ticket.cancel_note


def test_desk_without_authorized_contact_rule_serves_any_contact_of_covered_org(db, settings):
    settings.HELPDESK_REQUIRE_AUTHORIZED_CONTACT = False
    contact = ContactFactory(organization=SupportPolicyFactory().organization, is_authorized=False)

    ticket = ticket_open(requester=contact, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)

    ticket.refresh_from_db()
    assert (ticket.state, ticket.cancel_reason) == (S.OPEN, "")


def test_desk_without_authorized_contact_rule_still_refuses_contacts_without_org(db, settings):
    settings.HELPDESK_REQUIRE_AUTHORIZED_CONTACT = False

    ticket = ticket_open(
        requester=ContactFactory(organization=None), subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB
    )

    assert (ticket.state, ticket.cancel_reason) == (S.CANCELLED, Ticket.CancelReason.UNAUTHORIZED_CONTACT)


def test_reassigning_to_the_same_agent_changes_nothing_and_writes_no_history(working_ticket, coordinator, agent):
    ticket = ticket_assign(ticket=working_ticket, assignee=agent, by=coordinator)

    assert (ticket.state, ticket.assignee) == (S.IN_PROGRESS, agent)
    assert not working_ticket.changes.exists()
