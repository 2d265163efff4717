"""The requester's links: no password, nothing guessable, nothing usable left in a log.

Every email to the requester carries its own links, made when the email is rendered
(`requester_url`). A link's token is a random selector and a random 256-bit secret; the
desk keeps the selector and the secret's SHA-256 hash, and compares hashes in constant
time (helpdesk.tokens makes and checks them). A link is spent the first time a browser
opens it: the page asks for one click (a POST, so an email scanner that only fetches the
link spends nothing), the token is
marked used atomically, the browser's session is allowed to see that ticket (the
"scope", a list of ticket ids in the session, not a login), and it is redirected to an
address without the secret (`/seguimiento/INC-000123/`). Whatever an access log or a
Referer header recorded is therefore spent, and opens nothing.

Links and scopes work while the ticket is in course and for HELPDESK_REQUESTER_LINK_DAYS
after it ends (closed or cancelled). A spent link opened by a browser without the scope
offers a fresh link, emailed to the requester's address on file.
"""

from __future__ import annotations

import datetime
import functools
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.ratelimits import limit_hit
from helpdesk.tokens import legacy_signed_value, token_issue, token_matches, token_selector
from notifications.services import email_queue

from .models import RequesterLink, Ticket

logger = logging.getLogger(__name__)

SCOPE_SESSION_KEY = "requester_tickets"

Purpose = RequesterLink.Purpose


# The window -------------------------------------------------------------------------


def link_window_end(ticket: Ticket) -> datetime.datetime | None:
    """When the ticket's links and scopes stop working: HELPDESK_REQUESTER_LINK_DAYS after
    it was closed or cancelled; None while it is in course."""
    if not ticket.is_final:
        return None
    ended = ticket.closed_at if ticket.state == Ticket.State.CLOSED else ticket.cancelled_at
    ended = ended or ticket.updated_at
    return ended + datetime.timedelta(days=settings.HELPDESK_REQUESTER_LINK_DAYS)


def links_open(ticket: Ticket, now: datetime.datetime | None = None) -> bool:
    end = link_window_end(ticket)
    return end is None or (now or timezone.now()) < end


# Tokens -----------------------------------------------------------------------------


def link_create(*, ticket: Ticket, purpose: str, target_id: int | None = None) -> str:
    """A new link's token; only its hash is stored (helpdesk.tokens)."""
    issued = token_issue()
    RequesterLink.objects.create(
        ticket=ticket, purpose=purpose, target_id=target_id, selector=issued.selector, secret_hash=issued.secret_hash
    )
    return issued.token


@dataclass(frozen=True)
class LinkCheck:
    """What a token is worth: "valid" (may be spent), "used", "expired" or "invalid"."""

    state: str
    link: RequesterLink | None = None

    @property
    def ticket(self) -> Ticket | None:
        return self.link.ticket if self.link else None


INVALID = LinkCheck("invalid")


def link_check(token: str, *, purpose: str, reference: str | None = None) -> LinkCheck:
    """Look a token up without spending it. A token of another purpose, or named with
    another ticket's reference, is invalid."""
    selector = token_selector(token)
    if selector is None:
        return _legacy_check(token, purpose=purpose)
    link = RequesterLink.objects.select_related("ticket").filter(selector=selector).first()
    if link is None or not token_matches(token, link.secret_hash):
        return INVALID
    if link.purpose != purpose or (reference is not None and link.ticket.reference != reference):
        return INVALID
    if not links_open(link.ticket):
        return LinkCheck("expired", link)
    if link.used_at is not None:
        return LinkCheck("used", link)
    return LinkCheck("valid", link)


# The links emailed before links were single-use: the ticket's pk signed with this salt,
# valid forever. They open nothing now; a genuine one counts as spent, so that its
# requester is offered a fresh link.
LEGACY_SALT = "tickets.requester-link"


def _legacy_check(token: str, *, purpose: str) -> LinkCheck:
    value = legacy_signed_value(token, salt=LEGACY_SALT) if purpose == Purpose.FOLLOW else None
    if value is None:
        return INVALID
    ticket = Ticket.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if ticket is None:
        return INVALID
    spent = RequesterLink(ticket=ticket, purpose=Purpose.FOLLOW, used_at=ticket.created_at)
    return LinkCheck("used" if links_open(ticket) else "expired", spent)


def link_spend(link: RequesterLink) -> bool:
    """Mark the link used; True for the one caller that did (two at once: one wins)."""
    return RequesterLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now()) == 1


# The browser's scope ----------------------------------------------------------------


def scope_grant(request, ticket: Ticket) -> None:
    """Let this browser's session see the ticket (a new session key: no fixation)."""
    allowed = set(request.session.get(SCOPE_SESSION_KEY, []))
    allowed.add(ticket.pk)
    if request.session.session_key:  # an existing session gains a ticket; a new one has no key to fix
        request.session.cycle_key()
    request.session[SCOPE_SESSION_KEY] = sorted(allowed)


