"""The end of a ticket: solving, closing, reopening, cancelling."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from sla.services import sla_reopen, sla_retarget, sla_solve, sla_stop
from surveys.records import confirmation_open, survey_send

from ..models import Message, Ticket
from .emails import _email_requester, cancel_explanation
from .steps import TRANSITION_FIELDS, _lock, _run_transition, _save_step, _transition_in_memory
from .working import CLASSIFY_FIELDS, _classify_in_memory, _public_reply, _require_classify_perm


def ticket_solve(
    *,
    ticket: Ticket,
    by,
    solution: str,
    resolution_code: str,
    module=None,
    impact: int | None = None,
    notify: bool = True,
) -> Ticket:
    """Deliver the solution: the requester gets it by email with how to answer. A module
    or an impact given (the solve form asks them while unset) is applied first, in the
    same transaction, by the classification's rule (ticket_classify: history rows, the
    priority by the matrix, the SLA's targets). One lock, one UPDATE of the ticket and one
    INSERT of its history rows for both."""
    classifies = module is not None or impact is not None
    if classifies:
        _require_classify_perm(by)
    with transaction.atomic():
        locked = _lock(ticket)
        fields, changes = list(TRANSITION_FIELDS), []
        if classifies:
            old_priority = locked.priority
            changes = _classify_in_memory(locked, by, module=module, impact=impact)
            if changes:
                fields += CLASSIFY_FIELDS
            # The new priority's targets while the clocks still run (ticket_classify's
            # sla_retarget). A ticket without deadlines is computed from its whole history,
            # this classification's rows included, by sla_solve below.
            if locked.priority != old_priority and locked.sla_plan_id is not None:
                sla_retarget(ticket=locked, save=False)
        changes += _transition_in_memory(
            locked,
            "solve",
            by,
            history_note=str(Ticket.ResolutionCode(resolution_code).label) if resolution_code in Ticket.ResolutionCode.values else "",
            solution=solution,
            resolution_code=resolution_code,
        )
        _save_step(locked, fields, changes, sla=sla_solve)
        # Before the email, which carries the confirmation's signed links.
        confirmation = confirmation_open(ticket=locked, by=by)
        _public_reply(locked, by, solution)
        if notify:
            _email_requester(locked, "ticket_solved", open_confirmation=confirmation)
        return locked


def ticket_close(*, ticket: Ticket, by=None, automatic: bool = False, notify: bool = True) -> Ticket:
    """Close a solved ticket: the requester accepted (by=None), an agent records the
    acceptance, or the confirmation window passed (automatic=True)."""
    note = _("Cerrado automáticamente: el solicitante no respondió a tiempo.") if automatic else ""
    with transaction.atomic():
        locked = _run_transition(ticket, "close", by, history_note=note, sla=sla_stop)
        survey_send(ticket=locked, by=by, automatic=automatic, notify=notify)
        return locked


def ticket_reopen(*, ticket: Ticket, by=None, message: str) -> Ticket:
    """The solution did not work: back to En proceso, the reopening counted."""
    with transaction.atomic():
        locked = _run_transition(ticket, "reopen", by, history_note=message, sla=sla_reopen, message=message)
        Message.objects.create(
            ticket=locked,
            kind=Message.Kind.FROM_REQUESTER if by is None else Message.Kind.INTERNAL_NOTE,
            author=by,
            body=message.strip(),
        )
        return locked


def ticket_cancel(
    *, ticket: Ticket, by, reason: str, note: str = "", duplicate_of: Ticket | None = None, notify: bool = True
) -> Ticket:
    """Cancel with a reason; the requester is told why (a duplicate's requester, the
    original's reference). An agent may cancel a duplicate only; the other reasons are a
    coordinator's (Ticket.cancel_reasons_for). ticket_open's own gatekeeping cancellation
    does not come here: its acknowledgement already explains it."""
    # Whoever may not cancel at all is refused by the transition's own permission check.
    allowed = Ticket.cancel_reasons_for(by) if by is not None else Ticket.CancelReason.values
    if allowed and reason in Ticket.CancelReason.values and reason not in allowed:
        raise PermissionDenied(
            _("Usted solo puede cancelar un ticket como duplicado de otro; por «%(reason)s» lo cancela un coordinador.")
            % {"reason": Ticket.CancelReason(reason).label}
        )
    with transaction.atomic():
        locked = _run_transition(
            ticket,
            "cancel",
            by,
            history_note=(note or "").strip()
            or (str(Ticket.CancelReason(reason).label) if reason in Ticket.CancelReason.values else ""),
            sla=sla_stop,
            reason=reason,
            note=note,
            duplicate_of=duplicate_of,
        )
        if notify:
            _email_requester(locked, "ticket_cancelled", explanation=cancel_explanation(locked))
        return locked
