"""The monitoring API fuzzed from its own OpenAPI document (schemathesis, in process
against the WSGI app): bodies that fit the schema and bodies that break it, NUL included.
Whatever arrives, the answer is never a 5xx, and a refusal says why in the documented
shape. Bounded and derandomized, so CI runs the same examples in a few seconds."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tickets.models import Ticket

MAX_EXAMPLES = 150


@pytest.fixture
def wsgi_app():
    """Django's WSGI app inside the test's transaction: like Django's test client, keep the
    request signals from closing the connection the test runs in."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _unlimited(settings):
    settings.HELPDESK_API_RATE_LIMIT = (100_000, 60)  # the fuzzer is not what is limited here


@pytest.fixture
def bearer(integration_and_token, wsgi_app):
    _integration, raw_token = integration_and_token
    return {"Authorization": f"Bearer {raw_token}"}


# Loaded at collection from the app itself (the document needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_input_yields_a_server_error(case, bearer):
    response = case.call(headers=bearer)

    assert response.status_code < 500, (response.status_code, case.body)
    if response.status_code == 400:
        body = response.json()
        assert body.get("errors") or body.get("error"), body
    if response.status_code in (200, 201):
        ticket = Ticket.objects.get(reference=response.json()["reference"])
        assert ticket.subject and ticket.description
