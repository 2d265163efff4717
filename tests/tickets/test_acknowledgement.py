from django.core import mail

from customers.models import Contact
from tickets.models import Ticket
from tickets.services import ticket_open


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
    assert "no podemos atenderlo" in body
    assert "contacto autorizado" in body


def test_no_acknowledgement_when_asked_not_to(requester, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_open(requester=requester, subject="x", description="y", channel=Ticket.Channel.PHONE, notify=False)
    assert mail.outbox == []
