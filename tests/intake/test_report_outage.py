"""Redis down (cache and broker): the public form still takes the report, and its
acknowledgement waits in the outbox until the sweep sends it, once."""

import signal

import pytest
from django.urls import reverse

from notifications.models import OutgoingEmail
from notifications.services import email_flush_due
from tests.intake.test_report_form import form_data
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_with_redis_down_the_report_is_taken_and_its_email_sent_once_later(
    client, requester, cache_down, broker_down, mailoutbox, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:report"), form_data(email=requester.email, subject="Sin red en piso 3"))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.subject == "Sin red en piso 3"
    assert client.get(response["Location"]).status_code == 200  # the confirmation with the reference
    email = OutgoingEmail.objects.get(ticket=ticket)
    assert (email.template, email.to, email.status) == ("ticket_received", requester.email, OutgoingEmail.Status.PENDING)
    assert mailoutbox == []

    broker_down()  # Redis is back: the beat sweep sends what is due
    assert email_flush_due() == 1
    assert email_flush_due() == 0
    assert len(mailoutbox) == 1
    assert ticket.reference in mailoutbox[0].subject


def test_with_the_cache_down_the_limit_lets_reports_through_and_says_so_in_the_log(
    client, requester, settings, cache_down, caplog  # noqa: F811
):
    settings.HELPDESK_REPORT_RATE_LIMIT = (1, 600)

    statuses = [client.post(reverse("intake:report"), form_data(email=requester.email)).status_code for _ in range(2)]

    assert statuses == [302, 302]
    assert Ticket.objects.count() == 2
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any("intake-report" in message and "not applied" in message for message in warnings)


def test_a_redis_that_stops_answering_does_not_hold_the_report(
    client, requester, cache_at, silent_redis, broker_down  # noqa: F811
):
    """A Redis that accepts connections and never answers (a hung server, a black-holed
    route): the cache's timeouts let the limiter give up and the report through."""
    cache_at(silent_redis)

    class Hung(BaseException):  # not an Exception: the limiter's fail-open must not swallow it
        pass

    def hung(_signum, _frame):
        raise Hung("the report waited on a Redis that never answers")

    previous = signal.signal(signal.SIGALRM, hung)
    # Each of its two cache calls gives up after 1 s; redis-py alone would wait 5 s each.
    signal.alarm(6)
    try:
        response = client.post(reverse("intake:report"), form_data(email=requester.email, subject="Impresora atascada"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    assert response.status_code == 302
    assert Ticket.objects.get().subject == "Impresora atascada"
