"""Use cases that change tickets. Each one has the same shape:

transaction.atomic() → lock the row → check the state the caller saw and the
transition's permission → run the transition → save(update_fields=…) → write the
history rows → register side effects with transaction.on_commit.

`by` is the staff user acting; None means the requester (through a signed link
or email) or the system (a beat job), whose callers have checked who they are.

Each lifecycle point also makes one explicit call to sla.services, inside the same
transaction and after the transition is saved, so that the ticket's deadlines follow it:
sla_start (ticket_open), sla_first_response (take, assign, the first public reply),
sla_pause (a pending state), sla_resume (back to work), sla_solve, sla_reopen, sla_stop
(cancel, close) and sla_retarget (a new priority). The rules are there.

The emails a lifecycle point owes (domain.md) are queued here, inside the service's
transaction, through the outbox (sent on commit): the acknowledgement (ticket_open), an
agent's public reply, the question of Pendiente usuario, the notice of Pendiente
proveedor, the solution, the cancellation to the requester; the requester's reply to the
assignee. Internal notes are never emailed. `notify=False` suppresses them for callers
that replay history (the demo loader).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from accounts.models import SupportLevel
from customers.models import Contact, Organization
from helpdesk.validation import require_datetime_in_range
from notifications.services import email_queue
from sla.services import (
    sla_first_response,
    sla_pause,
    sla_reopen,
    sla_resume,
    sla_retarget,
    sla_solve,
    sla_start,
    sla_stop,
)

from .links import requester_url
from .models import Impact, Message, Priority, Ticket, TicketChange, Urgency


class TicketConflict(ValidationError):
    """Someone else changed the ticket first: the loser of a race gets this, in Spanish."""

    def __init__(self, message):
        super().__init__(message, code="conflict")


# History ------------------------------------------------------------------


def _display(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    labels = {
        TicketChange.Field.CREATED: Ticket.State,
        TicketChange.Field.STATE: Ticket.State,
        TicketChange.Field.URGENCY: Urgency,
        TicketChange.Field.IMPACT: Impact,
        TicketChange.Field.LEVEL: SupportLevel,
        TicketChange.Field.KIND: Ticket.Kind,
    }
    if field == TicketChange.Field.PRIORITY:
        return f"{value} · {Priority(value).label}"
    choices = labels.get(field)
    if choices is not None:
        return str(choices(value).label)
    return str(value)


def _raw(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def record_change(*, ticket: Ticket, actor, field: str, old, new, note: str = "") -> TicketChange:
    """One history row. `old`/`new` are codes, numbers or model instances."""
    change = history_row(ticket=ticket, actor=actor, field=field, old=old, new=new, note=note)
    change.save(force_insert=True)
    return change


def history_row(*, ticket: Ticket, actor, field: str, old, new, note: str = "") -> TicketChange:
    """The history row `record_change` writes, not saved yet (for a bulk_create of several)."""
    return TicketChange(
        ticket=ticket,
        actor=actor,
        field=field,
        old_value=_raw(old),
        new_value=_raw(new),
        old_display=_display(field, old) if not hasattr(old, "pk") else str(old),
        new_display=_display(field, new) if not hasattr(new, "pk") else str(new),
        note=note,
    )


# Locking and checks -------------------------------------------------------


def _lock(ticket: Ticket) -> Ticket:
    """The ticket's row, locked until the transaction ends, checked against what the
    caller saw: if its state changed meanwhile, the caller lost the race."""
    locked = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
    if locked.state != ticket.state:
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


def _run_transition(ticket: Ticket, name: str, by, *, history_note: str = "", **kwargs) -> Ticket:
    """Lock, check, transition, save and record the state change. Call inside atomic()."""
    locked = _lock(ticket)
    _check_transition(locked, name, by)
    old_state, old_assignee = locked.state, locked.assignee
    getattr(locked, name)(**kwargs)
    locked.save(update_fields=TRANSITION_FIELDS)
    record_change(ticket=locked, actor=by, field=TicketChange.Field.STATE, old=old_state, new=locked.state, note=history_note)
    if locked.assignee_id != getattr(old_assignee, "pk", None):
        record_change(ticket=locked, actor=by, field=TicketChange.Field.ASSIGNEE, old=old_assignee, new=locked.assignee)
    return locked


# Emails -------------------------------------------------------------------


def _email_requester(ticket: Ticket, template: str, **context) -> None:
    """Queue an email to the requester: every one carries their signed link, and (given
    the ticket) its reply address and a Message-ID of ours, by which a reply threads
    into the ticket (intake/email.py)."""
    email_queue(
        to=ticket.requester.email,
        template=template,
        context={"ticket": ticket, "ticket_url": requester_url(ticket), **context},
        ticket=ticket,
    )


def agent_ticket_url(ticket: Ticket) -> str:
    """The absolute link to the ticket's page in the agents' workspace, for emails."""
    return settings.HELPDESK_BASE_URL.rstrip("/") + reverse("workspace:ticket", args=[ticket.pk])


def _email_assignee_of_reply(ticket: Ticket, message: Message) -> None:
    """Tell the agent in charge that the requester wrote, if there is one to tell."""
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active or not assignee.email:
        return
    email_queue(
        to=assignee.email,
        template="requester_replied",
        context={"ticket": ticket, "message": message, "agent": assignee, "agent_url": agent_ticket_url(ticket)},
        ticket=ticket,
    )


def cancel_explanation(ticket: Ticket) -> str:
    """Why a cancelled ticket will not be worked, in plain Spanish for its requester."""
    reason = ticket.cancel_reason
    if reason == Ticket.CancelReason.DUPLICATE and ticket.duplicate_of_id:
        return _(
            "Su reporte trata el mismo caso que el ticket %(original)s, que ya está registrado. "
            "Para no atenderlo dos veces, cancelamos este reporte y el caso sigue en el ticket %(original)s."
        ) % {"original": ticket.duplicate_of.reference}
    if reason == Ticket.CancelReason.UNAUTHORIZED_CONTACT:
        return _(
            "Usted no está registrado como contacto autorizado de una organización con servicio de soporte. "
            "Pida al responsable de su organización que lo dé de alta con la mesa de ayuda."
        )
    if reason == Ticket.CancelReason.NO_POLICY:
        if ticket.organization_id:
            return _(
                "La organización %(organization)s no tiene una póliza de soporte vigente. "
                "Comuníquese con su ejecutivo de cuenta para renovarla."
            ) % {"organization": ticket.organization}
        return _(
            "Su organización no tiene una póliza de soporte vigente. "
            "Comuníquese con su ejecutivo de cuenta para renovarla."
        )
    if reason == Ticket.CancelReason.WITHDRAWN:
        return _("Cancelamos el reporte porque usted nos indicó que ya no necesita la atención.")
    return _("Cancelamos el reporte por el motivo que le explica el técnico a continuación.")


# Intake -------------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """Whether a requester gets service, and if not, why (seed 000, seed 002)."""

    admitted: bool
    reason: str = ""
    explanation: str = ""


def ticket_admission(
    *, requester: Contact, on: datetime.date | None = None, policy_in_force: bool | None = None
) -> Admission:
    """`policy_in_force` may be given when already known (a list of contacts annotated in
    one query, for a page that previews the outcome); by default it is looked up."""
    organization = requester.organization
    if organization is None or (settings.HELPDESK_REQUIRE_AUTHORIZED_CONTACT and not requester.is_authorized):
        return Admission(
            False,
            Ticket.CancelReason.UNAUTHORIZED_CONTACT,
            _(
                "Su correo no está registrado como contacto autorizado de una organización con servicio. "
                "Pida al responsable de su organización que lo dé de alta con la mesa de ayuda."
            ),
        )
    if policy_in_force is None:
        policy_in_force = organization.has_policy_in_force(on)
    if not policy_in_force:
        return Admission(
            False,
            Ticket.CancelReason.NO_POLICY,
            _(
                "La organización %(organization)s no tiene una póliza de soporte vigente. "
                "Comuníquese con su ejecutivo de cuenta para renovarla."
            )
            % {"organization": organization},
        )
    return Admission(True)


def ticket_open(
    *,
    requester: Contact,
    subject: str,
    description: str,
    channel: str,
    kind: str = Ticket.Kind.INCIDENT,
    module=None,
    urgency: int = Urgency.LOW,
    occurred_at: datetime.datetime | None = None,
    by=None,
    notify: bool = True,
) -> Ticket:
    """Turn a report into a ticket, whatever the channel. A requester without service
    still gets a ticket, cancelled at once with the reason (seed 000). The requester is
    acknowledged by email through the outbox (sent after commit) unless notify=False.

    Every intake channel comes through here, so it reads little: the organization's
    policy in force once (with its SLA plan and calendar) for both gatekeeping and the
    deadlines, the priority matrix and plans from the process cache, and the ticket is
    complete (state, deadlines) when it is inserted; then its reference, its history
    rows in one insert and the acknowledgement. Inside a caller's transaction it takes
    no savepoint of its own: whatever fails here fails the caller's whole unit of work."""
    # Whatever the channel checked: a stored date out of range would break the ticket's pages.
    require_datetime_in_range(occurred_at, field="occurred_at")
    ticket = Ticket(
        requester=requester,
        organization=requester.organization,
        subject=subject.strip(),
        description=description.strip(),
        channel=channel,
        kind=kind,
        module=module,
        urgency=urgency,
        occurred_at=occurred_at,
    )
    organization, day = requester.organization, timezone.localdate(ticket.created_at)
    policy = organization.policy_in_force(day) if organization is not None else None
    admission = ticket_admission(
        requester=requester,
        on=day,
        policy_in_force=organization is not None and organization.has_policy_in_force(day, policy=policy),
    )
    with transaction.atomic(savepoint=False):
        ticket.recompute_priority()
        history = [
            history_row(
                ticket=ticket,
                actor=by,
                field=TicketChange.Field.CREATED,
                old=None,
                new=ticket.state,
                note=str(ticket.get_channel_display()),
            )
        ]
        if not admission.admitted:
            ticket.cancel(reason=admission.reason, note=admission.explanation)
            history.append(
                history_row(
                    ticket=ticket,
                    actor=None,
                    field=TicketChange.Field.STATE,
                    old=Ticket.State.OPEN,
                    new=ticket.state,
                    note=admission.explanation,
                )
            )
        sla_start(ticket=ticket, policy=policy)  # sets the deadlines; the insert writes them
        ticket.save()
        ticket.reference = ticket.build_reference()
        ticket.save(update_fields=["reference"])
        TicketChange.objects.bulk_create(history)  # each row takes the ticket's new primary key
        if notify:
            email_queue(
                to=requester.email,
                template="ticket_received",
                context={"ticket": ticket, "ticket_url": requester_url(ticket)},
                ticket=ticket,
            )
    return ticket