def in_scope(request, ticket: Ticket) -> bool:
    return ticket.pk in request.session.get(SCOPE_SESSION_KEY, []) and links_open(ticket)


def ticket_in_scope(request, reference: str, queryset=None) -> Ticket | None:
    """The ticket `reference` if this browser may see it (its scope, and the ticket's link
    window still open); None otherwise, whether or not the ticket exists."""
    allowed = request.session.get(SCOPE_SESSION_KEY) or []
    if not allowed:
        return None
    ticket = (queryset if queryset is not None else Ticket.objects.all()).filter(reference=reference, pk__in=allowed).first()
    if ticket is None or not links_open(ticket):
        return None
    return ticket


# The Referer a requester page lets browsers send: the bare origin, never a path, so that
# neither another site nor the desk's own access log (which records Referer) gets an
# address from it. Not "no-referrer": under it browsers send `Origin: null` on the page's
# own form posts, which Django's CSRF check rightly refuses (every form would fail).
REQUESTER_REFERRER_POLICY = "strict-origin"


def requester_page(view):
    """Headers of every requester page: never cached (personal data), and no address in
    the Referer its requests and clicks send."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private, max-age=0"
        response["Referrer-Policy"] = REQUESTER_REFERRER_POLICY
        return response

    return wrapped


# Links in emails --------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.HELPDESK_BASE_URL.rstrip("/") + path


class EmailLinks:
    """The requester's links of one email. Printed as is (`{{ ticket_url }}`) it is the
    link to the ticket's page; `url()` gives the others (surveys.links). Each kind's token
    is made the first time the email prints it and shared by the email's text and HTML
    parts, so every email gets its own links and an unused one costs nothing."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket
        self._tokens: dict[tuple[str, int | None], str] = {}

    def token(self, purpose: str, target_id: int | None = None) -> str:
        key = (purpose, target_id)
        if key not in self._tokens:
            self._tokens[key] = link_create(ticket=self.ticket, purpose=purpose, target_id=target_id)
        return self._tokens[key]

    def url(self, viewname: str, purpose: str, target_id: int | None = None, *, args=(), query=None) -> str:
        path = reverse(viewname, args=[*args, self.token(purpose, target_id)])
        query = {key: value for key, value in (query or {}).items() if value is not None}
        return absolute(f"{path}?{urlencode(query)}" if query else path)

    def __str__(self) -> str:
        return self.url("follow:open", Purpose.FOLLOW)

    def __bool__(self) -> bool:
        return True


def requester_url(ticket: Ticket) -> EmailLinks:
    """The links of one email to the requester; prints as the link to the ticket's page."""
    return EmailLinks(ticket)


def ticket_path(ticket: Ticket) -> str:
    """The ticket's page without any secret: it opens only for a browser in scope."""
    return reverse("follow:ticket", args=[ticket.reference])


# A fresh link -----------------------------------------------------------------------


def _client_limited(client: str) -> bool:
    limit, seconds = settings.HELPDESK_REQUESTER_LINK_RESEND_LIMIT
    return bool(client) and bool(limit_hit(group="requester-link-resend:client", key=client, rate=(limit * 3, seconds)))


def _ticket_limited(ticket: Ticket) -> bool:
    limit, seconds = settings.HELPDESK_REQUESTER_LINK_RESEND_LIMIT
    return bool(limit_hit(group="requester-link-resend:ticket", key=str(ticket.pk), rate=(limit, seconds)))


def _email_fresh_link(ticket: Ticket) -> None:
    with transaction.atomic():
        email_queue(
            to=ticket.requester.email,
            template="requester_link",
            context={"ticket": ticket, "ticket_url": requester_url(ticket)},
            ticket=ticket,
        )


def requester_link_resend(*, ticket: Ticket, client: str = "") -> bool:
    """From a spent link: email the requester a fresh link to their ticket's page, always
    to the address on file. At most HELPDESK_REQUESTER_LINK_RESEND_LIMIT per ticket (three
    times that per client address) in its period. False when nothing was sent (a limit,
    or the ticket's window is over)."""
    if _client_limited(client) or not links_open(ticket) or _ticket_limited(ticket):
        return False
    _email_fresh_link(ticket)
    return True


def requester_link_request(*, reference: str, client: str) -> bool:
    """From a ticket's page address alone (its browser's session ended, or another
    browser): the requester of `reference` gets a fresh link at the address on file, if
    the ticket exists and its window is open. The answer says nothing of that: False
    only when this client asked too often, whatever the reference."""
    if _client_limited(client):
        return False
    ticket = Ticket.objects.select_related("requester").filter(reference=reference).first()
    if ticket is not None and links_open(ticket) and not _ticket_limited(ticket):
        _email_fresh_link(ticket)
    return True
