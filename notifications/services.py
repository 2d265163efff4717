"""Outgoing email through the database outbox (see style.md, "Background work").

`email_queue` renders and saves a row inside the caller's transaction, with a Message-ID
of its own and, for an email about a ticket, the ticket's reply address in Reply-To
(replies.py), and sends its id to a worker on commit; `email_send` claims the row with
a conditional update, so a row is sent by one worker only, and records the result or
the next retry;
`email_flush_due` (beat, every minute) sends what is due: retries, rows whose task was
lost (Redis down at commit) and rows whose sender died mid-send.

When the database connection fails in the middle of a send (a crash, a failover, the
network), each point recovers by itself, without sending twice:
- the claim's answer is lost (before or after its commit): the claim writes a token
  only this attempt knows; the sender reconnects and reads whether the row carries it.
  If the database stays away, the task retries soon with the token and takes its own
  claim over. Nothing was sent meanwhile.
- the provider accepted (or refused) the email and the outcome cannot be written: the
  sender tries again for a few seconds, then hands the outcome to the
  `notifications.record_email_outcome` task, which writes it as soon as the database
  answers. The email is never sent again for that.
- SENDING_LEASE is longer than a live sender can still be writing its outcome, so the
  sweep takes a row over only from a sender that is gone.
What remains: a sender killed (or a database away for longer than the record task
tries) between the provider's acceptance and the outcome's write leaves the row
"sending"; after the lease the sweep sends it again, with the same Message-ID, so that
the recipient's mail client and the provider can tell it is the same message. The call
to the provider cannot be part of a database transaction: at least once, not exactly
once, in that one window.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import OutgoingEmail
from .replies import new_message_id, reply_address

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Backoff after a failed attempt n: 1, 2, 4, 8 … minutes, never more than this.
MAX_BACKOFF = datetime.timedelta(minutes=60)

# The connection failed (server gone, restarted, network): worth reconnecting for.
DATABASE_ERRORS = (OperationalError, InterfaceError)
# Pauses, in seconds, between the quick tries a sender makes in its own process.
RECONNECT_PAUSES = (0.2, 0.5, 1, 2, 4)
# After those, task retries wait retry_countdown(n): 1, 2, 4, 8, 16, 30, 30 … seconds.
RETRY_COUNTDOWN_MAX = 30
CLAIM_RETRIES = 10
RECORD_RETRIES = 8
# The tasks (tasks.py), queued by name: tasks.py imports this module, not the other way.
SEND_TASK, RECORD_TASK = "notifications.send_email", "notifications.record_email_outcome"


def _task(name: str):
    """The registered task `name` (tasks.py, found by the Celery app's autodiscovery)."""
    return current_app.tasks[name]


# Time limits of the tasks (tasks.py), in seconds: soft (an exception the task handles)
# and hard (the worker kills the task).
SEND_SOFT_TIME_LIMIT, SEND_TIME_LIMIT = 60, 90
FLUSH_SOFT_TIME_LIMIT, FLUSH_TIME_LIMIT = 240, 300
RECORD_SOFT_TIME_LIMIT, RECORD_TIME_LIMIT = 8, 10


def retry_countdown(retries: int) -> int:
    return min(2**retries, RETRY_COUNTDOWN_MAX)


# The longest the record task may still be trying after a sender handed it an outcome.
RECORD_WINDOW = datetime.timedelta(
    seconds=sum(retry_countdown(n) for n in range(RECORD_RETRIES)) + (RECORD_RETRIES + 1) * RECORD_TIME_LIMIT
)
# A row claimed longer ago than this is taken to be abandoned (its sender was killed) and
# is due again. It covers the longest a live sender may still write the outcome: the
# whole run of the slowest task that sends (the sweep; the provider call and the quick
# tries happen inside it), then the record task's window, plus a minute for clocks that
# differ between hosts. About 9½ minutes.
SENDING_LEASE = datetime.timedelta(seconds=FLUSH_TIME_LIMIT) + RECORD_WINDOW + datetime.timedelta(minutes=1)


class ClaimUnconfirmed(Exception):
    """The database failed before the email was sent and did not come back in time.
    This attempt may hold the claim `claim_token` (if it committed) or not; nothing was
    sent. A retry passes the token back as `previous_claim` to take the claim over."""

    def __init__(self, email_id: int, claim_token: str):
        super().__init__(f"email {email_id}: claim {claim_token} unconfirmed")
        self.email_id, self.claim_token = email_id, claim_token


class OutcomeDeferred(Exception):
    """The provider was called but the database failed before the outcome was written: it
    was handed to the record task. The email must not be sent again for this."""

    def __init__(self, email_id: int, sent: bool):
        super().__init__(f"email {email_id}: outcome handed to the record task")
        self.email_id, self.sent = email_id, sent


def _check_header_value(value: str, what: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{what}: line breaks are not allowed in an email header")


def _check_address(address: str, what: str) -> None:
    _check_header_value(address, what)
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValueError(f"{what}: {address!r} is not a valid email address") from error


def email_queue(
    *,
    to: str,
    template: str,
    context: dict,
    ticket=None,
    reply_to: str = "",
    headers: dict | None = None,
    language: str | None = None,
) -> OutgoingEmail:
    """Render `notifications/email/<template>_{subject.txt,body.txt,body.html}` in the
    recipient's language and the desk's time zone, save the outbox row and send it on
    commit. Call it inside the transaction that makes the email owed."""
    _check_address(to, "to")
    if reply_to:
        _check_address(reply_to, "reply_to")
    headers = dict(headers or {})
    for name, value in headers.items():
        _check_header_value(str(name), "header name")
        _check_header_value(str(value), f"header {name}")
        if str(name).strip().lower() == "message-id":
            raise ValueError("Message-ID is set by the outbox: replies thread by it")

    context = {
        "desk_name": settings.HELPDESK_NAME,
        "desk_support_email": settings.HELPDESK_SUPPORT_EMAIL,
        "desk_support_phone": settings.HELPDESK_SUPPORT_PHONE,
        # Every email's footer offers the public help center (docs/knowledge.md).
        "help_center_url": settings.HELPDESK_BASE_URL.rstrip("/") + reverse("help:index"),
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        body_text = render_to_string(f"notifications/email/{template}_body.txt", context)
        body_html = render_to_string(f"notifications/email/{template}_body.html", context)
    # The subject may carry text a requester wrote: fold every line break away.
    subject = " ".join(subject.split())[:300]

    email = OutgoingEmail.objects.create(
        to=to,
        subject=subject,
        body_text=body_text.strip() + "\n",
        body_html=body_html,
        # A reply to any email of a ticket finds it by this address or this Message-ID.
        reply_to=reply_to or (reply_address(ticket.pk) if ticket is not None else ""),
        message_id=new_message_id(),
        headers=headers,
        ticket=ticket,
        template=template,
    )
    # robust: if the broker is down the commit still stands; beat sends the row later.
    transaction.on_commit(lambda: _task(SEND_TASK).delay(email.id), robust=True)
    return email


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


def _build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        # The same Message-ID on every attempt: a resend is recognisably the same message.
        headers={**(email.headers or {}), **({"Message-ID": email.message_id} if email.message_id else {})} or None,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def _provider_message_id(message: EmailMultiAlternatives) -> str:
    status = getattr(message, "anymail_status", None)  # set by anymail backends only
    message_id = getattr(status, "message_id", None)
    if message_id is None or message_id == "":
        return ""
    if isinstance(message_id, set):  # one id per recipient when they differ
        message_id = ",".join(sorted(str(i) for i in message_id))
    return str(message_id)[:255]


def _drop_connection() -> None:
    """Forget a broken connection, so that the next query opens a new one."""
    with contextlib.suppress(DatabaseError):
        connection.close()


def _reconnecting(action):
    """Run `action` (database work that is safe to repeat), reconnecting and trying again
    after a short pause while the connection fails; the last error propagates. Inside a
    transaction nothing can be repeated: the error propagates at once."""
    for pause in RECONNECT_PAUSES:
        try:
            return action()
        except DATABASE_ERRORS as error:
            if connection.in_atomic_block:
                raise
            logger.warning("Outbox: the database connection failed (%s); trying again in %ss", error, pause)
            _drop_connection()
            time.sleep(pause)
    return action()


def _claim(email_id: int, token: str, previous_claim: str) -> OutgoingEmail | None:
    """Claim the row for this attempt (`token`) and return it, or None if it is not due
    or someone else holds it. Safe to repeat: a claim that committed but whose answer
    was lost is found by its token."""
    now = timezone.now()
    lease_end = now + SENDING_LEASE
    row = OutgoingEmail.objects.filter(id=email_id)
    # An earlier attempt of the same task, which never learned whether it held the row.
    taken_over = previous_claim and row.filter(status=OutgoingEmail.Status.SENDING, claim_token=previous_claim).update(
        claim_token=token, next_attempt_at=lease_end
    )
    if not taken_over:
        OutgoingEmail.objects.due(now).filter(id=email_id).update(
            status=OutgoingEmail.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=lease_end,
            claim_token=token,
        )
    return row.filter(status=OutgoingEmail.Status.SENDING, claim_token=token).first()


def _write_outcome(email_id: int, token: str, outcome: dict) -> None:
    """Record an attempt's outcome if the attempt still holds the row. Safe to repeat."""
    if OutgoingEmail.objects.filter(id=email_id, status=OutgoingEmail.Status.SENDING, claim_token=token).update(
        **outcome
    ):
        return
    if OutgoingEmail.objects.filter(id=email_id, claim_token=token, status=outcome["status"]).exists():
        return  # written by an earlier try whose answer was lost
    logger.error("Email %s: its claim was taken over before its outcome (%s) was recorded", email_id, outcome["status"])


def _serialized(outcome: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.datetime) else v for k, v in outcome.items()}


def _deserialized(outcome: dict) -> dict:
    dates = {"sent_at", "next_attempt_at"}
    return {k: datetime.datetime.fromisoformat(v) if k in dates and v else v for k, v in outcome.items()}


def _record(email_id: int, token: str, outcome: dict) -> None:
    """Record the outcome now, or hand it to the record task: after the provider was
    called nothing may make the caller send again."""
    try:
        _reconnecting(lambda: _write_outcome(email_id, token, outcome))
        return
    except Exception as error:  # the database is still away, or the task's soft time limit came
        failure = error

    logger.warning("Email %s: outcome %s not recorded yet (%s); the record task will", email_id, outcome["status"], failure)
    try:
        _task(RECORD_TASK).delay(email_id=email_id, claim_token=token, outcome=_serialized(outcome))
    except Exception:
        logger.exception(
            "Email %s: outcome %s could neither be recorded nor handed over; the row stays sending until its"
            " lease ends and may then be sent again",
            email_id,
            outcome["status"],
        )
    raise OutcomeDeferred(email_id, sent=outcome["status"] == OutgoingEmail.Status.SENT) from failure


def email_send(*, email_id: int, previous_claim: str = "") -> bool:
    """Send one outbox row if it is due and nobody else holds it. True if it was sent.

    `previous_claim` is the token of an earlier attempt of the same task that raised
    ClaimUnconfirmed: its claim, if it committed, is taken over. Raises ClaimUnconfirmed
    when the database failed before anything was sent (retry: nothing was sent), and
    OutcomeDeferred when it failed after the provider was called (never retry)."""
    token = uuid.uuid4().hex
    try:
        email = _reconnecting(lambda: _claim(email_id, token, previous_claim))
    except DATABASE_ERRORS as error:
        raise ClaimUnconfirmed(email_id, token) from error
    if email is None:
        return False
    # Later writes are conditional on this claim, so a sender whose lease expired and
    # was taken over does not overwrite the newer attempt's record.
    try:
        message = _build_message(email)
        message.send()
    except Exception as error:
        finished = timezone.now()
        gave_up = email.attempts >= MAX_ATTEMPTS
        logger.warning("Email %s attempt %s failed: %s", email_id, email.attempts, error, exc_info=True)
        outcome = {
            "status": OutgoingEmail.Status.FAILED if gave_up else OutgoingEmail.Status.PENDING,
            "next_attempt_at": finished if gave_up else finished + _retry_delay(email.attempts),
            "last_error": f"{type(error).__name__}: {error}"[:2000],
        }
        _record(email_id, token, outcome)
        return False
    outcome = {
        "status": OutgoingEmail.Status.SENT,
        "sent_at": timezone.now(),
        "provider_message_id": _provider_message_id(message),
        "last_error": "",
    }
    _record(email_id, token, outcome)
    return True


def email_record_outcome(*, email_id: int, claim_token: str, outcome: dict) -> None:
    """Write the outcome a sender could not (the record task). A connection error
    propagates, after the broken connection is dropped, for the task to retry."""
    try:
        _write_outcome(email_id, claim_token, _deserialized(outcome))
    except DATABASE_ERRORS:
        _drop_connection()
        raise


def email_flush_due(*, limit: int = 200) -> int:
    """Send up to `limit` due rows, oldest due first. Returns how many were sent. Stops
    at the first database failure: the rest waits for the next run."""
    send = _task(SEND_TASK)
    now = timezone.now()
    ids = list(OutgoingEmail.objects.due(now).order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    sent = 0
    for email_id in ids:
        try:
            sent += email_send(email_id=email_id)
        except OutcomeDeferred as deferred:
            sent += deferred.sent
            break
        except ClaimUnconfirmed as unconfirmed:
            # Nothing was sent: the send task takes the claim over once the database is back.
            try:
                send.delay(email_id, previous_claim=unconfirmed.claim_token)
            except Exception:
                logger.exception("Email %s: could not hand the unconfirmed claim over; it waits for its lease", email_id)
            break
    return sent


def email_retry_now(*, emails) -> int:
    """Make pending or failed rows due now and send them (the admin's "Reintentar ahora").
    A failed row gets one more attempt. Returns how many rows were made due."""
    send = _task(SEND_TASK)
    ids = list(
        emails.filter(status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED]).values_list(
            "id", flat=True
        )
    )
    count = OutgoingEmail.objects.filter(
        id__in=ids, status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED]
    ).update(status=OutgoingEmail.Status.PENDING, next_attempt_at=timezone.now())
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: send.delay(email_id), robust=True)
    return count