# The phone channel ----------------------------------------------------------


@dataclass(frozen=True)
class NewContact:
    """A caller who is not in the directory, as the agent took their details."""

    name: str
    email: str
    phone: str = ""
    organization: Organization | None = None
    is_authorized: bool = False


def contact_register(*, by, contact: NewContact) -> Contact:
    """Add a caller to the directory. Agents may add contacts; only a coordinator (who
    may change contacts) authorizes one, so an agent's new contact gets no service yet."""
    _require_staff_perm(by, "customers.add_contact", _("Usted no tiene permiso para registrar contactos."))
    if contact.is_authorized:
        _require_staff_perm(by, "customers.change_contact", _("Solo un coordinador puede autorizar contactos."))
    email = contact.email.strip()
    if Contact.objects.by_email(email).exists():
        raise ValidationError(
            _("Ya existe un contacto con el correo %(email)s: búsquelo y elíjalo de la lista.") % {"email": email},
            code="duplicate_email",
        )
    try:
        with transaction.atomic():
            return Contact.objects.create(
                name=contact.name.strip(),
                email=email,
                phone=contact.phone.strip(),
                organization=contact.organization,
                is_authorized=contact.is_authorized,
            )
    except IntegrityError:  # registered meanwhile by someone else
        raise ValidationError(
            _("Ya existe un contacto con el correo %(email)s: búsquelo y elíjalo de la lista.") % {"email": email},
            code="duplicate_email",
        ) from None


