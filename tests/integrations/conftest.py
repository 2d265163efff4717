import json

import pytest

from integrations.models import Integration


@pytest.fixture
def make_integration(db):
    """make_integration(contact) → (integration, raw token)."""

    def make(contact, **fields):
        integration = Integration(name="Zabbix producción", organization=contact.organization, contact=contact, **fields)
        raw_token = integration.issue_token()
        integration.full_clean()
        integration.save()
        return integration, raw_token

    return make


@pytest.fixture
def integration_and_token(requester, make_integration):
    return make_integration(requester)


@pytest.fixture
def api(client, integration_and_token):
    """post(payload, token=…) against /api/v1/incidents/ with the integration's token."""
    _integration, raw_token = integration_and_token

    def post(payload, *, token=raw_token, raw_body=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
        body = raw_body if raw_body is not None else json.dumps(payload)
        return client.post("/api/v1/incidents/", data=body, content_type="application/json", **headers, **extra)

    return post
