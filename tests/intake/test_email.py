"""The email channel (docs/process.md, «Intake and gatekeeping»): inbound mail becomes
tickets or joins their conversation."""

import io
import sys
from email.message import EmailMessage

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, EventType, inbound
from django.core.management import call_command

from customers.models import Contact
from intake.email import clean_subject, email_receive, trim_quoted
from intake.models import InboundEmail
from notifications.replies import reply_address
from tests.factories import ContactFactory, TicketFactory
from tests.files import EXE, PNG
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db


def raw_email(
    *,
    sender="Lucía Hernández <lucia@cliente.example.mx>",
    to="Mesa de ayuda <soporte@example.com>",
    subject="No se pueden timbrar facturas",
    text="Al timbrar aparece «Error 500».",
    html=None,
    headers=None,
    attachments=(),
) -> bytes:
    message = EmailMessage()
    if sender is not None:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    for filename, content, content_type in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def receive(**kwargs):
    return email_receive(message=AnymailInboundMessage.parse_raw_mime_bytes(raw_email(**kwargs)))


# New tickets --------------------------------------------------------------------


def test_message_from_an_authorized_contact_opens_an_email_ticket(requester, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = receive(sender=f"Lucía <{requester.email.upper()}>", subject="RE: Fwd: No timbra la factura")

    assert ticket.channel == Ticket.Channel.EMAIL
    assert ticket.state == Ticket.State.OPEN
    assert ticket.requester == requester
    assert ticket.organization == requester.organization
    assert ticket.subject == "No timbra la factura"
    assert ticket.description == "Al timbrar aparece «Error 500»."
    assert ticket.reference.startswith("INC-")
    assert [m.to for m in mailoutbox] == [[requester.email]]
    assert ticket.reference in mailoutbox[0].subject


def test_unknown_sender_gets_a_cancelled_ticket_and_is_told_why(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = receive(sender="Pedro Gómez <pedro@desconocido.example.mx>")

    assert ticket.state == Ticket.State.CANCELLED
    assert ticket.cancel_reason == Ticket.CancelReason.UNAUTHORIZED_CONTACT
    contact = Contact.objects.get(email="pedro@desconocido.example.mx")
    assert (contact.name, contact.organization, contact.is_authorized) == ("Pedro Gómez", None, False)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["pedro@desconocido.example.mx"]
    assert "no está registrado como contacto autorizado" in mailoutbox[0].body


def test_contact_name_falls_back_to_the_local_part():
    receive(sender="maria.lopez@desconocido.example.mx")
    assert Contact.objects.get(email="maria.lopez@desconocido.example.mx").name == "maria.lopez"


def test_empty_subject_and_long_subject(requester):
    assert receive(sender=requester.email, subject="").subject == "(sin asunto)"
    assert receive(sender=requester.email, subject="Re:  ").subject == "(sin asunto)"
    assert len(receive(sender=requester.email, subject="x" * 300).subject) == 200


def test_subject_prefixes_are_stripped():
    assert clean_subject("RE: RV: Fwd: FW: Re[2]: Error al timbrar") == "Error al timbrar"
    assert clean_subject("Reporte: error") == "Reporte: error"


def test_html_only_mail_becomes_text_without_tags_or_scripts(requester):
    ticket = receive(
        sender=requester.email,
        text=None,
        html=(
            "<html><head><title>Correo</title><style>p{color:red}</style></head><body>"
            "<p>Hola &amp; buenos días,</p><script>alert('x')</script>"
            "<p>El sistema   <b>no</b> responde.<br>Saludos</p>"
            '<img src="x" onerror="alert(1)"></body></html>'
        ),
    )
    assert ticket.description == "Hola & buenos días,\nEl sistema no responde.\nSaludos"
    assert "<" not in ticket.description
    assert "alert" not in ticket.description


def test_a_forwarded_report_keeps_what_was_forwarded(requester):
    text = "Les reenvío el error.\n\n---------- Forwarded message ---------\nFrom: Sistema <a@b.mx>\nDate: hoy\nSubject: Error\n\nFallo 42"
    ticket = receive(sender=requester.email, subject="RV: Error", text=text)
    assert "Fallo 42" in ticket.description


# Threading ----------------------------------------------------------------------


def test_requester_reply_joins_the_conversation_and_resumes_a_pending_ticket(requester):
    ticket = TicketFactory(requester=requester, reference="INC-000123", state=Ticket.State.PENDING_USER)
    text = (
        "Ya lo reinicié y sigue igual.\n\n"
        "El lun, 3 mar 2025 a las 10:00, Mesa de ayuda <soporte@example.com>\nescribió:\n"
        "> ¿Puede reiniciar el equipo?\n"
    )
    result = receive(
        sender=requester.email.upper(),
        to=reply_address(ticket.pk),
        subject="RE: Necesitamos información [INC-000123]",
        text=text,
    )

    assert result == ticket
    assert result.state == Ticket.State.IN_PROGRESS
    assert Ticket.objects.count() == 1
    message = ticket.messages.get()
    assert message.kind == Message.Kind.FROM_REQUESTER
    assert message.author is None
    assert message.body == "Ya lo reinicié y sigue igual."


@pytest.mark.parametrize(
    "text",
    [
        "Listo.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Mesa <soporte@example.com> wrote:\n> pregunta",
        "Listo.\n-----Original Message-----\nFrom: Mesa\nSent: lunes\npregunta",
        "Listo.\n________________________________\nDe: Mesa de ayuda\nEnviado: lunes\nPara: Lucía\nAsunto: RE: x\npregunta",
        "> pregunta\nListo.\n> más citas",
    ],
)
def test_quoted_history_is_trimmed(text):
    assert trim_quoted(text) == "Listo."


def test_a_line_starting_with_de_is_not_a_quote():
    assert trim_quoted("Horario De: lunes a viernes\nSaludos") == "Horario De: lunes a viernes\nSaludos"


def test_the_same_reference_from_another_sender_is_not_threaded(requester):
    ticket = TicketFactory.numbered(requester=requester, state=Ticket.State.PENDING_USER)
    other = ContactFactory(organization=requester.organization, is_authorized=True)

    result = receive(sender=other.email, subject=f"RE: {ticket.reference}", text="Soy otra persona.")

    assert result != ticket
    assert result.requester == other
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER
    # Only the agents' note that names the new ticket (tests/intake/test_email_threading.py).
    (note,) = ticket.messages.all()
    assert (note.kind, result.reference in note.body) == (Message.Kind.INTERNAL_NOTE, True)


def test_a_reply_to_a_closed_ticket_opens_a_new_one_mentioning_it(requester):
    old = TicketFactory.numbered(requester=requester, state=Ticket.State.CLOSED)

    result = receive(
        sender=requester.email,
        to=reply_address(old.pk),
        subject=f"Re: Solucionado {old.reference}",
        text="Volvió a fallar.",
    )

    assert result != old
    assert result.state == Ticket.State.OPEN
    assert old.reference in result.description
    assert "Volvió a fallar." in result.description
    assert not old.messages.exists()


# Ignored mail -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"Auto-Submitted": "auto-replied"}},
        {"headers": {"Precedence": "bulk"}},
        {"headers": {"X-Autoreply": "yes"}},
        {"headers": {"X-Autorespond": "Fuera de la oficina"}},
        {"sender": "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.mx>", "subject": "Undelivered: INC-000001"},
        {"sender": "postmaster@example.mx"},
        {"sender": None},
        {"sender": "Mesa de ayuda <soporte@example.com>"},
    ],
)
def test_auto_replies_bounces_and_our_own_mail_create_nothing(kwargs, requester, mailoutbox, django_capture_on_commit_callbacks):
    kwargs.setdefault("sender", requester.email)
    with django_capture_on_commit_callbacks(execute=True):
        assert receive(**kwargs) is None
    assert not Ticket.objects.exists()
    assert mailoutbox == []


