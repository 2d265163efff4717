"""Bulk actions of the queue (docs/workspace.md, «Bulk actions»): take, assign or change
the module of the tickets an agent selected.

Each row goes through the same service as on the ticket page (tickets.services), which
checks the ticket's state and the user's permission inside its own transaction and row
lock: a refusal on one row undoes nothing of the others, and says which row and why.
Who may start an action at all is the ticket page's table (workspace.actions.ACTIONS):
an agent asking to assign is refused before any row is touched."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from catalog.models import Module
from tickets.models import Ticket
from tickets.services import ticket_assign, ticket_classify, ticket_take

from .actions import ACTIONS, refusal_text

# How many tickets one request may change: a page of the queue holds 25, four pages' worth
# is plenty, and a request stays short.
BULK_LIMIT = 100


@dataclass
class BulkOutcome:
    """What happened to each selected ticket, in the order they were tried."""

    done: list[Ticket] = field(default_factory=list)
    unchanged: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)  # the ticket, the service's reason


def _require_permission(action_name: str, by) -> None:
    """Refuse the whole request (403) when the user may not do the ticket page's action."""
    action = ACTIONS[action_name]
    if not by.has_perm(action.permission):
        raise PermissionDenied(
            _("Usted no tiene permiso para «%(action)s» tickets.") % {"action": str(action.label).lower()}
        )


def _each(tickets: Iterable[Ticket], run: Callable[[Ticket], bool]) -> BulkOutcome:
    """Run `run(ticket)` on every ticket, each in the service's own transaction; it returns
    whether the ticket changed. A refusal is recorded with its reason and the loop goes on."""
    outcome = BulkOutcome()
    for ticket in tickets:
        try:
            changed = run(ticket)
        except (ValidationError, PermissionDenied) as refusal:
            outcome.refused.append((ticket, refusal_text(refusal)))
        else:
            (outcome.done if changed else outcome.unchanged).append(ticket)
    return outcome


def bulk_take(*, tickets: Iterable[Ticket], by) -> BulkOutcome:
    """The agent takes every selected ticket (tickets.services.ticket_take): one already
    taken by someone else is refused naming who has it."""
    _require_permission("take", by)

    def take(ticket: Ticket) -> bool:
        ticket_take(ticket=ticket, agent=by)
        return True  # a take always changes the ticket, or the service refuses it

    return _each(tickets, take)


def bulk_assign(*, tickets: Iterable[Ticket], by, assignee) -> BulkOutcome:
    """A coordinator gives every selected ticket to `assignee` (ticket_assign: an open
    ticket starts, one in course changes hands and keeps its state)."""
    _require_permission("assign", by)

    def assign(ticket: Ticket) -> bool:
        before = (ticket.state, ticket.assignee_id)
        after = ticket_assign(ticket=ticket, assignee=assignee, by=by)
        return (after.state, after.assignee_id) != before

    return _each(tickets, assign)


def bulk_set_module(*, tickets: Iterable[Ticket], by, module: Module) -> BulkOutcome:
    """Every selected ticket moves to `module` through ticket_classify, the ticket page's
    classification: urgency, impact and type stay as they are, and so does the priority,
    which weighs urgency and impact alone (docs/process.md, «Priority»); the change gets its
    history row. A ticket already in that module is left as it is."""
    _require_permission("classify", by)

    def move(ticket: Ticket) -> bool:
        before = ticket.module_id
        return ticket_classify(ticket=ticket, by=by, module=module).module_id != before

    return _each(tickets, move)


@dataclass(frozen=True)
class BulkAction:
    """One choice of the queue's bulk bar: what it runs and how its outcome reads. The
    sentences are ngettext_lazy's, counted by "count"; they name %(references)s and the
    chosen %(target)s; a refusal names the row's %(reference)s and the service's %(reason)s."""

    name: str
    label: str
    ticket_action: str  # the ticket page's action (ACTIONS) whose permission it asks
    run: Callable[..., BulkOutcome]
    done: object
    refused: object
    unchanged: object = None
    argument: str = ""  # the keyword of `run` the chosen value goes to (assignee, module)

    @property
    def permission(self) -> str:
        return ACTIONS[self.ticket_action].permission

    def messages(self, outcome: BulkOutcome, target=None) -> tuple[list[str], list[str], list[str]]:
        """The sentences for the user: the successes, the rows left as they were, the refusals."""

        def listed(sentence, tickets):
            if not tickets:
                return []
            references = ", ".join(ticket.reference for ticket in tickets)
            return [sentence % {"count": len(tickets), "references": references, "target": target}]

        refused = [self.refused % {"reference": ticket.reference, "reason": reason} for ticket, reason in outcome.refused]
        return listed(self.done, outcome.done), listed(self.unchanged, outcome.unchanged), refused


BULK_ACTIONS = {
    action.name: action
    for action in (
        BulkAction(
            name="take",
            label=gettext_lazy("Tomar"),
            ticket_action="take",
            run=bulk_take,
            done=ngettext_lazy(
                "Usted tomó %(count)d ticket: %(references)s.", "Usted tomó %(count)d tickets: %(references)s.", "count"
            ),
            refused=gettext_lazy("%(reference)s no se pudo tomar: %(reason)s"),
        ),
        BulkAction(
            name="assign",
            label=gettext_lazy("Asignar a"),
            ticket_action="assign",
            run=bulk_assign,
            argument="assignee",
            done=ngettext_lazy(
                "Se asignó %(count)d ticket a %(target)s: %(references)s.",
                "Se asignaron %(count)d tickets a %(target)s: %(references)s.",
                "count",
            ),
            unchanged=ngettext_lazy(
                "%(references)s ya estaba asignado a %(target)s.",
                "%(references)s ya estaban asignados a %(target)s.",
                "count",
            ),
            refused=gettext_lazy("%(reference)s no se pudo asignar: %(reason)s"),
        ),
        BulkAction(
            name="module",
            label=gettext_lazy("Cambiar el módulo a"),
            ticket_action="classify",
            run=bulk_set_module,
            argument="module",
            done=ngettext_lazy(
                "%(count)d ticket pasó al módulo %(target)s: %(references)s.",
                "%(count)d tickets pasaron al módulo %(target)s: %(references)s.",
                "count",
            ),
            unchanged=ngettext_lazy(
                "%(references)s ya estaba en el módulo %(target)s.",
                "%(references)s ya estaban en el módulo %(target)s.",
                "count",
            ),
            refused=gettext_lazy("%(reference)s no cambió de módulo: %(reason)s"),
        ),
    )
}
