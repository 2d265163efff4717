import datetime

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import Contact
from tests.factories import ContactFactory, SupportPolicyFactory, TicketFactory
from tickets.models import Ticket
from tickets.services import cancel_explanation, ticket_open


def test_requester_is_acknowledged_by_email_with_the_reference_after_commit(
    requester, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(requester=requester, subject="Sin correo", description="No llega el correo", channel=Ticket.Channel.WEB)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [requester.email]
    assert ticket.reference in message.subject
    assert "Un agente lo atenderá" in message.body
    assert ticket.emails.get().status == "sent"


def test_a_sender_without_service_is_told_why_by_email(db, django_capture_on_commit_callbacks):
    stranger = Contact.objects.create(name="Desconocido", email="nadie@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(requester=stranger, subject="Ayuda", description="Necesito ayuda", channel=Ticket.Channel.EMAIL)

    assert ticket.state == Ticket.State.CANCELLED
    body = mail.outbox[0].body
    assert "pero no podemos atenderlo" in body
    assert "contacto autorizado" in body


def test_no_acknowledgement_when_asked_not_to(requester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_open(requester=requester, subject="x", description="y", channel=Ticket.Channel.PHONE, notify=False)
    assert mail.outbox == []


# A report that cannot be served: its own email (docs/process.md, «Gatekeeping») -------


def _unauthorized():
    return ContactFactory(organization=SupportPolicyFactory().organization, is_authorized=False)


def _expired_policy():
    policy = SupportPolicyFactory(
        organization__name="Ferretería Lupita",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    return ContactFactory(organization=policy.organization, is_authorized=True)


def _inactive_organization():
    # Its policy is in force: only the organization is switched off.
    policy = SupportPolicyFactory(organization__name="Abarrotes Don Beto")
    policy.organization.is_active = False
    policy.organization.save(update_fields=["is_active"])
    return ContactFactory(organization=policy.organization, is_authorized=True)


@pytest.mark.parametrize(
    ("make_contact", "said", "not_said"),
    [
        pytest.param(
            _unauthorized,
            "Su correo no está registrado como contacto autorizado de una organización con servicio.",
            "póliza",
            id="unauthorized-contact",
        ),
        pytest.param(
            _expired_policy,
            "La organización Ferretería Lupita no tiene una póliza de soporte vigente. "
            "Comuníquese con su ejecutivo de cuenta para renovarla.",
            "no está activo",
            id="no-policy-in-force",
        ),
        pytest.param(
            _inactive_organization,
            "El servicio de soporte de la organización Abarrotes Don Beto no está activo con la mesa de ayuda.",
            "renovar",
            id="inactive-organization",
        ),
    ],
)
def test_a_report_that_cannot_be_served_gets_its_own_email_saying_why(
    db, make_contact, said, not_said, django_capture_on_commit_callbacks
):
    contact = make_contact()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(requester=contact, subject="Sin red", description="Piso 3", channel=Ticket.Channel.EMAIL)

    assert ticket.state == Ticket.State.CANCELLED
    (message,) = mail.outbox
    assert message.subject == f"No podemos atender su reporte {ticket.reference}"
    assert ticket.emails.get().template == "ticket_not_served"
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert said in part
        assert not_said not in part
    assert f"Registramos su reporte como el ticket {ticket.reference}, pero no podemos atenderlo:" in message.body
    assert "Un agente lo atenderá" not in message.body


def test_the_acknowledgement_has_its_subject_and_no_refusal(requester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_open(requester=requester, subject="Sin correo", description="No llega", channel=Ticket.Channel.WEB)

    (message,) = mail.outbox
    assert message.subject == f"Recibimos su reporte {ticket.reference}"
    assert "no podemos atenderlo" not in message.body


def test_an_inactive_organization_is_told_so_when_a_coordinator_cancels_for_no_policy(db):
    contact = _inactive_organization()
    ticket = TicketFactory(requester=contact, organization=contact.organization, cancel_reason=Ticket.CancelReason.NO_POLICY)
    assert cancel_explanation(ticket) == (
        "El servicio de soporte de la organización Abarrotes Don Beto no está activo con la mesa de ayuda. "
        "Si cree que se trata de un error, pida al responsable de su organización que se comunique con su "
        "ejecutivo de cuenta."
    )
