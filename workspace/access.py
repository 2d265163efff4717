"""The scoped getter every agents' page starts from (who may use those pages is
accounts.roles, their door accounts.decorators.agent_required)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from tickets.models import Ticket


def ticket_for_agent(request, pk: int, queryset=None) -> Ticket:
    """The ticket an agent asked for, or 404. Every agent sees every ticket of the desk
    (docs/process.md, «Who may do what»); the view is already behind `agent_required`."""
    return get_object_or_404(queryset if queryset is not None else Ticket.objects.all(), pk=pk)
