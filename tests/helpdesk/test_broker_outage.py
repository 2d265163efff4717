"""A Redis blip must not cost an email nor the worker: the acceptance test of the outage
where the worker died reconnecting (kombu's AttributeError on 'hostname') and owed
emails waited for someone to restart it."""

import socket
import subprocess
import time

import pytest
from django.db import transaction

from helpdesk.celery import app
from notifications.models import OutgoingEmail
from notifications.services import email_queue
from notifications.tasks import email_flush_task
from tests.factories import TicketFactory

from .mail_backend import subjects_sent
from .processes import (
    RedisServer,
    celery_command,
    desk_environment,
    needs_postgres,
    needs_redis_server,
    stop,
    wait_for,
)

pytestmark = [needs_redis_server, needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = 15
SEND_SECONDS = 1.0  # each send takes this long, so the outage catches some in flight


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def worker(redis_server, mail_dir, tmp_path, settings):
    """`celery worker` as the Procfile and docker-compose run it, in a subprocess on the
    private Redis and the test database; its log is kept for the assertion messages."""
    log = tmp_path / "worker.log"
    env = desk_environment(
        CELERY_BROKER_URL=redis_server.url,
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
        EMAIL_BACKEND="tests.helpdesk.mail_backend.EmailBackend",
        HELPDESK_TEST_MAIL_DIR=str(mail_dir),
        HELPDESK_TEST_MAIL_DELAY=str(SEND_SECONDS),
    )
    with log.open("wb") as output:
        process = subprocess.Popen(
            celery_command("worker", "--loglevel=INFO", "--concurrency=2", "--without-mingle", "--without-gossip"),
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    process.log = log
    # Celery reads the Django settings object live: this process now publishes to the
    # private Redis (the fixture restores both after the test).
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_server.url
    app._after_fork()  # drop producer pools built on the previous broker
    try:
        wait_for(lambda: b" ready." in log.read_bytes() or process.poll() is not None, 60, "the worker to start")
        assert process.poll() is None, log.read_text()
        yield process
    finally:
        stop(process)


def queue_emails(references: list[str]) -> list[int]:
    """One acknowledgement per ticket, each queued in its own transaction as intake does."""
    ids = []
    for reference in references:
        ticket = TicketFactory(reference=reference)
        with transaction.atomic():
            email = email_queue(to="rosa@example.mx", template="ticket_received", context={"ticket": ticket})
        ids.append(email.id)
    return ids


def connections_made(worker) -> int:
    return worker.log.read_text(errors="replace").count("Connected to redis://")


def test_a_broker_outage_costs_no_email_and_no_worker(worker, redis_server, mail_dir):
    before = queue_emails(["INC-000701", "INC-000702", "INC-000703", "INC-000704"])
    time.sleep(SEND_SECONDS / 2)  # the first sends are under way

    redis_server.kill()
    time.sleep(OUTAGE_SECONDS)
    assert worker.poll() is None, "the worker exited during the outage:\n" + worker.log.read_text()
    redis_server.start()
    wait_for(lambda: connections_made(worker) >= 2 or worker.poll() is not None, 40, "the worker to reconnect")
    assert worker.poll() is None, "the worker exited while reconnecting:\n" + worker.log.read_text()

    after = queue_emails(["INC-000705", "INC-000706", "INC-000707"])
    # Redis lost the messages it held when it died; beat's sweep (every minute) sends
    # what is still owed. Sent here once instead of waiting a minute for beat.
    email_flush_task.delay()

    owed = before + after
    wait_for(
        lambda: OutgoingEmail.objects.filter(id__in=owed, status=OutgoingEmail.Status.SENT).count() == len(owed),
        40,
        "every owed email to be sent",
        interval=0.5,
    )
    time.sleep(2 * SEND_SECONDS)  # a duplicate send would land by now
    expected = [f"Recibimos su reporte INC-00070{n}" for n in range(1, 8)]
    assert subjects_sent(mail_dir) == expected
    assert set(OutgoingEmail.objects.filter(id__in=owed).values_list("attempts", flat=True)) == {1}
    assert worker.poll() is None, "the same worker process is still running"
    # docker-compose's liveness probe for the worker agrees.
    probe = subprocess.run(
        celery_command("inspect", "ping", "--destination", f"celery@{socket.gethostname()}", "--timeout", "10"),
        env=desk_environment(CELERY_BROKER_URL=redis_server.url),
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    assert "pong" in probe.stdout
