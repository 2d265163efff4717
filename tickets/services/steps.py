"""The steps every state change of a ticket takes: lock the row and check it is still
what the caller saw, check the transition and its permission, run it, save, record it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from sla.services import SLA_FIELDS

from ..models import Ticket, TicketChange
from .history import history_row


class TicketConflict(ValidationError):
    """Someone else changed the ticket first: the loser of a race gets this, in Spanish."""

    def __init__(self, message):
        super().__init__(message, code="conflict")


# The rows a ticket points at that the caller has usually read with it (the ticket page's
# select_related): the locked row takes them over instead of reading them again.
KEPT_RELATIONS = ("requester", "organization", "module", "assignee")


def _lock_row(ticket: Ticket) -> Ticket:
    """The ticket's row as it is now, locked until the transaction ends: for a step that
    does not depend on the state the caller saw (a line of the conversation). The
    related rows the caller already holds (KEPT_RELATIONS) come along while the locked
    row still points at the same ones."""
    locked = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
    for name in KEPT_RELATIONS:
        field = Ticket._meta.get_field(name)
        if field.is_cached(ticket) and getattr(ticket, field.attname) == getattr(locked, field.attname):
            field.set_cached_value(locked, field.get_cached_value(ticket))
    return locked


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


def _run_transition(
    ticket: Ticket, name: str, by, *, history_note: str = "", refuse=None, sla=None, **kwargs
) -> Ticket:
    """Lock (see `_lock` for `refuse`), check, transition, record what changed (the
    state, the assignee) and save, with the deadlines of `sla` (the lifecycle point of
    sla.services, if the step has one): see `_save_step`. Call inside atomic()."""
    locked = _lock(ticket, refuse=refuse)
    changes = _transition_in_memory(locked, name, by, history_note=history_note, **kwargs)
    return _save_step(locked, TRANSITION_FIELDS, changes, sla=sla)


def _save_step(locked: Ticket, fields: list[str], changes: list[TicketChange], *, sla=None) -> Ticket:
    """Write a step of the locked ticket: its history rows (one INSERT), then its SLA
    lifecycle point `sla` sets the deadlines in memory (`save=False`: after the history,
    which a ticket without deadlines is computed from), and one UPDATE saves the step's
    `fields` with the SLA's columns."""
    TicketChange.objects.bulk_create(changes)
    if sla is not None:
        sla(ticket=locked, save=False)
        fields = [*fields, *SLA_FIELDS]
    locked.save(update_fields=fields)
    return locked


def _transition_in_memory(ticket: Ticket, name: str, by, *, history_note: str = "", **kwargs) -> list[TicketChange]:
    """Check and run the transition on `ticket` (locked by the caller, or not inserted
    yet: ticket_open's cancellation at intake) and return its history rows, not saved:
    the change of state, and of assignee if the transition made one."""
    _check_transition(ticket, name, by)
    old_state, old_assignee_id = ticket.state, ticket.assignee_id
    # Read only if the transition changes hands (its history row names both).
    assignee_field = Ticket._meta.get_field("assignee")
    old_assignee = ticket.assignee if old_assignee_id is not None and assignee_field.is_cached(ticket) else None
    getattr(ticket, name)(**kwargs)
    changes = []
    if ticket.state != old_state:  # a reassignment keeps the state
        changes.append(history_row(ticket=ticket, actor=by, field=TicketChange.Field.STATE, old=old_state, new=ticket.state, note=history_note))
    if ticket.assignee_id != old_assignee_id:
        if old_assignee is None and old_assignee_id is not None:
            old_assignee = assignee_field.related_model._default_manager.get(pk=old_assignee_id)
        changes.append(history_row(ticket=ticket, actor=by, field=TicketChange.Field.ASSIGNEE, old=old_assignee, new=ticket.assignee))
    return changes
