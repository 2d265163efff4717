"""The rules about one ticket that both surfaces and the services ask (tickets/models.py):
what each cancel reason needs, and whether a ticket may be assigned or escalated now."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import SupportLevel
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

S = Ticket.State
R = Ticket.CancelReason

ORIGINAL, ITSELF = "original", "itself"

# reason, note, duplicate_of → None (allowed) or (argument, message) of the refusal.
CANCEL_RULES = {
    "withdrawn, nothing else": (R.WITHDRAWN, "", None, None),
    "unauthorized contact": (R.UNAUTHORIZED_CONTACT, "", None, None),
    "no policy": (R.NO_POLICY, "", None, None),
    "other, with a note": (R.OTHER, "Lo resolvió por su cuenta.", None, None),
    "other, without a note": (R.OTHER, "", None, ("note", "Explique el motivo de la cancelación.")),
    "other, a blank note": (R.OTHER, "   ", None, ("note", "Explique el motivo de la cancelación.")),
    "duplicate of another ticket": (R.DUPLICATE, "", ORIGINAL, None),
    "duplicate without the original": (
        R.DUPLICATE,
        "",
        None,
        ("duplicate_of", "Indique la referencia del ticket original."),
    ),
    "duplicate of itself": (R.DUPLICATE, "", ITSELF, ("duplicate_of", "Un ticket no puede ser duplicado de sí mismo.")),
    "an unknown reason": ("cansado", "", None, ("reason", "Elija el motivo de la cancelación.")),
    "no reason": ("", "", None, ("reason", "Elija el motivo de la cancelación.")),
}


@pytest.mark.parametrize("reason, note, duplicate_of, refusal", CANCEL_RULES.values(), ids=CANCEL_RULES.keys())
def test_what_each_cancel_reason_needs(reason, note, duplicate_of, refusal):
    ticket = TicketFactory(state=S.IN_PROGRESS)
    original = {ORIGINAL: TicketFactory(), ITSELF: ticket, None: None}[duplicate_of]

    if refusal is None:
        ticket.check_cancel(reason=reason, note=note, duplicate_of=original)
        ticket.cancel(reason=reason, note=note, duplicate_of=original)
        assert (ticket.state, ticket.cancel_reason) == (S.CANCELLED, reason)
        assert ticket.duplicate_of == (original if reason == R.DUPLICATE else None)
    else:
        argument, message = refusal
        with pytest.raises(ValidationError) as refused:
            ticket.check_cancel(reason=reason, note=note, duplicate_of=original)
        assert refused.value.message_dict == {argument: [message]}
        with pytest.raises(ValidationError):
            ticket.cancel(reason=reason, note=note, duplicate_of=original)
        assert ticket.state == S.IN_PROGRESS


def test_a_reason_other_than_duplicate_ignores_an_original():
    ticket = TicketFactory(state=S.OPEN)
    ticket.cancel(reason=R.WITHDRAWN, duplicate_of=TicketFactory())
    assert ticket.duplicate_of is None


# state, level → (may be assigned, may be escalated, may be escalated to a named agent)
WHO_WORKS_IT = {
    "open, N1": (S.OPEN, SupportLevel.N1, True, True, False),
    "in progress, N1": (S.IN_PROGRESS, SupportLevel.N1, True, True, True),
    "in progress, N2": (S.IN_PROGRESS, SupportLevel.N2, True, True, True),
    "in progress, N3": (S.IN_PROGRESS, SupportLevel.N3, True, False, False),
    "pending user": (S.PENDING_USER, SupportLevel.N1, True, True, True),
    "pending vendor": (S.PENDING_VENDOR, SupportLevel.N2, True, True, True),
    "open, N3": (S.OPEN, SupportLevel.N3, True, False, False),
    "solved": (S.SOLVED, SupportLevel.N1, False, False, False),
    "closed": (S.CLOSED, SupportLevel.N1, False, False, False),
    "cancelled": (S.CANCELLED, SupportLevel.N1, False, False, False),
}


@pytest.mark.parametrize(
    "state, level, assignable, escalable, escalable_to_agent", WHO_WORKS_IT.values(), ids=WHO_WORKS_IT.keys()
)
def test_whether_a_ticket_may_change_hands_or_level(state, level, assignable, escalable, escalable_to_agent):
    ticket = Ticket(state=state, level=level)

    assert ticket.can_be_assigned() is assignable
    assert ticket.can_be_escalated() is escalable
    if escalable_to_agent:
        ticket.check_escalation(to_agent=True)
    else:
        with pytest.raises(ValidationError):
            ticket.check_escalation(to_agent=True)


def test_why_a_ticket_may_not_be_escalated():
    with pytest.raises(ValidationError) as final:
        Ticket(state=S.CLOSED, level=1).check_escalation()
    assert (final.value.code, final.value.messages) == ("not_allowed", ["No se puede escalar un ticket en estado «Cerrado»."])
    with pytest.raises(ValidationError) as top:
        Ticket(state=S.IN_PROGRESS, level=3).check_escalation()
    assert (top.value.code, top.value.messages) == ("max_level", ["El ticket ya está en el nivel más alto (N3)."])
