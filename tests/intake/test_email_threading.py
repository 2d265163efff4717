"""Which ticket an inbound email answers. From can be forged and references are
sequential, so a message joins a ticket only through something the desk issued and
nobody can guess: the ticket's reply address (Reply-To of every email about it) or the
Message-ID of an email it sent about it. A reference in the subject, with a matching
From or not, opens a new ticket that the agents see linked to the one it names."""

import pytest

from notifications.models import OutgoingEmail
from tests.factories import ContactFactory, TicketFactory
from tests.intake.test_email import receive
from tickets import services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db

DESK = "Mesa de ayuda <soporte@example.com>"


@pytest.fixture
def ticket(requester, agent):
    return TicketFactory.numbered(
        requester=requester,
        state=Ticket.State.IN_PROGRESS,
        assignee=agent,
        subject="No timbra la factura",
    )


@pytest.fixture
def question(ticket, agent, mailoutbox, django_capture_on_commit_callbacks):
    """The agent asked the requester something: the email the requester answers."""
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Qué folio tiene la factura?")
    (email,) = mailoutbox
    mailoutbox.clear()
    return email


def reply_address(email) -> str:
    (address,) = email.reply_to
    return address


def message_id(email) -> str:
    return email.message()["Message-ID"]


def conversation(ticket) -> list[tuple[str, str]]:
    return [(m.kind, m.body) for m in ticket.messages.exclude(kind=Message.Kind.INTERNAL_NOTE)]


def notes(ticket) -> list[str]:
    return list(ticket.messages.filter(kind=Message.Kind.INTERNAL_NOTE).values_list("body", flat=True))


def assert_joined(result, ticket, body):
    assert result == ticket
    assert not Ticket.objects.filter(channel=Ticket.Channel.EMAIL).exists()  # no new ticket
    assert conversation(ticket)[-1] == (Message.Kind.FROM_REQUESTER, body)
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.IN_PROGRESS  # the answer put it back to work


def assert_linked(new, old):
    """A new ticket, and each one names the other in an internal note."""
    assert new != old
    assert any(old.reference in note for note in notes(new))
    assert any(new.reference in note for note in notes(old))


# Through what we issued: joins ----------------------------------------------------


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(lambda address: address, id="as-sent"),
        pytest.param(lambda address: f"Mesa de ayuda <{address}>", id="with-display-name"),
        pytest.param(str.upper, id="upper-case-by-some-server"),
    ],
)
def test_a_reply_to_the_reply_address_joins_the_ticket(ticket, question, requester, spell):
    # The client kept nothing else: no reference in the subject, no In-Reply-To.
    result = receive(sender=requester.email, to=spell(reply_address(question)), subject="Folio", text="Es el A-1234.")
    assert_joined(result, ticket, "Es el A-1234.")


@pytest.mark.parametrize("header", ["Cc", "Delivered-To", "X-Original-To"])
def test_the_reply_address_counts_in_any_recipient_header(ticket, question, requester, header):
    result = receive(
        sender=requester.email, subject="Folio", text="Es el A-1234.", headers={header: reply_address(question)}
    )
    assert_joined(result, ticket, "Es el A-1234.")


def test_the_envelope_recipient_an_esp_reports_counts(ticket, question, requester):
    from anymail.inbound import AnymailInboundMessage

    from intake.email import email_receive
    from tests.intake.test_email import raw_email

    message = AnymailInboundMessage.parse_raw_mime_bytes(raw_email(sender=requester.email, subject="Folio", text="A-1234"))
    message.envelope_recipient = reply_address(question)  # what anymail sets from the ESP's payload
    assert_joined(email_receive(message=message), ticket, "A-1234")


@pytest.mark.parametrize("header", ["In-Reply-To", "References"])
def test_a_reply_naming_a_message_id_we_sent_joins_the_ticket(ticket, question, requester, header):
    # Sent to the desk's plain address (the client ignored Reply-To), subject changed.
    value = message_id(question)
    if header == "References":
        value = f"<hilo-anterior@cliente.example.mx> {value} <otro@cliente.example.mx>"
    result = receive(sender=requester.email, to=DESK, subject="Folio", text="Es el A-1234.", headers={header: value})
    assert_joined(result, ticket, "Es el A-1234.")


def test_every_email_of_a_ticket_can_be_answered(ticket, agent, requester, mailoutbox, django_capture_on_commit_callbacks):
    """The reply to the agent's public reply, too, not only to the question."""
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, body="Reinicie el servicio.", by=agent)
    (answer,) = mailoutbox
    result = receive(sender=requester.email, to=reply_address(answer), subject="RE: x", text="Listo, ya funciona.")
    assert result == ticket
    assert conversation(ticket)[-1] == (Message.Kind.FROM_REQUESTER, "Listo, ya funciona.")


def test_a_token_for_one_ticket_with_another_reference_goes_by_the_token(ticket, question, requester):
    other = TicketFactory.numbered(requester=requester, state=Ticket.State.IN_PROGRESS)
    result = receive(
        sender=requester.email, to=reply_address(question), subject=f"RE: {other.reference}", text="Es el A-1234."
    )
    assert_joined(result, ticket, "Es el A-1234.")
    assert not other.messages.exists()


