"""The forms of the ticket page's actions. Each one checks what a person typed and hands
it to a service in its `cleaned_data`; the services check the ticket's state and the
user's permission again, inside the row lock."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Module
from helpdesk.validation import TextField
from tickets.attachments import TicketMessageForm, attachment_limits
from tickets.models import Impact, Ticket, Urgency

from .assignment import eligible_agents

# "INC-000123", "inc 123", "INC123": a reference as agents type it.
REFERENCE_PATTERN = re.compile(r"^\s*(INC|REQ)\s*-?\s*(\d{1,12})\s*$", re.IGNORECASE)


def _required(message):
    return {"required": message}


class ActionForm(forms.Form):
    """Every action form knows its ticket; an action without fields (take, resume) is
    just this."""

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket


class AgentChoiceField(forms.ModelChoiceField):
    """Agents from `eligible_agents`, each with their level and open load."""

    def label_from_instance(self, user):
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


class AssignForm(ActionForm):
    assignee = AgentChoiceField(
        label=_("Agente"),
        queryset=None,
        empty_label=_("Elija un agente"),
        error_messages={
            "required": _("Elija el agente al que se asigna el ticket."),
            "invalid_choice": _("Ese agente ya no está en la lista; elija otro."),
        },
    )

    def __init__(self, *args, show_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A posted choice may come from "show all": accept any agent, the service checks.
        agents = eligible_agents(self.ticket, show_all=show_all or self.is_bound)
        self.fits_nobody = not (show_all or self.is_bound) and not agents.exists()
        if self.fits_nobody:
            agents = eligible_agents(self.ticket, show_all=True)
        self.fields["assignee"].queryset = agents


class ClassifyForm(ActionForm):
    urgency = forms.TypedChoiceField(
        label=_("Urgencia"), choices=Urgency.choices, coerce=int, error_messages=_required(_("Elija la urgencia."))
    )
    impact = forms.TypedChoiceField(
        label=_("Impacto"),
        choices=[("", _("Sin evaluar")), *[c for c in Impact.choices if c[0] != Impact.UNASSESSED]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Bajo: asunto operativo. Medio: el servicio está degradado. Alto: el servicio está interrumpido."),
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


class WaitUserForm(ActionForm):
    message = TextField(
        label=_("Pregunta o petición para el solicitante"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Se le envía por correo; su respuesta devuelve el ticket a En proceso."),
        error_messages=_required(_("Escriba la pregunta o petición para el solicitante.")),
    )


class WaitVendorForm(ActionForm):
    vendor_name = TextField(
        label=_("Proveedor"),
        max_length=200,
        error_messages=_required(_("Indique el proveedor del que se espera respuesta.")),
    )
    vendor_reference = TextField(label=_("Referencia del proveedor"), max_length=100, required=False)
    message = TextField(
        label=_("Mensaje para el solicitante"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("Escriba el mensaje para el solicitante.")),
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
            self.fields["assignee"].queryset = eligible_agents(ticket, level=ticket.level + 1, show_all=self.is_bound)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Explique por qué se escala el ticket."), code="required")
        return reason


class SolveForm(ActionForm):
    solution = TextField(
        label=_("Solución"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Se envía al solicitante, que confirma si quedó resuelto."),
        error_messages=_required(_("Describa la solución: se enviará al solicitante.")),
    )
    resolution_code = forms.ChoiceField(
        label=_("Código de resolución"),
        choices=[("", _("Elija un código")), *Ticket.ResolutionCode.choices],
        error_messages=_required(_("Elija un código de resolución.")),
    )


class CancelForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Motivo"),
        choices=[("", _("Elija un motivo")), *Ticket.CancelReason.choices],
        error_messages=_required(_("Elija el motivo de la cancelación.")),
    )
    original = TextField(
        label=_("Referencia del ticket original"),
        max_length=20,
        required=False,
        help_text=_("Solo si es un duplicado, por ejemplo INC-000123."),
        widget=forms.TextInput(attrs={"list": "possible-duplicate-references", "autocomplete": "off"}),
    )
    note = TextField(
        label=_("Explicación"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoria si el motivo es «Otro motivo»."),
    )

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        cleaned["duplicate_of"] = None
        if reason == Ticket.CancelReason.DUPLICATE:
            cleaned["duplicate_of"] = self._original(cleaned.get("original", ""))
        elif reason == Ticket.CancelReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Explique el motivo de la cancelación."))
        return cleaned

    def _original(self, typed: str) -> Ticket | None:
        if not typed.strip():
            self.add_error("original", _("Indique la referencia del ticket original."))
            return None
        match = REFERENCE_PATTERN.match(typed)
        if not match:
            self.add_error("original", _("Escriba una referencia como INC-000123 o REQ-000124."))
            return None
        prefix, number = match.groups()
        reference = f"{prefix.upper()}-{int(number):06d}"
        original = Ticket.objects.filter(reference=reference).first()
        if original is None:
            self.add_error(
                "original", _("No hay ningún ticket con la referencia %(reference)s.") % {"reference": reference}
            )
        elif original.pk == self.ticket.pk:
            self.add_error("original", _("Un ticket no puede ser duplicado de sí mismo."))
            return None
        return original
