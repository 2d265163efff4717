"""Who can take a ticket over: the agents a coordinator assigns it to, or an escalation
hands it to, each with their open load.

An agent "fits" a ticket when their profile has the module's specialty and a support
level at least the ticket's (or the level it is escalated to). The list shows the
agents who fit; "show all" adds every other agent (accounts.roles.agents), after them.
The admin's lists order agents by specialty alone (tickets.transition_forms.agents_for_specialties)."""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import AgentProfile
from accounts.roles import agents
from tickets.models import Ticket


def _open_load():
    """How many not-final tickets each user has, as a subquery of the same SELECT."""
    counts = (
        Ticket.objects.not_final()
        .filter(assignee=OuterRef("pk"))
        .order_by()
        .values("assignee")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def eligible_agents(ticket: Ticket, *, level: int | None = None, show_all: bool = False):
    """The agents (accounts.roles.agents) for `ticket`, each annotated with `open_load` (their not-final tickets)
    and `fits` (the module's specialty and a level ≥ `level`, the ticket's by default),
    read in one query. Only those who fit and are available, unless `show_all`; those who
    fit first, then the least loaded."""
    level = ticket.level if level is None else level
    if ticket.module_id is None:
        # No module, no specialty to match: nobody fits, everyone is under "show all".
        fits = Value(False, output_field=BooleanField())
    else:
        fits = Exists(
            AgentProfile.objects.filter(user=OuterRef("pk"), level__gte=level, specialties__modules=ticket.module_id)
        )
    offered = agents().select_related("agent_profile").annotate(open_load=_open_load(), fits=fits)
    if not show_all:
        offered = offered.filter(fits=True, agent_profile__is_available=True)
    return offered.order_by("-fits", "open_load", "first_name", "last_name", "username")

