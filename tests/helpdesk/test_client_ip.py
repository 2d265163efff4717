"""Which address a rate limit counts: REMOTE_ADDR, or the client named by trusted proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from helpdesk.client_ip import client_address
from tests.intake.test_report_form import form_data
from tickets.models import Ticket


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # no proxy: the header is ignored, it could be forged
        (1, "10.0.0.1", "203.0.113.9", "203.0.113.9"),  # one proxy appended the client
        (1, "10.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the client's forged entry is skipped
        (2, "10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "10.0.0.1", "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: not through them
        (1, "10.0.0.1", "", "10.0.0.1"),
        (2, "10.0.0.1", "unknown, 10.0.0.7", "10.0.0.1"),  # not an address: a misconfigured proxy count
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.HELPDESK_TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_behind_a_proxy_the_report_limit_counts_each_client(client, settings, db):
    settings.HELPDESK_TRUSTED_PROXY_COUNT = 1
    settings.HELPDESK_REPORT_RATE_LIMIT = (1, 600)
    url = reverse("intake:report")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.post(url, form_data(), HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 302
    assert client.post(url, form_data(), HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    # Another client behind the same proxy is not blocked by the first one.
    assert client.post(url, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy).status_code == 302
    assert Ticket.objects.count() == 2
