"""What lets a reply find the ticket it answers, issued by us and unguessable.

Every email of a ticket carries the ticket's reply address in Reply-To,
`soporte+<ticket id>-<signature>@example.com` (plus-addressing on
HELPDESK_SUPPORT_EMAIL), and every outgoing email a Message-ID of 128 random bits that
its outbox row keeps. Inbound mail (intake/email.py) threads into a ticket only through
one of the two: From can be forged and references are sequential.

The signature (helpdesk.tokens) is an HMAC-SHA256 of the ticket's id under SECRET_KEY
with its own salt, cut to 128 bits and written in lower-case base32, so that a mail
server that changes the case of an address does not break it. It does not expire: a
requester may answer an old email while the ticket is in course (a reply to a closed or
cancelled ticket opens a new one anyway); rotating SECRET_KEY revokes every address, and
keeping the old key in SECRET_KEY_FALLBACKS keeps them working meanwhile.
"""

from __future__ import annotations

import re
import secrets
from email.utils import parseaddr

from django.conf import settings

from helpdesk.tokens import signature, signature_matches

from .models import OutgoingEmail

SALT = "notifications.replies.reply-address"
# "<local>+<ticket id>-<26 base32 characters>": the token is the part after the last "+".
TOKEN_RE = re.compile(r"^(\d{1,18})-([a-z2-7]{26})$")


def reply_address(ticket_id: int) -> str:
    """The address a reply about this ticket is sent to (Reply-To of its emails)."""
    local, _at, domain = settings.HELPDESK_SUPPORT_EMAIL.strip().rpartition("@")
    return f"{local}+{ticket_id}-{signature(str(ticket_id), salt=SALT)}@{domain}"


def ticket_id_from_reply_address(address: str) -> int | None:
    """The ticket id a reply address was issued for, or None if the address carries no
    valid token. Only the token counts (not the mailbox or domain, which a provider may
    rewrite); its signature is compared in constant time with every key in use."""
    address = parseaddr(address or "")[1].strip().lower()
    local, at, _domain = address.rpartition("@")
    if not at or "+" not in local:
        return None
    match = TOKEN_RE.match(local.rpartition("+")[2])
    if match is None:
        return None
    ticket_id = int(match[1])
    return ticket_id if signature_matches(str(ticket_id), match[2], salt=SALT) else None


def message_id_domain() -> str:
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return sender.rpartition("@")[2].strip().lower() or "localhost"


def new_message_id() -> str:
    """A Message-ID nobody can guess (128 random bits), lower case, as replies quote it."""
    return f"<{secrets.token_hex(16)}@{message_id_domain()}>"


def sent_email_quoted(message_ids: list[str]) -> tuple[int, str] | None:
    """(ticket id, recipient) of the first of these Message-IDs (as a reply quotes them:
    In-Reply-To first, then References newest first) that we sent about a ticket."""
    wanted = [message_id.strip().lower() for message_id in message_ids if message_id.strip()]
    if not wanted:
        return None
    sent = {
        message_id: (ticket_id, to)
        for message_id, ticket_id, to in OutgoingEmail.objects.filter(
            message_id__in=wanted, ticket__isnull=False
        ).values_list("message_id", "ticket_id", "to")
    }
    return next((sent[message_id] for message_id in wanted if message_id in sent), None)
