"""Who may use the agents' pages, and the scoped getters every view starts from."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.decorators import agent_required
from accounts.roles import ASSIGN_PERMISSION, CANCEL_PERMISSION, WORK_PERMISSION, is_agent, is_coordinator
from tickets.models import Ticket

__all__ = [
    "ASSIGN_PERMISSION",
    "CANCEL_PERMISSION",
    "WORK_PERMISSION",
    "agent_required",
    "is_agent",
    "is_coordinator",
    "ticket_for_agent",
]


def ticket_for_agent(request, pk: int, queryset=None) -> Ticket:
    """The ticket an agent asked for, or 404. Every agent sees every ticket of the desk
    (domain.md: open tickets are visible to every agent); the view is already behind
    `agent_required`."""
    return get_object_or_404(queryset if queryset is not None else Ticket.objects.all(), pk=pk)
