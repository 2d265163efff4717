"""The steps every state change of a ticket takes: lock the row and check it is still
what the caller saw, check the transition and its permission, run it, save, record it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from ..models import Ticket, TicketChange
from .history import history_row


class TicketConflict(ValidationError):
    """Someone else changed the ticket first: the loser of a race gets this, in Spanish."""

    def __init__(self, message):
        super().__init__(message, code="conflict")


def _lock_row(ticket: Ticket) -> Ticket:
    """The ticket's row as it is now, locked until the transaction ends: for a step that
    does not depend on the state the caller saw (a line of the conversation)."""
    return Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)


def _lock(ticket: Ticket, *, refuse=None) -> Ticket:
    """The ticket's row, locked until the transaction ends, checked against what the
    caller saw: if its state changed meanwhile, the caller lost the race. A caller that
    decides on the locked row alone passes `refuse(locked)` instead, which raises its
    own refusal (taking: who took it first)."""
    locked = _lock_row(ticket)
    if refuse is not None:
        refuse(locked)
    elif locked.state != ticket.state:
        raise TicketConflict(
            _(
                "El ticket %(reference)s cambió mientras usted lo consultaba: ahora está «%(state)s». "
                "Revise su estado e intente de nuevo."
            )
            % {"reference": locked.reference, "state": locked.get_state_display()}
        )
    return locked


def _check_transition(ticket: Ticket, name: str, by) -> None:
    method = getattr(ticket, name)
    if not can_proceed(method):
        raise ValidationError(
            _("No se puede «%(action)s» un ticket en estado «%(state)s».")
            % {"action": _transition_label(ticket, name), "state": ticket.get_state_display()},
            code="not_allowed",
        )
    if by is not None and not has_transition_perm(method, by):
        raise PermissionDenied(
            _("Usted no tiene permiso para «%(action)s» este ticket.") % {"action": _transition_label(ticket, name)}
        )


def _transition_label(ticket: Ticket, name: str) -> str:
    # Every source of one transition method carries the same label: take the first.
    first = next(iter(getattr(type(ticket), name)._django_fsm.transitions.values()))
    return str(first.custom.get("label", name)).lower()


def _require_staff_perm(by, perm: str, message: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionDenied(message)


# Every field a transition method may set (see Ticket's transitions).
TRANSITION_FIELDS = [
    "state",
    "assignee",
    "first_response_at",
    "solution",
    "resolution_code",
    "solved_at",
    "closed_at",
    "reopen_count",
    "cancel_reason",
    "cancel_note",
    "duplicate_of",
    "cancelled_at",
    "vendor_name",
    "vendor_reference",
    "updated_at",
]


def _run_transition(ticket: Ticket, name: str, by, *, history_note: str = "", refuse=None, **kwargs) -> Ticket:
    """Lock (see `_lock` for `refuse`), check, transition, save and record what changed:
    the state, the assignee. Call inside atomic()."""
    locked = _lock(ticket, refuse=refuse)
    changes = _transition_in_memory(locked, name, by, history_note=history_note, **kwargs)
    locked.save(update_fields=TRANSITION_FIELDS)
    for change in changes:
        change.save(force_insert=True)
    return locked


def _transition_in_memory(ticket: Ticket, name: str, by, *, history_note: str = "", **kwargs) -> list[TicketChange]:
    """Check and run the transition on `ticket` (locked by the caller, or not inserted
    yet: ticket_open's cancellation at intake) and return its history rows, not saved:
    the change of state, and of assignee if the transition made one."""
    _check_transition(ticket, name, by)
    old_state, old_assignee = ticket.state, ticket.assignee
    getattr(ticket, name)(**kwargs)
    changes = []
    if ticket.state != old_state:  # a reassignment keeps the state
        changes.append(history_row(ticket=ticket, actor=by, field=TicketChange.Field.STATE, old=old_state, new=ticket.state, note=history_note))
    if ticket.assignee_id != getattr(old_assignee, "pk", None):
        changes.append(history_row(ticket=ticket, actor=by, field=TicketChange.Field.ASSIGNEE, old=old_assignee, new=ticket.assignee))
    return changes
