"""Working a ticket: waiting for the requester or a vendor, resuming, classifying, the conversation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sla.services import sla_first_response, sla_pause, sla_resume, sla_retarget

from ..models import Message, Ticket, TicketChange
from .emails import _email_assignee_of_reply, _email_requester
from .history import history_row
from .steps import _lock, _lock_row, _require_staff_perm, _run_transition, _save_step


def _public_reply(ticket: Ticket, by, body: str) -> Message:
    return Message.objects.create(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, author=by, body=body.strip())


def ticket_wait_for_user(*, ticket: Ticket, by, message: str, notify: bool = True) -> Ticket:
    """Ask the requester something: the question is emailed; their answer, by email or
    on their page, puts the ticket back to work (ticket_add_message)."""
    with transaction.atomic():
        locked = _run_transition(ticket, "wait_for_user", by, sla=sla_pause, message=message)
        reply = _public_reply(locked, by, message)
        if notify:
            _email_requester(locked, "ticket_waiting_for_user", message=reply)
        return locked


def ticket_wait_for_vendor(
    *, ticket: Ticket, by, message: str, vendor_name: str, vendor_reference: str = "", notify: bool = True
) -> Ticket:
    """Wait for a third party: the requester gets the agent's message (the vendor's name
    and reference stay on the ticket, for the desk)."""
    with transaction.atomic():
        locked = _run_transition(
            ticket,
            "wait_for_vendor",
            by,
            history_note=(
                _("Proveedor: %(vendor)s, referencia %(reference)s")
                % {"vendor": vendor_name.strip(), "reference": vendor_reference.strip()}
                if vendor_reference.strip()
                else _("Proveedor: %(vendor)s") % {"vendor": vendor_name.strip()}
            ),
            sla=sla_pause,
            message=message,
            vendor_name=vendor_name,
            vendor_reference=vendor_reference,
        )
        reply = _public_reply(locked, by, message)
        if notify:
            _email_requester(locked, "ticket_waiting_for_vendor", message=reply)
        return locked


def ticket_resume(*, ticket: Ticket, by) -> Ticket:
    with transaction.atomic():
        return _run_transition(ticket, "resume", by, sla=sla_resume)


# The columns a classification writes.
CLASSIFY_FIELDS = ["urgency", "impact", "kind", "module", "priority", "updated_at"]


def ticket_classify(
    *,
    ticket: Ticket,
    by,
    urgency: int | None = None,
    impact: int | None = None,
    module=None,
    kind: str | None = None,
    note: str = "",
) -> Ticket:
    """Change urgency, impact, module or type; the priority follows the matrix when
    urgency or impact change. Every change, the priority's included, gets its history row."""
    _require_classify_perm(by)
    with transaction.atomic():
        locked = _lock(ticket)
        old_priority = locked.priority
        changes = _classify_in_memory(locked, by, urgency=urgency, impact=impact, module=module, kind=kind, note=note)
        if not changes:
            return locked
        return _save_step(
            locked, CLASSIFY_FIELDS, changes, sla=sla_retarget if locked.priority != old_priority else None
        )


def _require_classify_perm(by) -> None:
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede clasificar tickets."))


def _classify_in_memory(
    locked: Ticket, by, *, urgency=None, impact=None, module=None, kind=None, note: str = ""
) -> list[TicketChange]:
    """Apply a classification to the locked row (ticket_classify's rule, also the solve
    form's module and impact) and return its history rows, not saved; none if nothing
    changes. The caller saves CLASSIFY_FIELDS and, when the priority changed, retargets
    the SLA (sla_retarget)."""
    if locked.is_final:
        raise ValidationError(
            _("Un ticket %(state)s ya no se reclasifica.") % {"state": locked.get_state_display().lower()},
            code="not_allowed",
        )
    changes = []
    for field, value in (
        (TicketChange.Field.URGENCY, urgency),
        (TicketChange.Field.IMPACT, impact),
        (TicketChange.Field.KIND, kind),
    ):
        if value is not None and getattr(locked, field) != value:
            changes.append((field, getattr(locked, field), value))
            setattr(locked, field, value)
    if module is not None and locked.module_id != module.pk:
        changes.append((TicketChange.Field.MODULE, locked.module, module))
        locked.module = module
    if not changes:
        return []
    old_priority = locked.priority
    # The priority weighs urgency and impact alone (docs/process.md, «Priority»): a new
    # module or type keeps the one the ticket has, even if the matrix changed since.
    if any(field in (TicketChange.Field.URGENCY, TicketChange.Field.IMPACT) for field, _old, _new in changes):
        locked.recompute_priority()
    if locked.priority != old_priority:
        changes.append((TicketChange.Field.PRIORITY, old_priority, locked.priority))
    return [history_row(ticket=locked, actor=by, field=field, old=old, new=new, note=note) for field, old, new in changes]


def ticket_add_message(*, ticket: Ticket, kind: str, body: str, by=None, notify: bool = True) -> Message:
    """A line in the conversation. An agent's first public reply is the first response;
    the requester's reply to a ticket waiting for them puts it back to work (docs/process.md,
    «States and transitions»).
    A public reply is emailed to the requester; the requester's message, to the assignee;
    an internal note, to nobody."""
    if not (body or "").strip():
        raise ValidationError(_("El mensaje está vacío."), code="required")
    if kind != Message.Kind.FROM_REQUESTER:
        _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede responder."))
    with transaction.atomic():
        locked = _lock_row(ticket)  # a message does not depend on the state the caller saw
        if locked.is_final and kind != Message.Kind.INTERNAL_NOTE:
            raise ValidationError(
                _("El ticket %(reference)s está %(state)s: ya no admite mensajes al solicitante.")
                % {"reference": locked.reference, "state": locked.get_state_display().lower()},
                code="final",
            )
        message = Message.objects.create(
            ticket=locked,
            kind=kind,
            author=by if kind != Message.Kind.FROM_REQUESTER else None,
            body=body.strip(),
        )
        if Ticket.message_gives_first_response(message) and locked.record_first_response(message.created_at):
            _save_step(locked, ["first_response_at", "updated_at"], [], sla=sla_first_response)
        if kind == Message.Kind.FROM_REQUESTER and locked.state == Ticket.State.PENDING_USER:
            locked = _run_transition(locked, "resume", None, history_note=_("El solicitante respondió."), sla=sla_resume)
        if notify and kind == Message.Kind.PUBLIC_REPLY:
            _email_requester(locked, "ticket_reply", message=message)
        elif notify and kind == Message.Kind.FROM_REQUESTER:
            _email_assignee_of_reply(locked, message)
        return message
