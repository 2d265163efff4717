"""The emails a requester and an assignee are owed while agents work a ticket
(docs/process.md, «Email»: a pending state or a solution carries a message that is sent
to the requester; a duplicate's requester is told the original's reference), and those
nobody is owed: internal notes never leave the desk."""

import re
from email.message import EmailMessage
from io import StringIO

import pytest
from anymail.inbound import AnymailInboundMessage
from django.core.management import call_command
from django.test import Client

from customers.models import Contact
from intake.email import email_receive
from intake.services import requester_reply
from notifications.models import OutgoingEmail
from tests.factories import AgentFactory, ContactFactory, TicketFactory
from tests.links import TOKEN, links_in, open_link
from tickets import services
from tickets.models import Impact, Message, RequesterLink, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("desk_address")]

NOTE = "Nota interna: el cliente debe tres facturas, no prometer fechas."


def html_of(email) -> str:
    (html, mimetype) = email.alternatives[0]
    assert mimetype == "text/html"
    return html


def everything_sent(mailoutbox) -> str:
    """Every subject and body (text and HTML) that left, and every outbox row."""
    sent = [part for email in mailoutbox for part in (email.subject, email.body, html_of(email))]
    stored = [part for row in OutgoingEmail.objects.all() for part in (row.subject, row.body_text, row.body_html)]
    return "\n".join(sent + stored)


def reply(ticket, agent):
    services.ticket_add_message(
        ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, body="Reinicie el servicio de timbrado, por favor.", by=agent
    )


def wait_for_user(ticket, agent):
    services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Qué folio y serie tiene la factura?")


def wait_for_vendor(ticket, agent):
    services.ticket_wait_for_vendor(
        ticket=ticket,
        by=agent,
        message="El PAC revisa el error de timbrado.",
        vendor_name="PAC Timbrado Ágil",
        vendor_reference="CASO-7781",
    )


def solve(ticket, agent):
    services.ticket_solve(
        ticket=ticket,
        by=agent,
        solution="Se renovó el certificado de sello digital.",
        resolution_code=Ticket.ResolutionCode.WORKAROUND,
    )


def cancel_withdrawn(ticket, coordinator):
    services.ticket_cancel(
        ticket=ticket, by=coordinator, reason=Ticket.CancelReason.WITHDRAWN, note="Lo pidió por teléfono a las 10:00."
    )


def cancel_other(ticket, coordinator):
    services.ticket_cancel(
        ticket=ticket, by=coordinator, reason=Ticket.CancelReason.OTHER, note="El equipo ya fue dado de baja."
    )


# Each lifecycle point: what the requester reads, and what must not be in it.
REQUESTER_EMAILS = [
    pytest.param(
        reply,
        "agent",
        ["Reinicie el servicio de timbrado, por favor.", "respondió a su reporte", "responda a este correo"],
        id="public-reply",
    ),
    pytest.param(
        wait_for_user,
        "agent",
        ["¿Qué folio y serie tiene la factura?", "queda en espera de su respuesta", "volvemos a trabajar en él"],
        id="pending-user",
    ),
    pytest.param(
        wait_for_vendor,
        "agent",
        ["El PAC revisa el error de timbrado.", "proveedor externo", "no necesita hacer nada"],
        id="pending-vendor",
    ),
    pytest.param(
        solve,
        "agent",
        [
            "Se renovó el certificado de sello digital.",
            "Le dejamos una forma de seguir trabajando sin el problema",  # a workaround, in the requester's words
            "Si el problema sigue",
            "respondiendo a este correo",
            "página de su ticket",
        ],
        id="solved",
    ),
    pytest.param(
        cancel_withdrawn,
        "coordinator",
        ["ya no necesita la atención", "Lo pidió por teléfono a las 10:00."],
        id="cancelled-withdrawn",
    ),
    pytest.param(
        cancel_other,
        "coordinator",
        ["Cancelamos su reporte", "El equipo ya fue dado de baja."],
        id="cancelled-other",
    ),
]


