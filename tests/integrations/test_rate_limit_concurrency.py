"""Ten alerts at once from one integration: the limit holds exactly (real threads,
PostgreSQL and a real Redis cache)."""

from tests.integrations.test_outage import post_alert
from tests.races import POSTGRES_ONLY, race
from tickets.models import Ticket

pytestmark = POSTGRES_ONLY


def test_ten_alerts_at_once_accept_exactly_the_limit(settings, redis_cache, integration_and_token):  # noqa: F811
    settings.HELPDESK_API_RATE_LIMIT = (5, 60)
    _integration, raw_token = integration_and_token

    outcomes = race(*[(None, lambda _prepared: post_alert(raw_token))] * 10)

    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    assert sorted(response.status_code for response in outcomes) == [201] * 5 + [429] * 5
    assert Ticket.objects.count() == 5
    for refused in (response for response in outcomes if response.status_code == 429):
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert "Demasiadas peticiones" in refused.json()["error"]
