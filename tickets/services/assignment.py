"""Who works a ticket: taking it, assigning it, escalating it to a higher level."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import SupportLevel
from sla.services import sla_first_response

from ..models import Ticket, TicketChange
from .history import record_change
from .steps import TicketConflict, _lock, _require_staff_perm, _run_transition


def ticket_take(*, ticket: Ticket, agent) -> Ticket:
    """An agent takes an open ticket. Two agents at once: one gets it, the other is told who."""
    with transaction.atomic():
        current = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
        if current.state in Ticket.WORKING_STATES and current.assignee_id and current.assignee_id != agent.pk:
            raise TicketConflict(
                _("El ticket %(reference)s ya fue tomado por %(agent)s.")
                % {"reference": current.reference, "agent": current.assignee}
            )
        if current.state != Ticket.State.OPEN:
            ticket = current  # not a race: report the state it is in
        return sla_first_response(ticket=_run_transition(ticket, "take", agent, agent=agent))


def _check_assignable(assignee) -> None:
    if assignee is None or not assignee.is_active or not assignee.has_perm("tickets.work_ticket"):
        raise ValidationError(_("Solo se puede asignar a un agente activo de la mesa."), code="invalid_assignee")


def ticket_assign(*, ticket: Ticket, assignee, by) -> Ticket:
    """A coordinator assigns: an open ticket is started; a ticket in progress or pending
    changes hands and keeps its state."""
    _require_staff_perm(by, "tickets.assign_ticket", _("Solo un coordinador puede asignar tickets."))
    _check_assignable(assignee)
    with transaction.atomic():
        if ticket.state == Ticket.State.OPEN:
            return sla_first_response(ticket=_run_transition(ticket, "assign", by, assignee=assignee))
        locked = _lock(ticket)
        if locked.state not in Ticket.WORKING_STATES:
            raise ValidationError(
                _("No se puede reasignar un ticket en estado «%(state)s».") % {"state": locked.get_state_display()},
                code="not_allowed",
            )
        if locked.assignee_id == assignee.pk:
            return locked
        old = locked.assignee
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        record_change(ticket=locked, actor=by, field=TicketChange.Field.ASSIGNEE, old=old, new=assignee)
        return locked


def ticket_escalate(*, ticket: Ticket, by, reason: str, assignee=None) -> Ticket:
    """Raise the support level (N1 → N2 → N3): not a state; recorded and counted,
    and the ticket may change hands to an agent of the new level."""
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede escalar tickets."))
    if not (reason or "").strip():
        raise ValidationError(_("Explique por qué se escala el ticket."), code="required")
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.state not in Ticket.IN_COURSE_STATES:
            raise ValidationError(
                _("No se puede escalar un ticket en estado «%(state)s».") % {"state": locked.get_state_display()},
                code="not_allowed",
            )
        if locked.level >= SupportLevel.N3:
            raise ValidationError(_("El ticket ya está en el nivel más alto (N3)."), code="max_level")
        if assignee is not None:
            if locked.state == Ticket.State.OPEN:
                raise ValidationError(
                    _("Un ticket abierto no tiene responsable: tómelo o asígnelo antes de escalarlo a un agente."),
                    code="not_allowed",
                )
            _check_assignable(assignee)
        old_level, old_assignee = locked.level, locked.assignee
        locked.level += 1
        locked.escalation_count += 1
        fields = ["level", "escalation_count", "updated_at"]
        if assignee is not None and assignee.pk != locked.assignee_id:
            locked.assignee = assignee
            fields.append("assignee")
        locked.save(update_fields=fields)
        record_change(ticket=locked, actor=by, field=TicketChange.Field.LEVEL, old=old_level, new=locked.level, note=reason.strip())
        if "assignee" in fields:
            record_change(ticket=locked, actor=by, field=TicketChange.Field.ASSIGNEE, old=old_assignee, new=assignee, note=reason.strip())
        return locked
