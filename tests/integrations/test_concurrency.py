"""Two copies of one alert at the same moment open one ticket (real threads, PostgreSQL)."""

import json
import threading

from django.db import connection
from django.test import Client

from integrations.models import MonitoringAlert
from tests.races import postgres_only
from tickets.models import Message, Ticket

pytestmark = postgres_only("concurrent transactions need PostgreSQL; set DATABASE_URL=postgres://…")

TIMEOUT = 20  # seconds


def test_two_identical_alerts_at_once_open_one_ticket(integration_and_token):
    _integration, raw_token = integration_and_token
    body = json.dumps({"subject": "Base de datos caída", "description": "Sin conexión.", "external_id": "evt-1"})
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    statuses = [None, None]

    def post(index):
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                "/api/v1/incidents/", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw_token}"
            )
            statuses[index] = response.status_code
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            statuses[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running: deadlock?"

    assert sorted(statuses) == [200, 201]
    ticket = Ticket.objects.get()
    alert = MonitoringAlert.objects.get()
    assert alert.ticket == ticket
    assert alert.repeat_count == 2
    assert Message.objects.filter(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE).count() == 1
