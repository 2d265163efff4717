"""The database connection dies in the middle of a send (a crash, a failover, the
network): the email still leaves exactly once, soon, and is not left "sending" until
its lease ends. Each test kills the worker's real PostgreSQL backend
(pg_terminate_backend from another connection) at one point of the send."""

import datetime
from contextlib import contextmanager

import pytest
from celery.signals import task_postrun
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.utils import timezone

from notifications import services, tasks
from notifications.models import OutgoingEmail
from notifications.replies import new_message_id
from notifications.services import email_flush_due, email_send
from tests.races import postgres_only

# The sender's statements commit for real (autocommit), as in a worker.
pytestmark = postgres_only(
    "ends the worker's PostgreSQL backend (pg_terminate_backend); set DATABASE_URL=postgres://…"
)

OUTBOX_TABLE = '"notifications_outgoingemail"'


def claim(sql: str) -> bool:
    return sql.startswith(f"UPDATE {OUTBOX_TABLE}") and '"attempts"' in sql


def outcome_sent(sql: str) -> bool:
    return sql.startswith(f"UPDATE {OUTBOX_TABLE}") and '"sent_at"' in sql


def outbox_after_the_send(sql: str) -> bool:
    """Any statement on the outbox once the provider has the email."""
    return OUTBOX_TABLE in sql and len(mail.outbox) == 1


def terminate_backend() -> None:
    """The server ends this thread's connection, as when PostgreSQL restarts."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        other.close()


@contextmanager
def connection_dies(matches, *, times: int = 1, answer_lost: bool = False):
    """The connection dies at each of the next `times` statements that `matches` picks:
    the backend is terminated before the statement reaches it, so the driver fails for
    real. With `answer_lost`, the first of them runs and commits first (autocommit) and
    only its answer is lost. Yields the statements that met a dead connection."""
    died = []

    def wrapper(execute, sql, params, many, context):
        if len(died) < times and matches(sql):
            died.append(sql)
            if answer_lost and len(died) == 1:
                execute(sql, params, many, context)
                terminate_backend()
                raise OperationalError("server closed the connection unexpectedly")
            terminate_backend()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield died


@pytest.fixture(autouse=True)
def _retries_run_like_a_worker(settings):
    """Eager tasks run here; a task's retry runs at once, as a worker would run it later,
    instead of propagating celery's Retry to the caller. (Celery reads the Django settings
    live: setting `app.conf` would not override them.) After each task a connection left
    broken is dropped, as Celery's Django fixup does in a worker."""
    settings.CELERY_TASK_EAGER_PROPAGATES = False

    def drop_broken_connection(**_signal):
        connection.close_if_unusable_or_obsolete()

    task_postrun.connect(drop_broken_connection, weak=False, dispatch_uid="tests-outbox-recovery")
    yield
    task_postrun.disconnect(dispatch_uid="tests-outbox-recovery")


@pytest.fixture(autouse=True)
def _quick_reconnects(monkeypatch):
    """Two quick tries in the process instead of five, without the pauses."""
    monkeypatch.setattr(services, "RECONNECT_PAUSES", (0, 0))
    yield
    connection.close()


QUICK_TRIES = 3  # the first one and one after each pause


def outbox_row() -> OutgoingEmail:
    """An email due now whose on-commit task never ran (as after a lost broker message)."""
    return OutgoingEmail.objects.create(
        to="rosa@example.mx",
        subject="Recibimos su reporte INC-000123",
        body_text="Hola",
        template="ticket_received",
        message_id=new_message_id(),
    )


def assert_sent_once(email: OutgoingEmail, *, attempts: int = 1):
    email.refresh_from_db()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].message()["Message-ID"] == email.message_id
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, attempts)
    assert email.provider_message_id == str(mail.outbox[0].anymail_status.message_id)
    assert email.sent_at is not None


# Before anything is sent -------------------------------------------------------------


@pytest.mark.parametrize("answer_lost", [False, True], ids=["before-the-claim-commits", "claim-committed-answer-lost"])
def test_the_connection_dies_at_the_claim_and_the_email_leaves_once_at_once(answer_lost):
    email = outbox_row()
    with connection_dies(claim, answer_lost=answer_lost) as died:
        assert email_send(email_id=email.id) is True
    assert len(died) == 1
    # A committed claim is recognised by its token, not claimed (and counted) again.
    assert_sent_once(email, attempts=1)


def test_the_database_away_longer_than_the_quick_tries_the_task_takes_its_claim_over():
    email = outbox_row()
    with connection_dies(lambda sql: OUTBOX_TABLE in sql, times=QUICK_TRIES, answer_lost=True) as died:
        tasks.email_send_task.delay(email.id)  # eager: its retry runs at once
    assert len(died) == QUICK_TRIES
    assert_sent_once(email, attempts=1)


def test_the_sweep_stops_at_the_failure_and_hands_the_unconfirmed_claim_to_the_task():
    first, second = outbox_row(), outbox_row()
    with connection_dies(claim, times=QUICK_TRIES, answer_lost=True):
        email_flush_due()
    # The task took the first row's claim over and sent it; the second waits for the next run.
    first.refresh_from_db()
    assert (first.status, first.attempts) == (OutgoingEmail.Status.SENT, 1)
    assert OutgoingEmail.objects.get(id=second.id).status == OutgoingEmail.Status.PENDING
    assert email_flush_due() == 1
    assert len(mail.outbox) == 2


# After the provider accepted it ------------------------------------------------------


@pytest.mark.parametrize("answer_lost", [False, True], ids=["before-the-outcome-commits", "outcome-committed-answer-lost"])
def test_the_connection_dies_while_recording_sent_and_it_is_recorded_at_once(answer_lost):
    email = outbox_row()
    with connection_dies(outcome_sent, answer_lost=answer_lost) as died:
        assert email_send(email_id=email.id) is True
    assert len(died) == 1
    assert_sent_once(email)


def test_the_database_away_after_the_send_the_record_task_writes_it_and_nothing_is_sent_again(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    email = outbox_row()
    # Every quick try fails, then the record task's first try; its retry gets through.
    with connection_dies(outbox_after_the_send, times=QUICK_TRIES + 1) as died:
        tasks.email_send_task.delay(email.id)
    assert len(died) == QUICK_TRIES + 1
    assert_sent_once(email)

    time_machine.shift(services.SENDING_LEASE + datetime.timedelta(seconds=1))
    assert email_flush_due() == 0
    tasks.email_send_task.delay(email.id)  # the broker redelivers the first message
    assert len(mail.outbox) == 1


def test_a_failed_attempt_is_recorded_for_its_retry_when_the_connection_dies(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.BrokenBackend"
    email = outbox_row()
    with connection_dies(lambda sql: sql.startswith(f"UPDATE {OUTBOX_TABLE}") and '"last_error"' in sql):
        assert email_send(email_id=email.id) is False
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.PENDING, 1)
    assert email.next_attempt_at == timezone.now() + datetime.timedelta(minutes=1)  # the backoff, not the lease
    assert "El proveedor no responde" in email.last_error