def ticket_register_call(
    *,
    by,
    subject: str,
    description: str,
    requester: Contact | None = None,
    new_contact: NewContact | None = None,
    kind: str = Ticket.Kind.INCIDENT,
    module=None,
    urgency: int = Urgency.LOW,
    occurred_at: datetime.datetime | None = None,
    files=(),
) -> Ticket:
    """A call an agent takes, on behalf of a contact of the directory or of a caller
    registered on the spot: the ticket (channel teléfono, the same gatekeeping as every
    channel) and its checked files, all or nothing."""
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa registra llamadas."))
    if (requester is None) == (new_contact is None):
        raise ValueError("ticket_register_call needs either requester or new_contact")
    # Imported here: intake.services imports this module.
    from intake.services import attachments_store

    with transaction.atomic():
        if new_contact is not None:
            requester = contact_register(by=by, contact=new_contact)
        ticket = ticket_open(
            requester=requester,
            subject=subject,
            description=description,
            channel=Ticket.Channel.PHONE,
            kind=kind,
            module=module,
            urgency=urgency,
            occurred_at=occurred_at,
            by=by,
        )
        attachments_store(ticket=ticket, files=list(files))
    return ticket


# Working a ticket ---------------------------------------------------------


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


def _public_reply(ticket: Ticket, by, body: str) -> Message:
    return Message.objects.create(ticket=ticket, kind=Message.Kind.PUBLIC_REPLY, author=by, body=body.strip())


