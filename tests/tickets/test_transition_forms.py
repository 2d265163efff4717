"""One set of transition forms (tickets/transition_forms.py) for both surfaces: the admin
and the workspace refuse the same things, each in its own wording and field names."""

import pytest

from tests.factories import TicketFactory
from tickets import forms as admin_forms
from tickets.models import Ticket
from workspace import forms as workspace_forms

pytestmark = pytest.mark.django_db

R = Ticket.CancelReason

# Each surface's cancel form and the name of its reference field.
SURFACES = {"admin": (admin_forms.CancelForm, "duplicate_of"), "workspace": (workspace_forms.CancelForm, "original")}
# What a surface asks besides (the workspace's confirmation: tests/workspace/test_cancel_and_solve.py).
CONFIRMED = {"admin": {}, "workspace": {"confirm": "on"}}

# What is typed → the field refused and its message (None: accepted), on both surfaces.
CANCEL_CASES = {
    "withdrawn": ({"reason": R.WITHDRAWN}, None, None),
    "other without a note": ({"reason": R.OTHER}, "note", "Explique el motivo de la cancelación."),
    "no reason": ({"reason": ""}, "reason", "Elija el motivo de la cancelación."),
    "duplicate without the original": (
        {"reason": R.DUPLICATE},
        "reference",
        "Indique la referencia del ticket original.",
    ),
    "duplicate of itself": (
        {"reason": R.DUPLICATE, "reference": "inc 500"},
        "reference",
        "Un ticket no puede ser duplicado de sí mismo.",
    ),
    "duplicate, not a reference": (
        {"reason": R.DUPLICATE, "reference": "la de ayer"},
        "reference",
        "Escriba una referencia como INC-000123 o REQ-000124.",
    ),
    "duplicate, typed loosely": ({"reason": R.DUPLICATE, "reference": " inc-100 "}, None, None),
}


@pytest.mark.parametrize("surface", SURFACES.keys())
@pytest.mark.parametrize("data, field, message", CANCEL_CASES.values(), ids=CANCEL_CASES.keys())
def test_both_cancel_forms_ask_the_same_rules(surface, data, field, message):
    form_class, reference_field = SURFACES[surface]
    original = TicketFactory(reference="INC-000100")
    ticket = TicketFactory(reference="INC-000500", state=Ticket.State.IN_PROGRESS)
    posted = {reference_field if name == "reference" else name: value for name, value in data.items()}
    posted.update(CONFIRMED[surface])

    form = form_class(posted, ticket=ticket)

    if field is None:
        assert form.is_valid(), form.errors
        expected = original if data["reason"] == R.DUPLICATE else None
        assert form.cleaned_data["duplicate_of"] == expected
    else:
        assert not form.is_valid()
        assert form.errors[reference_field if field == "reference" else field] == [message]


@pytest.mark.parametrize(
    "form_class, message",
    [
        (admin_forms.CancelForm, "No existe un ticket con la referencia INC-424242."),
        (workspace_forms.CancelForm, "No hay ningún ticket con la referencia INC-424242."),
    ],
)
def test_an_unknown_original_is_told_in_each_surfaces_words(form_class, message):
    ticket = TicketFactory(state=Ticket.State.OPEN)
    form = form_class({"reason": R.DUPLICATE, form_class.reference_field: "INC-424242"}, ticket=ticket)
    assert not form.is_valid()
    assert form.errors[form_class.reference_field] == [message]


def test_the_admin_hands_the_service_only_its_arguments():
    ticket = TicketFactory(state=Ticket.State.OPEN)
    form = admin_forms.CancelForm({"reason": R.OTHER, "note": "Ya no aplica."}, instance=ticket)
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"reason": R.OTHER, "note": "Ya no aplica.", "duplicate_of": None}


@pytest.mark.parametrize("surface", SURFACES.keys())
@pytest.mark.parametrize(
    ("role", "reasons"),
    [("agent", [R.DUPLICATE]), ("coordinator", ["", *R.values])],
)
def test_both_cancel_forms_offer_the_user_their_reasons(request, surface, role, reasons):
    form_class, _reference_field = SURFACES[surface]

    form = form_class(ticket=TicketFactory(state=Ticket.State.OPEN), user=request.getfixturevalue(role))

    assert [value for value, _label in form.fields["reason"].choices] == reasons
