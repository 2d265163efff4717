import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction

from helpdesk.celery import app
from notifications.models import OutgoingEmail
from notifications.services import email_queue, email_send
from tests.factories import TicketFactory


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_after_commit(settings, celery_broker, mailoutbox):
    """The on-commit message reaches a Celery worker through the configured broker
    (Redis in CI) and the worker sends the row and records it."""
    ticket = TicketFactory(reference="INC-000321")
    broker = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else "memory://"
    celery_broker(broker)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            email = email_queue(to="rosa@example.mx", template="ticket_received", context={"ticket": ticket})
        for _ in range(100):
            if OutgoingEmail.objects.filter(id=email.id, status=OutgoingEmail.Status.SENT).exists():
                break
            time.sleep(0.1)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.subject for m in mailoutbox] == ["Recibimos su reporte INC-000321"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_one_row_at_once_send_it_once(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")
    email = OutgoingEmail.objects.create(
        to="rosa@example.mx", subject="Prueba", body_text="Hola", template="ticket_received"
    )

    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(email_send(email_id=email.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)
