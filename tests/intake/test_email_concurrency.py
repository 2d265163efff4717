"""Two deliveries of one inbound email at the same moment (an ESP retrying while the
first webhook is still running) open one ticket: the database decides, not Python."""

from anymail.inbound import AnymailInboundMessage

from intake.email import email_receive
from intake.models import InboundEmail
from tests.intake.test_email import raw_email
from tests.races import POSTGRES_ONLY, race
from tickets.models import Ticket

pytestmark = POSTGRES_ONLY


def test_two_concurrent_deliveries_of_one_message_open_one_ticket(requester):
    raw = raw_email(sender=requester.email, headers={"Message-ID": "<carrera@cliente.example.mx>"})

    def deliver(_prepared):
        return email_receive(message=AnymailInboundMessage.parse_raw_mime_bytes(raw))

    outcomes = race((None, deliver), (None, deliver), (None, deliver))

    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1
    # Every delivery answers with the one ticket (a late one may see it before its link is saved).
    assert {outcome.pk for outcome in outcomes if outcome is not None} == {Ticket.objects.get().pk}
