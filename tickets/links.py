"""The requester's signed link to their ticket: no password, nothing guessable.

The token is the ticket's pk signed with the project's SECRET_KEY (HMAC-SHA256, checked
in constant time by Django). It does not expire: it is valid for the life of the ticket,
since it is printed in every email the requester keeps.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Ticket

REQUESTER_LINK_SALT = "tickets.requester-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=REQUESTER_LINK_SALT)


def requester_token(ticket: Ticket) -> str:
    return _signer().sign(str(ticket.pk))


def ticket_for_token(token: str) -> Ticket | None:
    """The ticket a genuine token names; None when it is tampered, unknown or malformed."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return Ticket.objects.filter(pk=int(value)).first()


def requester_url(ticket: Ticket) -> str:
    """The absolute link put in emails to the requester."""
    path = reverse("follow:ticket", args=[requester_token(ticket)])
    return settings.HELPDESK_BASE_URL.rstrip("/") + path
