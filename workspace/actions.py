"""The ticket page's actions: what each one is called, who may do it and in which states,
which form collects its arguments, and what it does once that form is valid (call the
service, say what happened). The views (ticket_views.py) draw and run them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_fsm import can_proceed

from accounts.models import SupportLevel
from accounts.roles import ASSIGN_PERMISSION, WORK_PERMISSION
from tickets import transition_forms
from tickets.models import Message, Priority, Ticket
from tickets.services import (
    ticket_assign,
    ticket_cancel,
    ticket_classify,
    ticket_escalate,
    ticket_resume,
    ticket_solve,
    ticket_take,
    ticket_wait_for_user,
    ticket_wait_for_vendor,
)

from . import forms
from .services import ticket_attach_files, ticket_message_with_files

# What each action does once its form is valid: call the service, say what happened. --


def _take(request, ticket, data):
    ticket = ticket_take(ticket=ticket, agent=request.user)
    return _("Usted tomó el ticket %(reference)s: ahora está En proceso.") % {"reference": ticket.reference}


def _assign(request, ticket, data):
    ticket = ticket_assign(ticket=ticket, assignee=data["assignee"], by=request.user)
    return _("El ticket %(reference)s quedó asignado a %(agent)s.") % {
        "reference": ticket.reference,
        "agent": ticket.assignee,
    }


def _classify(request, ticket, data):
    before = (ticket.urgency, ticket.impact, ticket.module_id, ticket.kind, ticket.priority)
    ticket = ticket_classify(
        ticket=ticket,
        by=request.user,
        urgency=data["urgency"],
        impact=data["impact"],
        module=data["module"],
        kind=data["kind"],
        note=data["note"].strip(),
    )
    if (ticket.urgency, ticket.impact, ticket.module_id, ticket.kind, ticket.priority) == before:
        return _("La clasificación no cambió.")
    if ticket.priority != before[-1]:
        # "nivel alto": the priority's levels are masculine, «prioridad» is not (the ticket
        # page's header says it the same way).
        return _("Clasificación guardada. Prioridad: nivel %(new)s (antes: nivel %(old)s).") % {
            "new": str(Priority(ticket.priority).label).lower(),
            "old": str(Priority(before[-1]).label).lower(),
        }
    return _("Clasificación guardada. La prioridad sigue en nivel %(priority)s.") % {
        "priority": str(Priority(ticket.priority).label).lower()
    }


def _reply(request, ticket, data):
    ticket_message_with_files(
        ticket=ticket, by=request.user, kind=Message.Kind.PUBLIC_REPLY, body=data["body"], files=data["files"]
    )
    return _("Su respuesta quedó registrada y se envía al solicitante por correo.")


def _note(request, ticket, data):
    ticket_message_with_files(
        ticket=ticket, by=request.user, kind=Message.Kind.INTERNAL_NOTE, body=data["body"], files=data["files"]
    )
    return _("Se guardó la nota interna; el solicitante no la ve.")


def _attach(request, ticket, data):
    internal = data["visibility"] == "internal"
    ticket_attach_files(ticket=ticket, by=request.user, files=data["files"], internal=internal, comment=data["body"])
    count = len(data["files"])
    if internal:
        return ngettext(
            "Se adjuntó %(count)d archivo interno.", "Se adjuntaron %(count)d archivos internos.", count
        ) % {"count": count}
    return ngettext(
        "Se adjuntó %(count)d archivo y se envía al solicitante con su mensaje.",
        "Se adjuntaron %(count)d archivos y se envían al solicitante con su mensaje.",
        count,
    ) % {"count": count}


def _wait_user(request, ticket, data):
    ticket_wait_for_user(ticket=ticket, by=request.user, message=data["message"])
    return _("El ticket quedó en Pendiente usuario; su pregunta se envía al solicitante.")


def _wait_vendor(request, ticket, data):
    ticket = ticket_wait_for_vendor(
        ticket=ticket,
        by=request.user,
        message=data["message"],
        vendor_name=data["vendor_name"],
        vendor_reference=data["vendor_reference"],
    )
    return _("El ticket quedó en Pendiente proveedor, en espera de %(vendor)s.") % {"vendor": ticket.vendor_name}


def _resume(request, ticket, data):
    ticket_resume(ticket=ticket, by=request.user)
    return _("El ticket volvió a En proceso.")


def _escalate(request, ticket, data):
    assignee = data.get("assignee")
    ticket = ticket_escalate(ticket=ticket, by=request.user, reason=data["reason"], assignee=assignee)
    level = SupportLevel(ticket.level).label
    if assignee is not None:
        return _("El ticket se escaló a %(level)s y pasó a %(agent)s.") % {"level": level, "agent": ticket.assignee}
    return _("El ticket se escaló a %(level)s.") % {"level": level}


def _solve(request, ticket, data):
    ticket_solve(
        ticket=ticket,
        by=request.user,
        solution=data["solution"],
        resolution_code=data["resolution_code"],
        # Asked by the form only while the ticket has none (transition_forms.SolveForm).
        module=data.get("module"),
        impact=data.get("impact"),
    )
    return _("El ticket quedó Solucionado; el solicitante recibe la solución para confirmarla.")


def _cancel(request, ticket, data):
    ticket = ticket_cancel(
        ticket=ticket,
        by=request.user,
        reason=data["reason"],
        note=data["note"],
        duplicate_of=data["duplicate_of"],
    )
    if ticket.duplicate_of_id:
        return _("El ticket %(reference)s quedó cancelado como duplicado de %(original)s.") % {
            "reference": ticket.reference,
            "original": ticket.duplicate_of.reference,
        }
    return _("El ticket %(reference)s quedó cancelado.") % {"reference": ticket.reference}


def _no_form_arguments(request) -> dict:
    return {}


@dataclass(frozen=True)
class Action:
    """One action of the ticket page: its URL, who may do it and in which states."""

    name: str  # the URL name is "ticket-<name>"
    segment: str  # the URL's last part, in Spanish
    label: str
    form_class: type
    perform: Callable
    allowed_in: Callable[[Ticket], bool]
    permission: str = WORK_PERMISSION  # who may open the action's form and post it at all
    # Whether this user may do it on this ticket, when the ticket's own rule says more
    # than the permission (cancel: Ticket.cancel_reasons_for). None: the permission is all.
    permits: Callable[[Ticket, object], bool] | None = None
    receives_files: bool = False
    submit: str = ""  # the form's button, when it says more than the label
    # What the form needs of the request besides the ticket (the user, a query parameter).
    form_arguments: Callable[[object], dict] = _no_form_arguments
    # An action that cannot be undone (cancel): the page sets its button apart.
    danger: bool = False

    @property
    def url_name(self) -> str:
        return f"ticket-{self.name}"

    @property
    def has_fields(self) -> bool:
        """An action with fields opens a form; one without (take, resume) is a button."""
        return bool(self.form_class.base_fields)

    @property
    def submit_label(self) -> str:
        return self.submit or self.label


# In the order the page shows them. The state checks are the services' own: a
# transition's sources (django-fsm's can_proceed) or the model's predicate the service
# also asks (Ticket.can_be_assigned, Ticket.can_be_escalated).
ACTIONS = {
    action.name: action
    for action in (
        Action(
            name="take",
            segment="tomar",
            label=gettext_lazy("Tomar"),
            form_class=forms.ActionForm,
            perform=_take,
            allowed_in=lambda t: can_proceed(t.take),
        ),
        Action(
            name="assign",
            segment="asignar",
            label=gettext_lazy("Asignar"),
            form_class=forms.AssignForm,
            perform=_assign,
            form_arguments=lambda request: {"show_all": request.GET.get("agentes") == "todos"},
            allowed_in=Ticket.can_be_assigned,
            permission=ASSIGN_PERMISSION,
        ),
        Action(
            name="classify",
            segment="clasificar",
            label=gettext_lazy("Evaluar impacto y clasificar"),
            submit=gettext_lazy("Guardar la clasificación"),
            form_class=forms.ClassifyForm,
            perform=_classify,
            allowed_in=lambda t: not t.is_final,
        ),
        Action(
            name="reply",
            segment="responder",
            label=gettext_lazy("Responder al solicitante"),
            submit=gettext_lazy("Enviar la respuesta"),
            form_class=forms.ReplyForm,
            perform=_reply,
            allowed_in=lambda t: not t.is_final,
            receives_files=True,
        ),
        Action(
            name="note",
            segment="nota",
            label=gettext_lazy("Nota interna"),
            submit=gettext_lazy("Guardar la nota"),
            form_class=forms.NoteForm,
            perform=_note,
            allowed_in=lambda t: True,
            receives_files=True,
        ),
        Action(
            name="attach",
            segment="adjuntar",
            label=gettext_lazy("Adjuntar archivos"),
            submit=gettext_lazy("Adjuntar"),
            form_class=forms.AttachForm,
            perform=_attach,
            allowed_in=lambda t: True,
            receives_files=True,
        ),
        Action(
            name="wait-user",
            segment="pendiente-usuario",
            label=gettext_lazy("Pendiente usuario"),
            submit=gettext_lazy("Enviar la pregunta y esperar al solicitante"),
            form_class=transition_forms.WaitForUserForm,
            perform=_wait_user,
            allowed_in=lambda t: can_proceed(t.wait_for_user),
        ),
        Action(
            name="wait-vendor",
            segment="pendiente-proveedor",
            label=gettext_lazy("Pendiente proveedor"),
            submit=gettext_lazy("Esperar al proveedor"),
            form_class=transition_forms.WaitForVendorForm,
            perform=_wait_vendor,
            allowed_in=lambda t: can_proceed(t.wait_for_vendor),
        ),
        Action(
            name="resume",
            segment="reanudar",
            label=gettext_lazy("Reanudar"),
            form_class=forms.ActionForm,
            perform=_resume,
            allowed_in=lambda t: can_proceed(t.resume),
        ),
        Action(
            name="escalate",
            segment="escalar",
            label=gettext_lazy("Escalar al siguiente nivel"),
            submit=gettext_lazy("Escalar"),
            form_class=forms.EscalateForm,
            perform=_escalate,
            allowed_in=Ticket.can_be_escalated,
        ),
        Action(
            name="solve",
            segment="solucionar",
            label=gettext_lazy("Solucionar"),
            submit=gettext_lazy("Enviar la solución"),
            form_class=transition_forms.SolveForm,
            perform=_solve,
            allowed_in=lambda t: can_proceed(t.solve),
        ),
        Action(
            name="cancel",
            segment="cancelar",
            label=gettext_lazy("Cancelar el ticket"),
            submit=gettext_lazy("Cancelar el ticket"),
            form_class=forms.CancelForm,
            perform=_cancel,
            allowed_in=lambda t: can_proceed(t.cancel),
            # Every agent may cancel a duplicate; the other reasons are a coordinator's:
            # the form offers each user their reasons, and ticket_cancel checks them.
            permits=lambda t, user: bool(Ticket.cancel_reasons_for(user)),
            form_arguments=lambda request: {"user": request.user},
            danger=True,
        ),
    )
}


def refusal_text(error: Exception) -> str:
    """The Spanish sentence of a service's refusal (ValidationError or PermissionDenied), as
    the ticket page and the bulk actions show it."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Usted no tiene permiso para hacer esto.")


def available_actions(ticket: Ticket, user) -> list[Action]:
    """The actions the ticket's state allows and the user may do: the page's buttons."""
    return [
        action
        for action in ACTIONS.values()
        if user.has_perm(action.permission)
        and (action.permits is None or action.permits(ticket, user))
        and action.allowed_in(ticket)
    ]