def test_auto_submitted_no_is_a_person(requester):
    assert receive(sender=requester.email, headers={"Auto-Submitted": "no"}) is not None


# Attachments --------------------------------------------------------------------


def test_attachments_are_stored_and_a_disguised_executable_is_noted(requester):
    ticket = receive(
        sender=requester.email,
        attachments=[
            ("captura.png", PNG, "image/png"),
            ("factura.pdf", EXE, "application/pdf"),
        ],
    )
    attachment = Attachment.objects.get()
    assert attachment.ticket == ticket
    assert attachment.message is None
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("captura.png", "image/png", len(PNG))
    assert attachment.file.read() == PNG
    assert "captura" not in attachment.file.name
    note = ticket.messages.get()
    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert note.author is None
    assert "factura.pdf" in note.body
    assert "no es un PDF válido" in note.body


def test_attachments_of_a_threaded_reply_belong_to_its_message(requester):
    ticket = TicketFactory(requester=requester, reference="REQ-000045", state=Ticket.State.IN_PROGRESS)
    receive(
        sender=requester.email,
        to=reply_address(ticket.pk),
        subject="RE: REQ-000045",
        text="",
        attachments=[("log.png", PNG, "image/png")],
    )
    message = ticket.messages.get()
    assert message.body == "(mensaje sin texto)"
    assert Attachment.objects.get().message == message


