"""What lets a reply find its ticket: every email of a ticket leaves with a Message-ID we
generated (stored on its outbox row, the same on every retry) and the ticket's reply
address in Reply-To, `soporte+<ticket>-<signature>@…`, which nobody can make up."""

import datetime
import re

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notifications.models import OutgoingEmail
from notifications.replies import reply_address, ticket_id_from_reply_address
from notifications.services import email_flush_due, email_queue
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

SEEN_MESSAGE_IDS = []


class RecordingBrokenBackend(BaseEmailBackend):
    """The provider is down; each attempt's Message-ID is noted."""

    def send_messages(self, email_messages):
        SEEN_MESSAGE_IDS.extend(message.message()["Message-ID"] for message in email_messages)
        raise ConnectionError("El proveedor no responde")


@pytest.fixture
def ticket(db):
    return TicketFactory(reference="INC-000123")


def queue(ticket=None, **kwargs):
    return email_queue(
        to="rosa@example.mx", template="ticket_received", context={"ticket": ticket or TicketFactory()}, ticket=ticket, **kwargs
    )


def test_an_email_of_a_ticket_leaves_with_our_message_id_and_the_ticket_reply_address(
    ticket, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.HELPDESK_SUPPORT_EMAIL = "soporte@mesa.example.mx"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(ticket)
    (sent,) = mailoutbox
    headers = sent.message()

    assert headers["Message-ID"] == email.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@[a-z0-9.-]+>", email.message_id)  # 128 random bits
    local, domain = email.reply_to.split("@")
    assert domain == "mesa.example.mx"
    assert re.fullmatch(rf"soporte\+{ticket.pk}-[a-z2-7]{{26}}", local)  # 26 base32 characters: 128 bits
    assert headers["Reply-To"] == email.reply_to
    assert ticket_id_from_reply_address(email.reply_to) == ticket.pk
    assert OutgoingEmail.objects.get(message_id=email.message_id) == email


def test_each_email_gets_its_own_message_id_and_each_ticket_its_own_address(ticket):
    other = TicketFactory()
    first, second, third = queue(ticket), queue(ticket), queue(other)
    assert len({first.message_id, second.message_id, third.message_id}) == 3
    assert first.reply_to == second.reply_to != third.reply_to


def test_an_email_without_a_ticket_has_a_message_id_but_no_reply_address(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue(to="rosa@example.mx", template="ticket_received", context={"ticket": TicketFactory()})
    assert email.reply_to == ""
    assert mailoutbox[0].message()["Message-ID"] == email.message_id
    assert mailoutbox[0].reply_to == []


def test_a_reply_to_given_by_the_caller_is_kept(ticket):
    assert queue(ticket, reply_to="coordinacion@mesa.example.mx").reply_to == "coordinacion@mesa.example.mx"


def test_the_message_id_stays_the_same_on_every_retry(ticket, settings, mailoutbox, time_machine, django_capture_on_commit_callbacks):
    """A resend is the same message: the recipient's mail client and the provider can tell."""
    SEEN_MESSAGE_IDS.clear()
    time_machine.move_to(timezone.now(), tick=False)
    settings.EMAIL_BACKEND = "tests.notifications.test_reply_headers.RecordingBrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(ticket)
    time_machine.shift(datetime.timedelta(minutes=2))
    assert email_flush_due() == 0
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    time_machine.shift(datetime.timedelta(minutes=3))
    assert email_flush_due() == 1

    email.refresh_from_db()
    assert email.attempts == 3
    assert [email.message_id, email.message_id] == SEEN_MESSAGE_IDS
    assert mailoutbox[0].message()["Message-ID"] == email.message_id


@pytest.mark.parametrize(
    "spell, expected",
    [
        pytest.param(lambda a: a, "ticket", id="as-issued"),
        pytest.param(str.upper, "ticket", id="upper-case"),
        pytest.param(lambda a: a.replace("soporte+", "otra.caja+"), "ticket", id="another-mailbox-same-token"),
        pytest.param(lambda a: a.replace("@example.com", "@mg.example.com"), "ticket", id="domain-rewritten-by-the-esp"),
        pytest.param(lambda a: a[:-13] + ("b" if a[-13] == "a" else "a") + a[-12:], None, id="signature-changed"),
        pytest.param(lambda a: re.sub(r"\+(\d+)-", lambda m: f"+{int(m[1]) + 1}-", a), None, id="ticket-changed"),
        pytest.param(lambda a: re.sub(r"-[a-z2-7]+@", "-@", a), None, id="signature-removed"),
        pytest.param(lambda a: re.sub(r"-([a-z2-7]+)@", lambda m: f"-{m[1][:-1]}@", a), None, id="signature-shortened"),
        pytest.param(lambda a: "soporte@example.com", None, id="plain-address"),
        pytest.param(lambda a: "no es una dirección", None, id="not-an-address"),
        pytest.param(lambda a: "soporte+99999999999999999999999999-aaaaaaaaaaaaaaaaaaaaaaaaaa@example.com", None, id="huge-number"),
    ],
)
def test_a_reply_address_names_its_ticket_only_as_issued(ticket, spell, expected):
    address = spell(reply_address(ticket.pk))
    assert ticket_id_from_reply_address(address) == (ticket.pk if expected else None)


def test_a_reply_address_signed_with_a_retired_key_still_counts(ticket, settings):
    """Rotating SECRET_KEY with the old one in SECRET_KEY_FALLBACKS keeps replies threading."""
    issued = reply_address(ticket.pk)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert reply_address(ticket.pk) != issued
    assert ticket_id_from_reply_address(issued) == ticket.pk
    settings.SECRET_KEY_FALLBACKS = []
    assert ticket_id_from_reply_address(issued) is None


def test_the_acknowledgement_asks_for_a_reply_rather_than_a_new_email(ticket, mailoutbox, django_capture_on_commit_callbacks):
    """A new email naming the reference would open a new ticket: the reply joins this one."""
    with django_capture_on_commit_callbacks(execute=True):
        queue(ticket)
    (sent,) = mailoutbox
    assert "Si necesita agregar algo a su reporte, responda a este correo." in sent.body
    assert "indicando la referencia" not in sent.body
