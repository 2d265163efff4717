"""Redis down (cache and broker): the monitoring API still opens tickets (the
per-integration limit lets requests through when the cache cannot answer)."""

import json

import pytest
from django.test import Client

from tickets.models import Ticket

ALERT = {"subject": "Disco lleno en el servidor de correo", "description": "Quedan 200 MB libres."}


def post_alert(raw_token):
    return Client().post(
        "/api/v1/incidents/", data=json.dumps(ALERT), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw_token}"
    )


@pytest.mark.django_db
def test_with_redis_down_an_alert_still_opens_its_ticket(integration_and_token, cache_down, broker_down):  # noqa: F811
    _integration, raw_token = integration_and_token

    response = post_alert(raw_token)

    assert response.status_code == 201
    assert Ticket.objects.get().reference == response.json()["reference"]