# Redelivery ---------------------------------------------------------------------


def test_the_same_message_delivered_twice_opens_one_ticket(requester, mailoutbox, django_capture_on_commit_callbacks):
    headers = {"Message-ID": "<CAF=abc123@mail.cliente.example.mx>"}
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(sender=requester.email, headers=headers)
    with django_capture_on_commit_callbacks(execute=True):
        again = receive(sender=requester.email, headers={"Message-ID": " CAF=abc123@mail.cliente.example.mx "})
    assert again == first
    assert Ticket.objects.count() == 1
    assert len(mailoutbox) == 1  # one acknowledgement
    assert InboundEmail.objects.get().ticket == first


def test_a_redelivered_reply_is_added_once(requester):
    ticket = TicketFactory(requester=requester, state=Ticket.State.PENDING_USER)
    reply = {"sender": requester.email, "to": reply_address(ticket.pk), "subject": "RE: Prueba", "text": "Ya lo probé."}
    receive(**reply, headers={"Message-ID": "<respuesta-1@cliente.example.mx>"})
    receive(**reply, headers={"Message-ID": "<respuesta-1@cliente.example.mx>"})
    assert ticket.messages.filter(kind=Message.Kind.FROM_REQUESTER).count() == 1


def test_distinct_messages_with_the_same_text_are_distinct_reports(requester):
    receive(sender=requester.email, headers={"Message-ID": "<uno@cliente.example.mx>"})
    receive(sender=requester.email, headers={"Message-ID": "<dos@cliente.example.mx>"})
    receive(sender=requester.email)  # no Message-ID: nothing to compare, so it is received
    assert Ticket.objects.count() == 3


# Entry points -------------------------------------------------------------------


def test_command_reads_a_file(tmp_path, requester, capsys):
    path = tmp_path / "mensaje.eml"
    path.write_bytes(raw_email(sender=requester.email))
    out = io.StringIO()
    call_command("receive_email", str(path), stdout=out)
    ticket = Ticket.objects.get()
    assert out.getvalue().strip() == ticket.reference
    assert ticket.channel == Ticket.Channel.EMAIL


def test_command_reads_stdin_and_exits_cleanly_when_ignoring(monkeypatch, requester):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw_email(sender=requester.email))))
    out = io.StringIO()
    call_command("receive_email", stdout=out)
    assert out.getvalue().strip() == Ticket.objects.get().reference

    bounce = raw_email(sender="MAILER-DAEMON@mx.example.mx")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bounce)))
    out = io.StringIO()
    call_command("receive_email", stdout=out)  # no exception: exit code 0 for the MTA
    assert out.getvalue().startswith("Ignorado: aviso del servidor de correo")
    assert Ticket.objects.count() == 1


def test_webhook_signal_receives_the_message(requester):
    message = AnymailInboundMessage.parse_raw_mime_bytes(raw_email(sender=requester.email))
    event = AnymailInboundEvent(event_type=EventType.INBOUND, message=message)

    inbound.send(sender=object(), event=event, esp_name="Test")

    ticket = Ticket.objects.get()
    assert ticket.requester == requester
    assert ticket.channel == Ticket.Channel.EMAIL
