"""One entry point for generic callers (the admin's transition buttons)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Ticket
from .assignment import ticket_assign, ticket_take
from .resolution import ticket_cancel, ticket_close, ticket_reopen, ticket_solve
from .working import ticket_resume, ticket_wait_for_user, ticket_wait_for_vendor

# One entry point for generic callers (the admin's transition buttons).
TRANSITION_SERVICES = {
    "take": lambda ticket, by, **kw: ticket_take(ticket=ticket, agent=by),
    "assign": lambda ticket, by, **kw: ticket_assign(ticket=ticket, by=by, **kw),
    "wait_for_user": lambda ticket, by, **kw: ticket_wait_for_user(ticket=ticket, by=by, **kw),
    "wait_for_vendor": lambda ticket, by, **kw: ticket_wait_for_vendor(ticket=ticket, by=by, **kw),
    "resume": lambda ticket, by, **kw: ticket_resume(ticket=ticket, by=by),
    "solve": lambda ticket, by, **kw: ticket_solve(ticket=ticket, by=by, **kw),
    "close": lambda ticket, by, **kw: ticket_close(ticket=ticket, by=by),
    "reopen": lambda ticket, by, **kw: ticket_reopen(ticket=ticket, by=by, **kw),
    "cancel": lambda ticket, by, **kw: ticket_cancel(ticket=ticket, by=by, **kw),
}


def ticket_transition(*, ticket: Ticket, name: str, by, **kwargs) -> Ticket:
    try:
        service = TRANSITION_SERVICES[name]
    except KeyError:
        raise ValidationError(_("Acción desconocida."), code="unknown") from None
    return service(ticket, by, **kwargs)
