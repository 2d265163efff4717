"""The agent's ticket page and its actions.

The page shows all of the ticket, one timeline of its messages and history (the guidance
panel and the possible duplicates load after it), and a form for each action the
ticket's state allows and the user may do (loaded when opened). Every action is a POST: scoped getter → form → service → redirect back with a message; when
the service refuses, the page comes back with the reason and what the user typed
(409 someone or something changed the ticket, 403 not allowed, 400 bad input)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe
from django_fsm import can_proceed

from accounts.models import SupportLevel
from tickets.attachments import attachment_limits, limit_uploads
from sla.display import business_duration_text, sla_light
from surveys.timeline import confirmation_and_survey_events
from tickets.models import Message, Priority, Ticket, TicketChange
from tickets.services import (
    TicketConflict,
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
from .access import ASSIGN_PERMISSION, CANCEL_PERMISSION, WORK_PERMISSION, agent_required, ticket_for_agent
from .guidance import similar_solved_tickets, ticket_guidance
from .services import ticket_attach_files, ticket_message_with_files

# Refusals that mean "the ticket is not (or no longer) in a state for this": a conflict.
STATE_REFUSALS = {"conflict", "not_allowed", "max_level", "final"}


def _page_tickets():
    # Joined: what every ticket shows. The original of a duplicate and the SLA plan are
    # read by primary key when shown: two more joins cost PostgreSQL more time choosing
    # the join order than the two small queries they would save.
    # The search vector is for rankings, not for showing.
    return Ticket.objects.select_related("requester", "organization", "module__specialty", "assignee").defer(
        "search_vector"
    )


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
        return _("Clasificación guardada. Prioridad: %(new)s (antes: %(old)s).") % {
            "new": Priority(ticket.priority).label,
            "old": Priority(before[-1]).label,
        }
    return _("Clasificación guardada. La prioridad sigue en %(priority)s.") % {
        "priority": Priority(ticket.priority).label
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
    ticket_solve(ticket=ticket, by=request.user, solution=data["solution"], resolution_code=data["resolution_code"])
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


@dataclass(frozen=True)
class Action:
    """One action of the ticket page: its URL, who may do it and in which states."""

    name: str  # the URL name is "ticket-<name>"
    segment: str  # the URL's last part, in Spanish
    label: str
    form_class: type
    perform: Callable
    allowed_in: Callable[[Ticket], bool]
    permission: str = WORK_PERMISSION
    receives_files: bool = False
    submit: str = ""  # the form's button, when it says more than the label

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
# transition's sources (django-fsm's can_proceed) or the states the service accepts.
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
            allowed_in=lambda t: t.state in Ticket.IN_COURSE_STATES,
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
            form_class=forms.WaitUserForm,
            perform=_wait_user,
            allowed_in=lambda t: can_proceed(t.wait_for_user),
        ),
        Action(
            name="wait-vendor",
            segment="pendiente-proveedor",
            label=gettext_lazy("Pendiente proveedor"),
            submit=gettext_lazy("Esperar al proveedor"),
            form_class=forms.WaitVendorForm,
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
            allowed_in=lambda t: t.state in Ticket.IN_COURSE_STATES and t.level < SupportLevel.N3,
        ),
        Action(
            name="solve",
            segment="solucionar",
            label=gettext_lazy("Solucionar"),
            submit=gettext_lazy("Enviar la solución"),
            form_class=forms.SolveForm,
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
            permission=CANCEL_PERMISSION,
        ),
    )
}


def available_actions(ticket: Ticket, user) -> list[Action]:
    """The actions the ticket's state allows and the user may do: the page's buttons."""
    return [action for action in ACTIONS.values() if user.has_perm(action.permission) and action.allowed_in(ticket)]


# The page ------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: object
    message: Message | None = None
    change: TicketChange | None = None
    sla_event: object = None  # sla.models.SLAEvent
    loop: object = None  # surveys.timeline.LoopEvent: confirmation answers and the survey


def _timeline(ticket: Ticket):
    """Messages, history rows, SLA warnings and breaches, and the requester's confirmation
    and survey answers in time order, with each
    message's attachments, and the report's own attachments: four queries whatever their
    number."""
    conversation = list(ticket.messages.select_related("author"))
    history = list(ticket.changes.select_related("actor"))
    sla_events = list(ticket.sla_events.all())
    internal_messages = {m.pk for m in conversation if m.kind == Message.Kind.INTERNAL_NOTE}
    by_message = defaultdict(list)
    attachments = list(ticket.attachments.all())
    for attachment in attachments:
        attachment.internal = attachment.is_internal or attachment.message_id in internal_messages
        by_message[attachment.message_id].append(attachment)
    for message in conversation:
        message.files = by_message.get(message.pk, [])
    entries = [TimelineEntry(at=c.at, change=c) for c in history]
    entries += [TimelineEntry(at=m.created_at, message=m) for m in conversation]
    entries += [TimelineEntry(at=e.at, sla_event=e) for e in sla_events]
    entries += [TimelineEntry(at=e.at, loop=e) for e in confirmation_and_survey_events(ticket)]
    # A change and the message written with it share their moment: the change first.
    entries.sort(key=lambda entry: (entry.at, entry.message is not None))
    return entries, attachments, by_message.get(None, [])


def _action_form(action: Action, ticket: Ticket, request, data=None, files=None, **kwargs):
    extra = {"show_all": request.GET.get("agentes") == "todos"} if action.name == "assign" else {}
    return action.form_class(data, files, ticket=ticket, auto_id=f"{action.name}-%s", **extra, **kwargs)


def _page(request, ticket: Ticket, *, action=None, form=None, error="", status=200, upload_too_large=False):
    """The ticket page. After a refused `action`, its `form` comes back with what was
    typed, even if the ticket no longer allows the action, so that nothing is lost.

    Forms with fields are not rendered here but when the agent opens them (loaded by htmx
    from the action's address, or a page of its own without JavaScript), and the aids
    derived from the rest of the desk (the guidance panel with its similar solved
    tickets, the possible duplicates) come right after the page: the page shows the
    ticket at once, whatever the desk's size. A refused form, and the assignment form when
    all agents were asked for, come inline and open."""
    show_all_agents = request.GET.get("agentes") == "todos"
    actions = available_actions(ticket, request.user)
    if form is not None and action not in actions:
        actions.append(action)
    action_forms = []
    for shown in actions:
        refused = form is not None and shown == action
        inline = refused or not shown.has_fields or (shown.name == "assign" and show_all_agents)
        shown_form = (form if refused else _action_form(shown, ticket, request)) if inline else None
        action_forms.append(_action_item(shown, ticket, shown_form, refused=refused))
    timeline, attachments, report_attachments = _timeline(ticket)
    policy = ticket.organization.policy_in_force() if ticket.organization_id else None
    inline_cancel = any(item["form"] is not None and item["action"].name == "cancel" for item in action_forms)
    context = {
        "sla": sla_light(ticket, timezone.now()),
        "sla_figures": {
            name: business_duration_text(value)
            for name in ("first_response_target", "resolution_target", "first_response_time", "resolution_time")
            if (value := getattr(ticket, name)) is not None
        },
        "ticket": ticket,
        "action_forms": action_forms,
        "failed_action": action,
        "input_kept": form is not None,
        "error": error,
        "upload_too_large": upload_too_large,
        "files_chosen": request.method == "POST" and bool(request.FILES),
        "timeline": timeline,
        "attachments": attachments,
        "report_attachments": report_attachments,
        "policy": policy,
        # The cancel form offers them as references to pick.
        "possible_duplicates": list(Ticket.objects.possible_duplicates_of(ticket)) if inline_cancel else [],
        "duplicates": list(ticket.duplicates.only("pk", "reference", "subject")),
        "show_all_agents": show_all_agents,
        "limits": attachment_limits(),
        "nav": "queue",
    }
    with timezone.override(settings.TIME_ZONE):
        return render(request, "workspace/ticket_detail.html", context, status=status)


def _action_item(action: Action, ticket: Ticket, form, *, refused: bool = False) -> dict:
    """What the templates draw of one action: its form (None: folded, loaded on opening),
    the address it posts to, and whether it comes back refused."""
    return {
        "action": action,
        "form": form,
        "url": reverse(f"workspace:{action.url_name}", args=[ticket.pk]),
        "refused": refused,
    }


def _no_permission(action: Action) -> str:
    return _("Usted no tiene permiso para «%(action)s» este ticket.") % {"action": str(action.label).lower()}


def _action_form_page(request, ticket: Ticket, action: Action):
    """One action's form, empty: the fragment htmx puts in the ticket page when the agent
    opens the action, or without JavaScript a page of its own. It posts to the same
    address. An action the ticket no longer allows says so (409) instead of a form."""
    if not request.user.has_perm(action.permission):
        raise PermissionDenied(_no_permission(action))
    allowed = action in available_actions(ticket, request.user)
    context = {
        "ticket": ticket,
        "item": _action_item(action, ticket, _action_form(action, ticket, request) if allowed else None),
        "possible_duplicates": list(Ticket.objects.possible_duplicates_of(ticket)) if action.name == "cancel" else [],
        "show_all_agents": request.GET.get("agentes") == "todos",
        "nav": "queue",
    }
    template = "workspace/_ticket_action_form.html" if request.htmx else "workspace/ticket_action.html"
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=200 if allowed or request.htmx else 409)


@require_safe
@agent_required
def ticket_guidance_part(request, pk: int):
    """The guidance panel (seed 001's questions with the module's protocol, similar solved
    tickets ranked by text, the specialists): loaded after the page."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.select_related("module__specialty").defer("search_vector"))
    return _ticket_part(
        request,
        ticket,
        "guidance",
        guidance=ticket_guidance(ticket),
        similar=list(similar_solved_tickets(ticket)),
    )


@require_safe
@agent_required
def ticket_possible_duplicates(request, pk: int):
    """Open tickets of the organization whose text resembles this one: loaded after the page."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.all())
    return _ticket_part(
        request, ticket, "duplicates", possible_duplicates=list(Ticket.objects.possible_duplicates_of(ticket))
    )


PART_FRAGMENTS = {
    "guidance": "workspace/_ticket_guidance.html",
    "duplicates": "workspace/_ticket_possible_duplicates.html",
}


def _ticket_part(request, ticket: Ticket, part: str, **context):
    """A part the ticket page loads after itself: the fragment for htmx, or without
    JavaScript a page of its own."""
    template = PART_FRAGMENTS[part] if request.htmx else "workspace/ticket_part.html"
    return render(request, template, {"ticket": ticket, "part": part, "nav": "queue", **context})


@require_safe
@agent_required
def ticket(request, pk: int):
    return _page(request, ticket_for_agent(request, pk, _page_tickets()))


def _refusal_status(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, TicketConflict) or getattr(error, "code", None) in STATE_REFUSALS:
        return 409
    return 400


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Usted no tiene permiso para hacer esto.")


@limit_uploads
@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def ticket_action(request, pk: int, action: str):
    """GET: the action's empty form (nothing changes). POST: the action itself."""
    action = ACTIONS[action]
    ticket = ticket_for_agent(request, pk, _page_tickets())
    if request.method != "POST":
        return _action_form_page(request, ticket, action)
    # Parsed before anything else: the upload limit marks the request while parsing.
    data, files = request.POST, request.FILES
    if not request.user.has_perm(action.permission):
        return _page(request, ticket, action=action, error=_no_permission(action), status=403)
    if request.upload_too_large:
        # The files were not read; the text fields before them were: keep them.
        form = _action_form(action, ticket, request, initial=data.dict())
        return _page(request, ticket, action=action, form=form, status=413, upload_too_large=True)
    form = _action_form(action, ticket, request, data, files)
    if not form.is_valid():
        return _page(request, ticket, action=action, form=form, status=400)
    try:
        success = action.perform(request, ticket, form.cleaned_data)
    except (ValidationError, PermissionDenied) as refusal:
        # Show the ticket as it is now: a refusal often means someone changed it.
        ticket = ticket_for_agent(request, pk, _page_tickets())
        return _page(
            request, ticket, action=action, form=form, error=_error_text(refusal), status=_refusal_status(refusal)
        )
    messages.success(request, success)
    return redirect("workspace:ticket", pk=ticket.pk)


@require_safe
@agent_required
def ticket_attachment(request, pk: int, attachment_id: int):
    """A file of the ticket, internal ones included, for agents only; streamed as a
    download that the browser neither sniffs nor runs."""
    ticket = ticket_for_agent(request, pk, Ticket.objects.only("pk"))
    found = get_object_or_404(ticket.attachments, pk=attachment_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("El archivo ya no está disponible.")) from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
