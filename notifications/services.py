"""Outgoing email through the database outbox (see style.md, "Background work").

`email_queue` renders and saves a row inside the caller's transaction, with a Message-ID
of its own and, for an email about a ticket, the ticket's reply address in Reply-To
(replies.py), and sends its id to a worker on commit; `email_send` claims the row with
a conditional update, so a row is sent by one worker only, and records the result or
the next retry;
`email_flush_due` (beat, every minute) sends what is due: retries, rows whose task was
lost (Redis down at commit) and rows whose sender died mid-send.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutgoingEmail
from .replies import new_message_id, reply_address

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Backoff after a failed attempt n: 1, 2, 4, 8 … minutes, never more than this.
MAX_BACKOFF = datetime.timedelta(minutes=60)
# A row claimed longer ago than this is taken to be abandoned (worker killed) and is
# due again; longer than the send task's hard time limit.
SENDING_LEASE = datetime.timedelta(minutes=10)


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
    # Imported here: the task module imports this one.
    from .tasks import email_send_task

    # robust: if the broker is down the commit still stands; beat sends the row later.
    transaction.on_commit(lambda: email_send_task.delay(email.id), robust=True)
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


def email_send(*, email_id: int) -> bool:
    """Send one outbox row if it is due and nobody else holds it. True if it was sent."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.due(now).filter(id=email_id).update(
        status=OutgoingEmail.Status.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=now + SENDING_LEASE,
    )
    if not claimed:
        return False
    email = OutgoingEmail.objects.get(id=email_id)
    # Later updates are conditional on this claim, so a sender whose lease expired and
    # was taken over does not overwrite the newer attempt's record.
    ours = OutgoingEmail.objects.filter(
        id=email_id, status=OutgoingEmail.Status.SENDING, attempts=email.attempts
    )
    try:
        message = _build_message(email)
        message.send()
    except Exception as error:
        finished = timezone.now()
        gave_up = email.attempts >= MAX_ATTEMPTS
        ours.update(
            status=OutgoingEmail.Status.FAILED if gave_up else OutgoingEmail.Status.PENDING,
            next_attempt_at=finished if gave_up else finished + _retry_delay(email.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("Email %s attempt %s failed: %s", email_id, email.attempts, error, exc_info=True)
        return False
    ours.update(
        status=OutgoingEmail.Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=_provider_message_id(message),
        last_error="",
    )
    return True


def email_flush_due(*, limit: int = 200) -> int:
    """Send up to `limit` due rows, oldest due first. Returns how many were sent."""
    now = timezone.now()
    ids = list(OutgoingEmail.objects.due(now).order_by("next_attempt_at").values_list("id", flat=True)[:limit])
    return sum(email_send(email_id=email_id) for email_id in ids)


def email_retry_now(*, emails) -> int:
    """Make pending or failed rows due now and send them (the admin's "Reintentar ahora").
    A failed row gets one more attempt. Returns how many rows were made due."""
    from .tasks import email_send_task

    ids = list(
        emails.filter(status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED]).values_list(
            "id", flat=True
        )
    )
    count = OutgoingEmail.objects.filter(
        id__in=ids, status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.FAILED]
    ).update(status=OutgoingEmail.Status.PENDING, next_attempt_at=timezone.now())
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: email_send_task.delay(email_id), robust=True)
    return count