@pytest.mark.parametrize("action, actor, texts", REQUESTER_EMAILS)
def test_requester_gets_one_email_with_reference_and_link(
    action, actor, texts, ticket, request, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action(ticket, request.getfixturevalue(actor))

    (email,) = mailoutbox
    (link,) = set(re.findall(rf"https://mesa\.example\.mx/seguimiento/{TOKEN}/", email.body))
    assert email.to == [ticket.requester.email]
    assert ticket.reference in email.subject
    assert f'href="{link}"' in html_of(email)
    # The email's own link: it opens this ticket's page.
    assert open_link(Client(), link) == f"/seguimiento/{ticket.reference}/"
    for text in texts:
        assert text in email.body
    # The vendor's name and case number are the desk's business, not the requester's.
    assert "CASO-7781" not in email.body


def test_a_duplicate_is_cancelled_with_the_original_reference(
    ticket, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    original = TicketFactory(state=Ticket.State.IN_PROGRESS, requester=ContactFactory(name="Otra persona"))

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_cancel(
            ticket=ticket, by=coordinator, reason=Ticket.CancelReason.DUPLICATE, duplicate_of=original
        )

    (email,) = mailoutbox
    assert email.to == [ticket.requester.email]
    assert ticket.reference in email.subject
    assert f"el caso sigue en el ticket {original.reference}" in email.body
    assert original.reference in html_of(email)
    # Only the reference: the original may be someone else's, and its link is theirs.
    everything = everything_sent(mailoutbox)
    assert f"/seguimiento/{original.reference}/" not in everything
    assert not RequesterLink.objects.filter(ticket=original).exists()
    (link,) = set(links_in(email.body))
    assert open_link(Client(), link) == f"/seguimiento/{ticket.reference}/"


def test_gatekeeping_cancellation_sends_only_the_refusal(db, mailoutbox, django_capture_on_commit_callbacks):
    stranger = Contact.objects.create(name="Desconocido", email="nadie@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_open(
            requester=stranger, subject="Ayuda", description="Necesito ayuda", channel=Ticket.Channel.PHONE
        )

    assert ticket.state == Ticket.State.CANCELLED
    assert [(m.to, m.subject) for m in mailoutbox] == [([stranger.email], f"No podemos atender su reporte {ticket.reference}")]


# The requester's reply reaches the assignee -----------------------------------------


def test_requester_reply_on_their_page_tells_the_assignee(
    requester, agent, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(requester=requester, state=Ticket.State.PENDING_USER, assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        requester_reply(ticket=ticket, body="El folio es A-1234, serie B.", files=[])

    (email,) = mailoutbox
    assert email.to == [agent.email]
    assert ticket.reference in email.subject
    assert "El folio es A-1234, serie B." in email.body
    assert f"https://mesa.example.mx/mesa/tickets/{ticket.pk}/" in email.body
    assert "En proceso" in email.body  # the reply put it back to work
    # The requester's signed link is theirs alone.
    assert "/seguimiento/" not in email.body and not RequesterLink.objects.exists()


def test_requester_reply_by_email_tells_the_assignee(ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply(ticket, agent)
    (answered,) = mailoutbox
    mailoutbox.clear()
    message = EmailMessage()
    message["From"] = f"{ticket.requester.name} <{ticket.requester.email}>"
    message["To"] = answered.reply_to[0]
    message["Subject"] = f"RE: Respuesta a su reporte {ticket.reference}: {ticket.subject}"
    message.set_content("Ya reinicié y sigue igual.")

    with django_capture_on_commit_callbacks(execute=True):
        joined = email_receive(message=AnymailInboundMessage.parse_raw_mime_bytes(message.as_bytes()))

    assert joined.pk == ticket.pk
    (email,) = mailoutbox
    assert email.to == [agent.email]
    assert ticket.reference in email.subject
    assert "Ya reinicié y sigue igual." in email.body


@pytest.mark.parametrize(
    "assignee",
    [
        pytest.param(lambda: None, id="nobody-assigned"),
        pytest.param(lambda: AgentFactory(email=""), id="assignee-without-email"),
        pytest.param(lambda: AgentFactory(is_active=False), id="assignee-inactive"),
    ],
)
def test_requester_reply_emails_nobody_without_an_assignee_to_tell(
    assignee, requester, mailoutbox, django_capture_on_commit_callbacks
):
    who = assignee()
    ticket = TicketFactory(
        requester=requester,
        state=Ticket.State.IN_PROGRESS if who else Ticket.State.OPEN,
        assignee=who,
    )

    with django_capture_on_commit_callbacks(execute=True):
        requester_reply(ticket=ticket, body="¿Alguna novedad?", files=[])

    assert ticket.messages.get().body == "¿Alguna novedad?"
    assert mailoutbox == []


def test_requester_text_is_escaped_in_the_html_emails(requester, agent, mailoutbox, django_capture_on_commit_callbacks):
    ticket = TicketFactory(
        requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="<img src=x onerror=alert(1)>"
    )

    with django_capture_on_commit_callbacks(execute=True):
        requester_reply(ticket=ticket, body="<script>alert('hola')</script>", files=[])
        reply(ticket, agent)

    assert len(mailoutbox) == 2
    for email in mailoutbox:
        html = html_of(email)
        assert "<script>" not in html and "<img src=x" not in html
    to_agent = next(m for m in mailoutbox if m.to == [agent.email])
    assert "&lt;script&gt;alert(&#x27;hola&#x27;)&lt;/script&gt;" in html_of(to_agent)
    # The plain text keeps what was written, as written.
    assert "<script>alert('hola')</script>" in to_agent.body


# What nobody is owed ------------------------------------------------------------------


def test_internal_note_is_emailed_to_nobody(ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, body=NOTE, by=agent)

    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_internal_notes_are_in_no_email_of_a_whole_lifecycle(
    requester, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_open(
            requester=requester, subject="Sin correo", description="No llega el correo.", channel=Ticket.Channel.WEB
        )
        ticket = services.ticket_take(ticket=ticket, agent=agent)
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, body=NOTE, by=agent)
        reply(ticket, agent)
        wait_for_user(ticket, agent)
        ticket.refresh_from_db()
        requester_reply(ticket=ticket, body="Folio A-1.", files=[])
        ticket.refresh_from_db()
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, body=NOTE, by=agent)
        solve(ticket, agent)

    # acknowledgement, reply, question, notice to the assignee, solution
    assert [m.to for m in mailoutbox] == [[requester.email]] * 3 + [[agent.email]] + [[requester.email]]
    assert NOTE not in everything_sent(mailoutbox)
    assert "tres facturas" not in everything_sent(mailoutbox)


NOTHING_OWED = [
    pytest.param(lambda t, a, c: services.ticket_take(ticket=t, agent=a), Ticket.State.OPEN, id="take"),
    pytest.param(lambda t, a, c: services.ticket_assign(ticket=t, assignee=a, by=c), Ticket.State.OPEN, id="assign"),
    pytest.param(
        lambda t, a, c: services.ticket_classify(ticket=t, by=a, impact=Impact.HIGH),
        Ticket.State.IN_PROGRESS,
        id="classify",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_escalate(ticket=t, by=a, reason="Requiere acceso al servidor."),
        Ticket.State.IN_PROGRESS,
        id="escalate",
    ),
    pytest.param(lambda t, a, c: services.ticket_resume(ticket=t, by=a), Ticket.State.PENDING_VENDOR, id="resume"),
    pytest.param(
        lambda t, a, c: services.ticket_reopen(ticket=t, by=a, message="El cliente llamó: sigue fallando."),
        Ticket.State.SOLVED,
        id="reopen-by-agent",
    ),
]


@pytest.mark.parametrize("action, state", NOTHING_OWED)
def test_no_email_when_nothing_is_owed(
    action, state, requester, agent, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(
        requester=requester, state=state, assignee=None if state == Ticket.State.OPEN else agent
    )

    with django_capture_on_commit_callbacks(execute=True):
        action(ticket, agent, coordinator)

    assert mailoutbox == []


SUPPRESSED = [
    pytest.param(
        lambda t, a, c: services.ticket_add_message(
            ticket=t, kind=Message.Kind.PUBLIC_REPLY, body="Hola", by=a, notify=False
        ),
        id="public-reply",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_add_message(
            ticket=t, kind=Message.Kind.FROM_REQUESTER, body="Hola", notify=False
        ),
        id="from-requester",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_wait_for_user(ticket=t, by=a, message="¿Folio?", notify=False),
        id="pending-user",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_wait_for_vendor(
            ticket=t, by=a, message="Esperamos al PAC.", vendor_name="PAC", notify=False
        ),
        id="pending-vendor",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_solve(
            ticket=t, by=a, solution="Listo.", resolution_code=Ticket.ResolutionCode.RESOLVED, notify=False
        ),
        id="solve",
    ),
    pytest.param(
        lambda t, a, c: services.ticket_cancel(
            ticket=t, by=c, reason=Ticket.CancelReason.WITHDRAWN, notify=False
        ),
        id="cancel",
    ),
]


@pytest.mark.parametrize("action", SUPPRESSED)
def test_a_caller_replaying_history_can_suppress_every_email(
    action, ticket, agent, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action(ticket, agent, coordinator)

    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_loading_the_demo_queues_no_email(db):
    call_command("load_demo", stdout=StringIO())

    assert Ticket.objects.count() > 150
    assert not OutgoingEmail.objects.exists()


def test_a_reply_to_the_solution_email_threads_into_the_ticket(
    ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        solve(ticket, agent)
    (solution_email,) = mailoutbox

    answer = EmailMessage()
    answer["From"] = ticket.requester.email
    answer["To"] = "soporte@example.com"  # the client ignored Reply-To: In-Reply-To still says what it answers
    answer["In-Reply-To"] = solution_email.message()["Message-ID"]
    answer["Subject"] = f"RE: {solution_email.subject}"
    answer.set_content("Sigue sin timbrar.")
    with django_capture_on_commit_callbacks(execute=True):
        joined = email_receive(message=AnymailInboundMessage.parse_raw_mime_bytes(answer.as_bytes()))

    assert joined.pk == ticket.pk
    assert ticket.messages.filter(kind=Message.Kind.FROM_REQUESTER, body="Sigue sin timbrar.").exists()
    assert mailoutbox[-1].to == [agent.email]