def test_a_reply_through_the_reply_address_to_a_closed_ticket_opens_a_new_one_mentioning_it(
    ticket, question, requester
):
    Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.CLOSED)
    result = receive(sender=requester.email, to=reply_address(question), subject="RE: Folio", text="Volvió a fallar.")
    assert result != ticket
    assert result.state == Ticket.State.OPEN
    assert ticket.reference in result.description
    assert "Volvió a fallar." in result.description
    assert conversation(ticket) == [(Message.Kind.PUBLIC_REPLY, "¿Qué folio tiene la factura?")]


# Without proof: a new ticket, linked ------------------------------------------------


def test_a_forged_sender_naming_a_reference_opens_a_new_linked_ticket(ticket, question, requester, mailoutbox):
    """Anyone can write the requester's address in From and guess the reference."""
    result = receive(
        sender=f"{requester.name} <{requester.email}>",
        to=DESK,
        subject=f"RE: Necesitamos información [{ticket.reference}]",
        text="Cambiamos de cuenta bancaria, depositen a la nueva.",
    )

    assert result != ticket
    assert Ticket.objects.count() == 2
    assert result.channel == Ticket.Channel.EMAIL
    assert result.description == "Cambiamos de cuenta bancaria, depositen a la nueva."
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.PENDING_USER  # not put back to work
    assert conversation(ticket) == [(Message.Kind.PUBLIC_REPLY, "¿Qué folio tiene la factura?")]
    assert not OutgoingEmail.objects.filter(ticket=ticket).exclude(template="ticket_waiting_for_user").exists()
    assert_linked(result, ticket)


def test_a_reference_from_another_sender_opens_a_new_linked_ticket(ticket, requester):
    other = ContactFactory(organization=requester.organization, is_authorized=True)
    result = receive(sender=other.email, subject=f"RE: {ticket.reference}", text="Soy otra persona.")
    assert result.requester == other
    assert conversation(ticket) == []
    assert_linked(result, ticket)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda local: local[:-1] + ("a" if local[-1] != "a" else "b"), id="one-character-changed"),
        pytest.param(lambda local: local[:-1], id="truncated"),
        pytest.param(lambda local: local.split("+")[0] + "+" + "9" + local.split("+")[1], id="another-ticket-number"),
        pytest.param(lambda local: local.split("+")[0], id="token-removed"),
    ],
)
def test_a_tampered_reply_address_opens_a_new_ticket(ticket, question, requester, tamper):
    local, domain = reply_address(question).split("@")
    result = receive(
        sender=requester.email, to=f"{tamper(local)}@{domain}", subject=f"RE: {ticket.reference}", text="Hola."
    )
    assert result != ticket
    assert conversation(ticket) == [(Message.Kind.PUBLIC_REPLY, "¿Qué folio tiene la factura?")]
    assert_linked(result, ticket)


def test_a_message_id_we_did_not_send_does_not_thread(ticket, question, requester):
    guessed = f"<{ticket.reference.lower()}@example.com>"
    result = receive(
        sender=requester.email,
        subject="Folio",
        text="Hola.",
        headers={"In-Reply-To": guessed, "References": guessed},
    )
    assert result != ticket
    assert conversation(ticket) == [(Message.Kind.PUBLIC_REPLY, "¿Qué folio tiene la factura?")]


def test_a_valid_reply_address_from_someone_else_opens_a_new_linked_ticket(ticket, question, requester):
    """The email may have been forwarded: whoever holds it is not the requester."""
    colleague = ContactFactory(organization=requester.organization, is_authorized=True)
    result = receive(sender=colleague.email, to=reply_address(question), subject="RE: Folio", text="Soy su colega.")
    assert result.requester == colleague
    assert conversation(ticket) == [(Message.Kind.PUBLIC_REPLY, "¿Qué folio tiene la factura?")]
    assert_linked(result, ticket)


def test_a_reference_to_a_missing_ticket_just_opens_a_ticket(requester):
    result = receive(sender=requester.email, subject="RE: INC-999999", text="Hola.")
    assert Ticket.objects.get() == result
    assert notes(result) == []


def test_a_message_id_counts_only_from_the_address_we_sent_it_to(ticket, question, requester, agent, mailoutbox):
    """The agent told of the answer holds that email's Message-ID: written as the
    requester, it still does not join the conversation."""
    receive(sender=requester.email, to=reply_address(question), subject="Folio", text="Es el A-1234.")
    told = OutgoingEmail.objects.get(template="requester_replied")
    assert told.to == agent.email

    result = receive(
        sender=requester.email, to=DESK, subject="Folio", text="Cambien la cuenta.", headers={"In-Reply-To": told.message_id}
    )
    assert result != ticket
    assert conversation(ticket)[-1] == (Message.Kind.FROM_REQUESTER, "Es el A-1234.")
    assert_linked(result, ticket)
