"""Ten reports at once from one address: the limit holds exactly (real threads,
PostgreSQL and a real Redis cache, whose increment is the one atomic operation)."""

from django.test import Client
from django.urls import reverse

from tests.intake.test_report_form import form_data
from tests.races import POSTGRES_ONLY, race
from tickets.models import Ticket

pytestmark = POSTGRES_ONLY


def test_ten_reports_at_once_from_one_address_accept_exactly_the_limit(settings, redis_cache, requester):  # noqa: F811
    settings.HELPDESK_REPORT_RATE_LIMIT = (5, 600)

    def post(_prepared):
        client = Client(REMOTE_ADDR="203.0.113.7")
        return client.post(reverse("intake:report"), form_data(email=requester.email, subject="Impresora sin tóner"))

    outcomes = race(*[(None, post)] * 10)

    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    assert sorted(response.status_code for response in outcomes) == [302] * 5 + [429] * 5
    assert Ticket.objects.count() == 5
    for refused in (response for response in outcomes if response.status_code == 429):
        body = refused.content.decode()
        assert "demasiados reportes" in body
        assert 'value="Impresora sin tóner"' in body
