"""Opening an emailed link (tickets.links): the one view every kind of link goes through.

GET shows a one-button page and spends nothing (email scanners fetch links; a GET
changes nothing); its POST spends the token and lets this browser see the ticket, then
redirects to the address without the secret. A browser that already sees the ticket is
sent on at once (and the token is spent, so its copy in the log is worth nothing). A
spent link offers a fresh one by email; a link past the ticket's window says so.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.client_ip import client_address

from .links import (
    in_scope,
    link_check,
    link_spend,
    link_window_end,
    requester_link_request,
    requester_link_resend,
    requester_page,
    scope_grant,
)
from .models import RequesterLink

OPEN_ACTION, RESEND_ACTION = "abrir", "enlace-nuevo"


def _render(request, template: str, context: dict, status: int):
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=status)


def link_open(
    request,
    token: str,
    *,
    purpose: str,
    destination: Callable[[RequesterLink, object], str],
    invalid_template: str,
    reference: str | None = None,
):
    """`destination(link, request)` is where the link leads once spent, without its secret;
    `invalid_template` the app's own not-found page."""
    check = link_check(token, purpose=purpose, reference=reference)
    if check.state == "invalid":
        return _render(request, invalid_template, {}, 404)
    link, ticket = check.link, check.ticket
    context = {"ticket": ticket, "purpose": purpose, "days": settings.HELPDESK_REQUESTER_LINK_DAYS}
    action = request.POST.get("accion") if request.method == "POST" else None

    if check.state == "expired":
        context["ended_at"] = link_window_end(ticket)
        return _render(request, "tickets/link_expired.html", context, 410)

    if check.state == "used":
        if in_scope(request, ticket):
            return redirect(destination(link, request))
        if action == RESEND_ACTION:
            sent = requester_link_resend(ticket=ticket, client=client_address(request))
            return _render(request, "tickets/link_used.html", {**context, "sent": sent, "limited": not sent}, 200 if sent else 429)
        return _render(request, "tickets/link_used.html", context, 410)

    # A valid link: spent by the button's POST, or at once for a browser that already sees the ticket.
    if action == OPEN_ACTION or in_scope(request, ticket):
        if link_spend(link) or in_scope(request, ticket):
            scope_grant(request, ticket)
            return redirect(destination(link, request))
        # Spent by someone else a moment ago.
        return _render(request, "tickets/link_used.html", context, 410)
    return _render(request, "tickets/link_open.html", context, 200)


link_open = requester_page(require_http_methods(["GET", "POST"])(link_open))


def link_request(request, reference: str):
    """The fresh-link form of a ticket's page that this browser may not see: the same
    answer whether or not the reference names a ticket, and the email goes only to the
    address on file."""
    accepted = requester_link_request(reference=reference, client=client_address(request))
    return _render(request, "tickets/link_requested.html", {"reference": reference, "limited": not accepted}, 200 if accepted else 429)


link_request = requester_page(require_POST(link_request))
