import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import OutgoingEmail
from notifications.services import MAX_ATTEMPTS, email_flush_due, email_queue, email_send
from tests.factories import TicketFactory

ANYMAIL_TEST_BACKEND = "anymail.backends.test.EmailBackend"

pytestmark = pytest.mark.django_db

BROKEN_BACKEND = "tests.notifications.test_outbox.BrokenBackend"


class BrokenBackend(BaseEmailBackend):
    """The provider is down."""

    def send_messages(self, email_messages):
        raise ConnectionError("El proveedor no responde")


@pytest.fixture
def ticket(db):
    return TicketFactory(reference="INC-000123", subject="No timbra la factura", requester__name="Rosa Díaz")


def queue_received(ticket, **kwargs):
    return email_queue(
        to=ticket.requester.email, template="ticket_received", context={"ticket": ticket}, ticket=ticket, **kwargs
    )


def test_queued_email_is_rendered_in_spanish_and_sent_on_commit(ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
        assert mailoutbox == []  # nothing leaves before the commit

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [ticket.requester.email]
    assert message.subject == "Recibimos su reporte INC-000123"
    assert "Hola, Rosa Díaz:" in message.body
    assert "Asunto: No timbra la factura" in message.body
    assert f"Módulo: {ticket.module.name}" in message.body
    assert "Urgencia: Baja" in message.body
    assert "Estado: Abierto" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="es">' in html
    assert "<strong>INC-000123</strong>" in html
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.template == "ticket_received"
    assert list(ticket.emails.all()) == [email]


def test_provider_message_id_is_recorded(ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
    email.refresh_from_db()
    assert email.provider_message_id
    assert email.provider_message_id == str(mailoutbox[0].anymail_status.message_id)


def test_ticket_link_appears_only_when_given(ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        without_link = queue_received(ticket)
        with_link = email_queue(
            to=ticket.requester.email,
            template="ticket_received",
            context={"ticket": ticket, "ticket_url": "https://mesa.example.mx/t/abc?x=1&y=2"},
        )
    assert "https://" not in without_link.body_text
    assert "https://" not in without_link.body_html
    assert "Consulte su ticket en: https://mesa.example.mx/t/abc?x=1&y=2" in with_link.body_text
    assert 'href="https://mesa.example.mx/t/abc?x=1&amp;y=2"' in with_link.body_html


def test_requester_text_is_escaped_in_html_but_not_in_text(mailoutbox, django_capture_on_commit_callbacks):
    ticket = TicketFactory(reference="INC-000124", subject='<script>alert("x")</script> & más')
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html
    assert '<script>alert("x")</script> & más' in email.body_text


def test_nothing_is_sent_when_the_transaction_rolls_back(ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue_received(ticket)
        raise RuntimeError("la operación falló después de encolar")
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


def test_failed_send_stays_pending_with_backoff(ticket, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.PENDING
    assert email.attempts == 1
    assert "El proveedor no responde" in email.last_error
    assert email.next_attempt_at >= before + datetime.timedelta(minutes=1)
    assert email.sent_at is None
    assert mailoutbox == []


def test_sweep_sends_a_due_retry_exactly_once(
    ticket, settings, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND

    assert email_flush_due() == 0  # not due yet: the backoff holds it
    time_machine.shift(datetime.timedelta(minutes=2))
    assert email_flush_due() == 1
    assert email_flush_due() == 0

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""


def test_backoff_doubles_and_is_capped():
    minutes = [services._retry_delay(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_two_sends_of_one_row_send_once(ticket, mailoutbox):
    email = queue_received(ticket)  # the on-commit task never runs in this test
    assert email_send(email_id=email.id) is True
    assert email_send(email_id=email.id) is False
    assert len(mailoutbox) == 1


def test_gives_up_as_failed_after_max_attempts(ticket, settings, mailoutbox, time_machine):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    time_machine.move_to(timezone.now(), tick=False)
    email = queue_received(ticket)
    for _ in range(MAX_ATTEMPTS):
        email_flush_due()
        time_machine.shift(datetime.timedelta(hours=2))
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED
    assert email.attempts == MAX_ATTEMPTS
    assert email.last_error

    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    time_machine.shift(datetime.timedelta(days=1))
    assert email_flush_due() == 0
    assert mailoutbox == []


def test_a_row_abandoned_while_sending_is_sent_by_the_sweep(ticket, mailoutbox, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    email = queue_received(ticket)
    # A worker claimed it and was killed before sending.
    OutgoingEmail.objects.filter(id=email.id).update(
        status=OutgoingEmail.Status.SENDING, attempts=1, next_attempt_at=timezone.now() + services.SENDING_LEASE
    )
    assert email_flush_due() == 0  # still within the sender's lease
    time_machine.shift(services.SENDING_LEASE + datetime.timedelta(seconds=1))
    assert email_flush_due() == 1
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 2)


@pytest.mark.parametrize(
    "field, value",
    [
        ("to", "rosa@example.mx\r\nBcc: victima@example.com"),
        ("to", "rosa@example.mx\nBcc: victima@example.com"),
        ("to", "no es un correo"),
        ("reply_to", "agente@example.mx\r\nBcc: victima@example.com"),
        ("reply_to", "no es un correo"),
    ],
)
def test_line_breaks_or_bad_addresses_are_refused(ticket, field, value):
    kwargs = {"to": "rosa@example.mx", field: value}
    with pytest.raises(ValueError):
        email_queue(template="ticket_received", context={"ticket": ticket}, **kwargs)
    assert not OutgoingEmail.objects.exists()


def test_line_breaks_in_a_header_are_refused(ticket):
    with pytest.raises(ValueError):
        queue_received(ticket, headers={"In-Reply-To": "<a@example.mx>\r\nBcc: victima@example.com"})


def test_line_breaks_in_the_rendered_subject_are_folded(mailoutbox, django_capture_on_commit_callbacks):
    ticket = TicketFactory(reference="I-5\r\nBcc: v@e.mx")  # fits in 20
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket)
    assert "\r" not in email.subject and "\n" not in email.subject
    assert email.subject == "Recibimos su reporte I-5 Bcc: v@e.mx"
    assert mailoutbox[0].recipients() == [ticket.requester.email]


def test_threading_headers_and_reply_to_reach_the_message(ticket, mailoutbox, django_capture_on_commit_callbacks):
    headers = {"References": "<inc-000123@mesa.example.mx>"}
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket, headers=headers, reply_to="respuestas@mesa.example.mx")
    message = mailoutbox[0]
    assert message.extra_headers == {**headers, "Message-ID": email.message_id}
    assert message.reply_to == ["respuestas@mesa.example.mx"]


def test_a_message_id_is_not_the_callers_to_choose(ticket):
    """Replies thread by the Message-IDs we sent: they must be ours, and unguessable."""
    with pytest.raises(ValueError):
        queue_received(ticket, headers={"Message-ID": "<inc-000123.1@mesa.example.mx>"})
    assert not OutgoingEmail.objects.exists()


def test_admin_retry_now_sends_failed_rows(
    ticket, coordinator, client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BROKEN_BACKEND
    email = queue_received(ticket)
    OutgoingEmail.objects.filter(id=email.id).update(status=OutgoingEmail.Status.FAILED, attempts=MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator)

    changelist = reverse("admin:notifications_outgoingemail_changelist")
    assert client.get(changelist, {"q": "INC-000123"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry_now", "_selected_action": [email.id]}, follow=True)
    assert "1 correo se enviará de nuevo." in response.content.decode()
    assert response.status_code == 200
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    assert len(mailoutbox) == 1


def test_beat_flushes_the_outbox_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["notifications-flush-outbox"] == {
        "task": "notifications.flush_outbox",
        "schedule": 60.0,
    }


def test_email_is_rendered_in_the_recipients_language(ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_received(ticket, language="en")
    assert '<html lang="en">' in email.body_html


def test_the_beat_task_flushes_due_rows_by_its_name(ticket, mailoutbox):
    from helpdesk.celery import app

    queue_received(ticket)  # its on-commit task never runs here: only the sweep sends it
    app.tasks["notifications.flush_outbox"].delay()
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_the_lease_outlasts_every_live_sender():
    """The sweep takes a "sending" row over only from a sender that is gone: the lease
    covers the sweep's whole run (300 s, the slowest task that sends), then the record
    task's tries (countdowns 1+2+4+8+16+30+30+30 = 121 s, nine runs of at most 10 s),
    plus a minute for clocks."""
    from notifications import tasks

    assert tasks.email_flush_task.time_limit == 300
    assert tasks.email_send_task.time_limit == 90
    assert tasks.email_record_task.time_limit == 10
    assert tasks.email_record_task.max_retries == 8
    assert datetime.timedelta(seconds=300 + 121 + 90 + 60) == services.SENDING_LEASE


def test_a_web_process_knows_the_outbox_tasks_without_importing_them():
    """The outbox queues its tasks by name: a process that never imported tasks.py (a web
    worker, which runs no Celery autodiscovery) still finds them, or no email is queued."""
    script = (
        "import django; django.setup(); from celery import current_app; "
        "print(sorted(n for n in current_app.tasks if n.startswith('notifications.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.test_settings"},
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['notifications.flush_outbox', 'notifications.record_email_outcome', 'notifications.send_email']"
    )