def ticket_wait_for_user(*, ticket: Ticket, by, message: str, notify: bool = True) -> Ticket:
    """Ask the requester something: the question is emailed; their answer, by email or
    on their page, puts the ticket back to work (ticket_add_message)."""
    with transaction.atomic():
        locked = sla_pause(ticket=_run_transition(ticket, "wait_for_user", by, message=message))
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
            message=message,
            vendor_name=vendor_name,
            vendor_reference=vendor_reference,
        )
        sla_pause(ticket=locked)
        reply = _public_reply(locked, by, message)
        if notify:
            _email_requester(locked, "ticket_waiting_for_vendor", message=reply)
        return locked


def ticket_resume(*, ticket: Ticket, by) -> Ticket:
    with transaction.atomic():
        return sla_resume(ticket=_run_transition(ticket, "resume", by))


def ticket_solve(*, ticket: Ticket, by, solution: str, resolution_code: str, notify: bool = True) -> Ticket:
    """Deliver the solution: the requester gets it by email with how to answer."""
    with transaction.atomic():
        locked = _run_transition(
            ticket,
            "solve",
            by,
            history_note=str(Ticket.ResolutionCode(resolution_code).label) if resolution_code in Ticket.ResolutionCode.values else "",
            solution=solution,
            resolution_code=resolution_code,
        )
        sla_solve(ticket=locked)
        # Imported here: surveys.services imports this module. Before the email, which
        # carries the confirmation's signed links.
        from surveys.services import confirmation_open

        confirmation_open(ticket=locked)
        _public_reply(locked, by, solution)
        if notify:
            _email_requester(locked, "ticket_solved")
        return locked


def ticket_close(*, ticket: Ticket, by=None, automatic: bool = False, notify: bool = True) -> Ticket:
    """Close a solved ticket: the requester accepted (by=None), an agent records the
    acceptance, or the confirmation window passed (automatic=True)."""
    note = _("Cerrado automáticamente: el solicitante no respondió a tiempo.") if automatic else ""
    with transaction.atomic():
        locked = sla_stop(ticket=_run_transition(ticket, "close", by, history_note=note))
        # Imported here: surveys.services imports this module.
        from surveys.services import survey_send

        survey_send(ticket=locked, automatic=automatic, notify=notify)
        return locked


