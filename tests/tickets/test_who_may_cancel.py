"""Who may cancel a ticket, with which reason (docs/process.md, «Who may do what»): an agent
cancels a duplicate (they see the possible duplicates); every other reason is a
coordinator's. One rule, Ticket.cancel_reasons_for, asked by the cancel transition's
permission and by ticket_cancel; the service refuses the rest with nothing changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import has_transition_perm

from notifications.models import OutgoingEmail
from tests.factories import TicketFactory, UserFactory
from tickets.models import Ticket
from tickets.services import ticket_cancel

pytestmark = pytest.mark.django_db

R = Ticket.CancelReason
S = Ticket.State

# role × reason → may cancel. Superusers are coordinators (accounts/roles.py).
MAY_CANCEL = {
    ("agent", R.DUPLICATE): True,
    ("agent", R.UNAUTHORIZED_CONTACT): False,
    ("agent", R.NO_POLICY): False,
    ("agent", R.WITHDRAWN): False,
    ("agent", R.OTHER): False,
    ("coordinator", R.DUPLICATE): True,
    ("coordinator", R.UNAUTHORIZED_CONTACT): True,
    ("coordinator", R.NO_POLICY): True,
    ("coordinator", R.WITHDRAWN): True,
    ("coordinator", R.OTHER): True,
}


def arguments(reason, requester):
    """What each reason needs besides itself (Ticket.check_cancel)."""
    if reason == R.DUPLICATE:
        return {"duplicate_of": TicketFactory(requester=requester, reference="INC-000321")}
    if reason == R.OTHER:
        return {"note": "El cliente pidió otro servicio."}
    return {}


def snapshot(ticket):
    ticket.refresh_from_db()
    return (ticket.state, ticket.cancel_reason, ticket.duplicate_of_id, ticket.cancelled_at, ticket.changes.count())


@pytest.mark.parametrize(("role", "reason"), list(MAY_CANCEL))
def test_the_reasons_each_role_may_cancel_with(request, role, reason):
    user = request.getfixturevalue(role)

    assert (reason in Ticket.cancel_reasons_for(user)) == MAY_CANCEL[(role, reason)]


def test_a_user_without_a_role_may_cancel_with_no_reason(db):
    user = UserFactory()

    assert Ticket.cancel_reasons_for(user) == ()
    assert not has_transition_perm(TicketFactory().cancel, user)


def test_an_inactive_coordinator_may_cancel_with_no_reason(coordinator):
    coordinator.is_active = False
    coordinator.save()

    assert Ticket.cancel_reasons_for(coordinator) == ()


@pytest.mark.parametrize("role", ["agent", "coordinator"])
def test_both_roles_hold_the_cancel_transitions_permission(request, role):
    # Which reason is theirs, the service says; the transition lets both in.
    assert has_transition_perm(TicketFactory().cancel, request.getfixturevalue(role))


@pytest.mark.parametrize(("role", "reason"), list(MAY_CANCEL))
def test_the_service_cancels_or_refuses_by_role_and_reason(request, role, reason, requester):
    user = request.getfixturevalue(role)
    ticket = TicketFactory(requester=requester, state=S.IN_PROGRESS, assignee=user)
    before = snapshot(ticket)
    extra = arguments(reason, requester)

    if MAY_CANCEL[(role, reason)]:
        cancelled = ticket_cancel(ticket=ticket, by=user, reason=reason, **extra)
        assert (cancelled.state, cancelled.cancel_reason) == (S.CANCELLED, reason)
        assert cancelled.changes.get(field="state").actor == user
    else:
        with pytest.raises(PermissionDenied) as refusal:
            ticket_cancel(ticket=ticket, by=user, reason=reason, **extra)
        assert str(refusal.value) == (
            "Usted solo puede cancelar un ticket como duplicado de otro; "
            f"por «{R(reason).label}» lo cancela un coordinador."
        )
        assert snapshot(ticket) == before


def test_an_agents_duplicate_links_both_tickets_and_tells_the_requester(agent, requester):
    original = TicketFactory(requester=requester, reference="INC-000777")
    repeated = TicketFactory(requester=requester, state=S.OPEN)

    ticket_cancel(ticket=repeated, by=agent, reason=R.DUPLICATE, duplicate_of=original)

    repeated.refresh_from_db()
    assert (repeated.state, repeated.duplicate_of) == (S.CANCELLED, original)
    assert list(original.duplicates.all()) == [repeated]
    email = OutgoingEmail.objects.get(ticket=repeated, template="ticket_cancelled")
    assert email.to == requester.email and "INC-000777" in email.body_text


def test_an_agent_without_a_reason_is_asked_for_one_not_refused(agent):
    # An empty reason is bad input (400), not a question of role (403).
    ticket = TicketFactory(state=S.IN_PROGRESS, assignee=agent)

    with pytest.raises(ValidationError) as refusal:
        ticket_cancel(ticket=ticket, by=agent, reason="")

    assert refusal.value.messages == ["Elija el motivo de la cancelación."]
