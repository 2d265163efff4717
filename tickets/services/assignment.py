"""Who works a ticket: taking it, assigning it, escalating it to a higher level."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import ASSIGN_PERMISSION, WORK_PERMISSION, is_agent
from sla.services import sla_first_response

from ..models import Ticket, TicketChange
from .history import history_row
from .steps import TicketConflict, _lock, _require_staff_perm, _run_transition, _save_step


def ticket_take(*, ticket: Ticket, agent) -> Ticket:
    """An agent takes an open ticket. Two agents at once: one gets it, the other is told who.

    Decided on the locked row alone: whoever took it first is named; any other state
    than Abierto is refused as the state it is in (not as a race)."""

    def refuse_if_taken(locked: Ticket) -> None:
        if locked.is_taken_by_someone_else(agent):
            raise TicketConflict(
                _("El ticket %(reference)s ya fue tomado por %(agent)s.")
                % {"reference": locked.reference, "agent": locked.assignee}
            )

    with transaction.atomic():
        return _run_transition(ticket, "take", agent, refuse=refuse_if_taken, sla=sla_first_response, agent=agent)


def _check_assignable(assignee) -> None:
    if not is_agent(assignee):
        raise ValidationError(_("Solo se puede asignar a un agente activo de la mesa."), code="invalid_assignee")


def ticket_assign(*, ticket: Ticket, assignee, by) -> Ticket:
    """A coordinator assigns: an open ticket is started; a ticket in progress or pending
    changes hands and keeps its state (Ticket.can_be_assigned)."""
    _require_staff_perm(by, ASSIGN_PERMISSION, _("Solo un coordinador puede asignar tickets."))
    _check_assignable(assignee)
    with transaction.atomic():
        if ticket.state == Ticket.State.OPEN:
            return _run_transition(ticket, "assign", by, sla=sla_first_response, assignee=assignee)
        return _run_transition(ticket, "reassign", by, assignee=assignee)


def ticket_escalate(*, ticket: Ticket, by, reason: str, assignee=None) -> Ticket:
    """Raise the support level (N1 → N2 → N3): not a state; recorded and counted,
    and the ticket may change hands to an agent of the new level (Ticket.check_escalation)."""
    _require_staff_perm(by, WORK_PERMISSION, _("Solo el personal de la mesa puede escalar tickets."))
    if not (reason or "").strip():
        raise ValidationError(_("Explique por qué se escala el ticket."), code="required")
    with transaction.atomic():
        locked = _lock(ticket)
        locked.check_escalation(to_agent=assignee is not None)
        if assignee is not None:
            _check_assignable(assignee)
        old_level, old_assignee = locked.level, locked.assignee
        locked.level += 1
        locked.escalation_count += 1
        fields = ["level", "escalation_count", "updated_at"]
        if assignee is not None and assignee.pk != locked.assignee_id:
            locked.assignee = assignee
            fields.append("assignee")
        changes = [history_row(ticket=locked, actor=by, field=TicketChange.Field.LEVEL, old=old_level, new=locked.level, note=reason.strip())]
        if "assignee" in fields:
            changes.append(history_row(ticket=locked, actor=by, field=TicketChange.Field.ASSIGNEE, old=old_assignee, new=assignee, note=reason.strip()))
        return _save_step(locked, fields, changes)
