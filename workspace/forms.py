"""The forms of the ticket page's actions. Each one checks what a person typed and hands
it to a service in its `cleaned_data`; the services check the ticket's state and the
user's permission again, inside the row lock. The transitions' forms are tickets'
(tickets/transition_forms.py), shared with the admin; the ones here add only the
workspace's presentation (agents with their workload, the duplicates to pick)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Module
from helpdesk.validation import TextField
from tickets import transition_forms
from tickets.attachments import TicketMessageForm, attachment_limits
from tickets.models import Impact, Ticket, Urgency
from tickets.transition_forms import AgentChoiceField

from .assignment import eligible_agents


def _required(message):
    return {"required": message}


class ActionForm(forms.Form):
    """Every action form knows its ticket; an action without fields (take, resume) is
    just this."""

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket


def describe_by_workload(user) -> str:
    """"Eva Redes (N2): 2 tickets en curso": an agent of `eligible_agents`, with their
    level and open load, and why they may not fit."""
    profile = getattr(user, "agent_profile", None)
    level = profile.get_level_display() if profile is not None else "—"
    load = ngettext(
        "%(name)s (%(level)s): %(count)d ticket en curso",
        "%(name)s (%(level)s): %(count)d tickets en curso",
        user.open_load,
    ) % {"name": user, "level": level, "count": user.open_load}
    if profile is not None and not profile.is_available:
        return _("%(agent)s, no disponible") % {"agent": load}
    if not user.fits:
        return _("%(agent)s, sin la especialidad o el nivel") % {"agent": load}
    return load


class MessageForm(TicketMessageForm):
    """A public reply or an internal note, with files checked as the requester's are
    (every file by its content, and the ticket's total)."""

    def __init__(self, *args, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label
        self.fields["files"].help_text = (
            _("Opcional: hasta %(count)d archivos, de %(file)s cada uno como máximo y %(total)s por ticket.")
            % attachment_limits()
        )


class ReplyForm(MessageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label=_("Respuesta al solicitante"), **kwargs)
        self.fields["body"].help_text = _("El solicitante la recibe por correo y la ve en su página del ticket.")


class NoteForm(MessageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label=_("Nota interna"), **kwargs)
        self.fields["body"].help_text = _("Solo la ve el personal de la mesa; nunca llega al solicitante.")
        self.fields["body"].error_messages["required"] = _("Escriba la nota.")

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Escriba la nota."), code="required")
        return body


class AttachForm(TicketMessageForm):
    """Files on their own: internal (only the desk sees them), or for the requester with
    a message that tells them."""

    VISIBILITY = [
        ("internal", _("Internos: solo los ve el personal de la mesa")),
        ("public", _("Para el solicitante: los recibe con su mensaje")),
    ]

    visibility = forms.ChoiceField(
        label=_("¿Quién los ve?"), choices=VISIBILITY, initial="internal", widget=forms.RadioSelect
    )

    field_order = ["files", "visibility", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.label = _("Mensaje o comentario")
        body.required = False
        body.help_text = _("Obligatorio si los archivos son para el solicitante.")
        body.widget.attrs["rows"] = 3
        self.fields["files"].required = True
        self.fields["files"].help_text = (
            _("Hasta %(count)d archivos, de %(file)s cada uno como máximo y %(total)s por ticket.")
            % attachment_limits()
        )
        if self.ticket.is_final:
            # A closed or cancelled ticket no longer writes to the requester.
            self.fields["visibility"].choices = self.VISIBILITY[:1]

    def clean_body(self):
        return self.cleaned_data["body"].strip()

    def clean_files(self):
        if not self.cleaned_data["files"]:
            raise forms.ValidationError(_("Elija al menos un archivo."), code="required")
        return super().clean_files()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("visibility") == "public" and not cleaned.get("body"):
            self.add_error("body", _("Escriba un mensaje para el solicitante que acompañe los archivos."))
        return cleaned


class AssignForm(transition_forms.AssignForm):
    """Those who fit first, then the least loaded; "show all" adds the others."""

    describe_agent = staticmethod(describe_by_workload)

    def __init__(self, *args, show_all: bool = False, **kwargs):
        self.show_all = show_all
        super().__init__(*args, **kwargs)

    def agent_choices(self):
        # A posted choice may come from "show all": accept any agent, the service checks.
        agents = eligible_agents(self.ticket, show_all=self.show_all or self.is_bound)
        self.fits_nobody = not (self.show_all or self.is_bound) and not agents.exists()
        if self.fits_nobody:
            agents = eligible_agents(self.ticket, show_all=True)
        return agents


class ClassifyForm(ActionForm):
    urgency = forms.TypedChoiceField(
        label=_("Urgencia"), choices=Urgency.choices, coerce=int, error_messages=_required(_("Elija la urgencia."))
    )
    impact = forms.TypedChoiceField(
        label=_("Impacto"),
        choices=[("", _("Sin evaluar")), *transition_forms.ASSESSED_IMPACTS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=transition_forms.IMPACT_HELP,
    )
    module = forms.ModelChoiceField(label=_("Módulo"), queryset=None, required=False, empty_label=_("Sin módulo"))
    kind = forms.ChoiceField(label=_("Tipo"), choices=Ticket.Kind.choices)
    note = TextField(label=_("Motivo del cambio (opcional)"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ticket = self.ticket
        self.fields["module"].queryset = Module.objects.filter(Q(is_active=True) | Q(pk=ticket.module_id))
        # Once a ticket has a module it keeps one: "none" would be no change, not a removal.
        if ticket.module_id is not None:
            self.fields["module"].required = True
            self.fields["module"].empty_label = None
        self.fields["module"].error_messages["required"] = _("Elija el módulo.")
        if ticket.impact != Impact.UNASSESSED:
            # Once assessed, the impact is changed, not forgotten.
            self.fields["impact"].choices = self.fields["impact"].choices[1:]
            self.fields["impact"].required = True
            self.fields["impact"].error_messages["required"] = _("Elija el impacto.")
        self.initial.update(
            urgency=ticket.urgency,
            impact=ticket.impact or None,
            module=ticket.module_id,
            kind=ticket.kind,
        )


class EscalateForm(ActionForm):
    reason = TextField(
        label=_("Motivo del escalamiento"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("Explique por qué se escala el ticket.")),
    )
    assignee = AgentChoiceField(
        label=_("Pasar a"),
        queryset=None,
        required=False,
        empty_label=_("Mantener al responsable actual"),
        error_messages={"invalid_choice": _("Ese agente ya no está en la lista; elija otro.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ticket = self.ticket
        if ticket.state == Ticket.State.OPEN:
            # An open ticket has nobody in charge yet: it is escalated, then taken.
            del self.fields["assignee"]
        else:
            self.fields["assignee"].describe = describe_by_workload
            self.fields["assignee"].queryset = eligible_agents(ticket, level=ticket.level + 1, show_all=self.is_bound)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Explique por qué se escala el ticket."), code="required")
        return reason


class CancelForm(transition_forms.CancelForm):
    """The original's reference is typed in "original", offered from the possible
    duplicates (a datalist the page fills). Cancelling cannot be undone: the agent
    confirms it with a checkbox, checked here, so that it holds without JavaScript."""

    reference_field = "original"
    duplicate_of = None
    original = TextField(
        label=_("Referencia del ticket original"),
        max_length=20,
        required=False,
        help_text=_("Solo si es un duplicado, por ejemplo INC-000123."),
        widget=forms.TextInput(attrs={"list": "possible-duplicate-references", "autocomplete": "off"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "Confirmo que quiero cancelar este ticket: el solicitante recibe un aviso y el ticket deja de atenderse."
        ),
        error_messages=_required(_("Marque la casilla para confirmar que quiere cancelar el ticket.")),
    )
    field_order = ["reason", "original", "note", "confirm"]