def ticket_reopen(*, ticket: Ticket, by=None, message: str) -> Ticket:
    """The solution did not work: back to En proceso, the reopening counted."""
    with transaction.atomic():
        locked = sla_reopen(ticket=_run_transition(ticket, "reopen", by, history_note=message, message=message))
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
    original's reference). ticket_open's own gatekeeping cancellation does not come
    here: its acknowledgement already explains it."""
    with transaction.atomic():
        locked = _run_transition(
            ticket,
            "cancel",
            by,
            history_note=(note or "").strip()
            or (str(Ticket.CancelReason(reason).label) if reason in Ticket.CancelReason.values else ""),
            reason=reason,
            note=note,
            duplicate_of=duplicate_of,
        )
        sla_stop(ticket=locked)
        if notify:
            _email_requester(locked, "ticket_cancelled", explanation=cancel_explanation(locked))
        return locked


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
    """Change urgency, impact, module or type; the priority follows the matrix.
    Every change, the priority's included, gets its history row."""
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede clasificar tickets."))
    with transaction.atomic():
        locked = _lock(ticket)
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
            return locked
        old_priority = locked.priority
        locked.recompute_priority()
        if locked.priority != old_priority:
            changes.append((TicketChange.Field.PRIORITY, old_priority, locked.priority))
        locked.save(update_fields=["urgency", "impact", "kind", "module", "priority", "updated_at"])
        for field, old, new in changes:
            record_change(ticket=locked, actor=by, field=field, old=old, new=new, note=note)
        if locked.priority != old_priority:
            sla_retarget(ticket=locked)
        return locked


def ticket_escalate(*, ticket: Ticket, by, reason: str, assignee=None) -> Ticket:
    """Raise the support level (N1 → N2 → N3): not a state; recorded and counted,
    and the ticket may change hands to an agent of the new level."""
    _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede escalar tickets."))
    if not (reason or "").strip():
        raise ValidationError(_("Explique por qué se escala el ticket."), code="required")
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.state not in (Ticket.State.OPEN, *Ticket.WORKING_STATES):
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


def ticket_add_message(*, ticket: Ticket, kind: str, body: str, by=None, notify: bool = True) -> Message:
    """A line in the conversation. An agent's first public reply is the first response;
    the requester's reply to a ticket waiting for them puts it back to work (domain.md).
    A public reply is emailed to the requester; the requester's message, to the assignee;
    an internal note, to nobody."""
    if not (body or "").strip():
        raise ValidationError(_("El mensaje está vacío."), code="required")
    if kind != Message.Kind.FROM_REQUESTER:
        _require_staff_perm(by, "tickets.work_ticket", _("Solo el personal de la mesa puede responder."))
    with transaction.atomic():
        locked = Ticket.objects.select_for_update(no_key=True).get(pk=ticket.pk)
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
        if kind == Message.Kind.PUBLIC_REPLY and locked.first_response_at is None:
            locked.first_response_at = message.created_at
            locked.save(update_fields=["first_response_at", "updated_at"])
            sla_first_response(ticket=locked)
        if kind == Message.Kind.FROM_REQUESTER and locked.state == Ticket.State.PENDING_USER:
            locked = _run_transition(locked, "resume", None, history_note=_("El solicitante respondió."))
            sla_resume(ticket=locked)
        if notify and kind == Message.Kind.PUBLIC_REPLY:
            _email_requester(locked, "ticket_reply", message=message)
        elif notify and kind == Message.Kind.FROM_REQUESTER:
            _email_assignee_of_reply(locked, message)
        return message


# One entry point for generic callers (the admin's transition buttons).
TRANSITION_SERVICES = {
    "take": lambda ticket, by, **kw: ticket_take(ticket=ticket, agent=by),
    "assign": lambda ticket, by, **kw: ticket_assign(ticket=ticket, by=by, **kw),
    "wait_for_user": lambda ticket, by, **kw: ticket_wait_for_user(ticket=ticket, by=by, **kw),
    "wait_for_vendor": lambda ticket, by, **kw: ticket_wait_for_vendor(ticket=ticket, by=by, **kw),
    "resume": lambda ticket, by, **kw: ticket_resume(ticket=ticket, by=by),
    "solve": lambda ticket, by, **kw: ticket_solve(ticket=ticket, by=by, **kw),
    "close": lambda ticket, by, **kw: ticket_close(ticket=ticket, by=by),
    "reopen": lambda ticket, by, **kw: ticket_reopen(ticket=ticket, by=by, **kw),
    "cancel": lambda ticket, by, **kw: ticket_cancel(ticket=ticket, by=by, **kw),
}


def ticket_transition(*, ticket: Ticket, name: str, by, **kwargs) -> Ticket:
    try:
        service = TRANSITION_SERVICES[name]
    except KeyError:
        raise ValidationError(_("Acción desconocida."), code="unknown") from None
    return service(ticket, by, **kwargs)
