"""The forms of the ticket's transitions, one set for both surfaces: the admin's transition
buttons (tickets/forms.py) and the workspace's ticket page (workspace/forms.py). Each
form checks what a person typed and hands the service its keyword arguments in
`cleaned_data`; the rules come from the model (`Ticket.check_cancel`, the references of
tickets/references.py, the agents of accounts/roles.py), and the services check them
again inside the row lock. A surface subclasses a form only for its presentation: help
texts, widgets, the order and names of the fields, how an agent is described."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import AgentProfile
from accounts.roles import agents
from catalog.models import Module
from helpdesk.validation import TextField

from .models import Impact, Ticket
from .references import parse_reference


def _required(message):
    return {"required": message}


# Agents ---------------------------------------------------------------------------


def agents_for_specialties(specialty_ids=()):
    """Every agent (accounts.roles.agents), those with one of the given specialties first,
    annotated `is_specialist`: the admin's lists. The workspace orders them by fit and
    workload instead (workspace.assignment.eligible_agents)."""
    specialist = AgentProfile.objects.filter(user=OuterRef("pk"), specialties__in=list(specialty_ids))
    return (
        agents()
        .select_related("agent_profile")
        .annotate(is_specialist=Exists(specialist))
        .order_by("-is_specialist", "first_name", "last_name", "username")
    )


def describe_by_specialty(user) -> str:
    """"Zoe Redes (N2, no disponible, especialista)": the admin's way of naming an agent."""
    profile = getattr(user, "agent_profile", None)
    details = []
    if profile is not None:
        details.append(profile.get_level_display())
        if not profile.is_available:
            details.append(_("no disponible"))
    if getattr(user, "is_specialist", False):
        details.append(_("especialista"))
    if not details:
        return str(user)
    return _("%(agent)s (%(details)s)") % {"agent": user, "details": ", ".join(str(d) for d in details)}


class AgentChoiceField(forms.ModelChoiceField):
    """An agent, named by `describe` (a surface sets its own)."""

    describe = staticmethod(describe_by_specialty)

    def label_from_instance(self, user):
        return self.describe(user)


# The forms -----------------------------------------------------------------------


class TransitionForm(forms.ModelForm):
    """A form that knows its ticket: `ticket=` (the workspace) or `instance=` (django-fsm's
    admin, which hands a ModelForm the ticket). It has no model fields and never saves:
    the service does."""

    class Meta:
        model = Ticket
        fields = ()

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        if ticket is not None:
            kwargs["instance"] = ticket
        super().__init__(*args, **kwargs)
        self.ticket = self.instance

    def _post_clean(self):
        # No model field to validate: the model's rules are asked by name (check_cancel…).
        pass


class AssignForm(TransitionForm):
    """Assign (an open ticket) or reassign (one in progress or pending): any agent is
    accepted; the list offers them in the surface's order (`agent_choices`)."""

    describe_agent = staticmethod(describe_by_specialty)

    assignee = AgentChoiceField(
        label=_("Agente"),
        queryset=None,
        empty_label=_("Elija un agente"),
        error_messages={
            "required": _("Elija el agente al que se asigna el ticket."),
            "invalid_choice": _("Ese agente ya no está en la lista; elija otro."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].describe = self.describe_agent
        self.fields["assignee"].queryset = self.agent_choices()

    def agent_choices(self):
        """The specialists of the ticket's module first, then every other agent."""
        module = self.ticket.module
        return agents_for_specialties([module.specialty_id] if module else [])


class WaitForUserForm(TransitionForm):
    message = TextField(
        label=_("Pregunta o petición para el solicitante"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Se le envía por correo; su respuesta devuelve el ticket a En proceso."),
        error_messages=_required(_("Escriba la pregunta o petición para el solicitante.")),
    )


class WaitForVendorForm(TransitionForm):
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


# The impact an agent assesses (never back to "sin evaluar"), and what each one means.
ASSESSED_IMPACTS = [choice for choice in Impact.choices if choice[0] != Impact.UNASSESSED]
IMPACT_HELP = _("Bajo: asunto operativo. Medio: el servicio está degradado. Alto: el servicio está interrumpido.")


class SolveForm(TransitionForm):
    """The solution and its code; and, while the ticket still has none, its module and its
    assessed impact ("Sin módulo", "sin evaluar"), which the reports break down by:
    required then, and applied by `ticket_solve` through the classification's rule."""

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.ticket.module_id is None:
            self.fields["module"] = forms.ModelChoiceField(
                label=_("Módulo"),
                queryset=Module.objects.active(),
                empty_label=_("Elija el módulo"),
                help_text=_("El ticket aún no tiene módulo: los informes cuentan los tickets por módulo."),
                error_messages={
                    "required": _("Elija el módulo del ticket."),
                    "invalid_choice": _("Ese módulo ya no está en la lista; elija otro."),
                },
            )
        if self.ticket.impact == Impact.UNASSESSED:
            self.fields["impact"] = forms.TypedChoiceField(
                label=_("Impacto"),
                choices=[("", _("Elija el impacto")), *ASSESSED_IMPACTS],
                coerce=int,
                help_text=IMPACT_HELP,
                error_messages=_required(_("Evalúe el impacto del ticket.")),
            )


class ReopenForm(TransitionForm):
    message = TextField(
        label=_("Por qué se reabre"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Queda como nota interna en la conversación."),
    )


class CancelForm(TransitionForm):
    """The reason, and what that reason needs (Ticket.check_cancel): the original of a
    duplicate, typed as its reference (tickets.references.parse_reference), or a note.
    `cleaned_data["duplicate_of"]` is the original ticket or None.

    Given the `user` who cancels, it offers only the reasons they may give
    (Ticket.cancel_reasons_for: an agent, Duplicado alone); without one (the admin's
    buttons) every reason, and the service refuses the ones not theirs."""

    # The field where the original's reference is typed (a surface may name it otherwise).
    reference_field = "duplicate_of"
    unknown_reference = _("No hay ningún ticket con la referencia %(reference)s.")

    reason = forms.ChoiceField(
        label=_("Motivo"),
        choices=[("", _("Elija un motivo")), *Ticket.CancelReason.choices],
        error_messages=_required(_("Elija el motivo de la cancelación.")),
    )
    duplicate_of = TextField(
        label=_("Referencia del ticket original"),
        max_length=20,
        required=False,
        help_text=_("Solo si es un duplicado, por ejemplo INC-000123."),
    )
    note = TextField(
        label=_("Explicación"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoria si el motivo es «Otro motivo»."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            allowed = Ticket.cancel_reasons_for(user)
            reason = self.fields["reason"]
            choices = [(value, label) for value, label in Ticket.CancelReason.choices if value in allowed]
            if len(choices) == 1:
                reason.choices = choices
                reason.initial = choices[0][0]
            else:
                reason.choices = [("", _("Elija un motivo")), *choices]
            if len(allowed) < len(Ticket.CancelReason.values):
                reason.error_messages["invalid_choice"] = _(
                    "Usted solo puede cancelar un ticket como duplicado de otro; los demás motivos son de un coordinador."
                )
            # The help that says which reason needs what, for the reasons offered.
            if not set(allowed) - set(Ticket.CANCEL_NEEDS_ORIGINAL):
                self.fields[self.reference_field].help_text = _("Por ejemplo, INC-000123.")
            if not set(allowed) & set(Ticket.CANCEL_NEEDS_NOTE):
                self.fields["note"].help_text = _("Opcional: el solicitante la recibe con el aviso de la cancelación.")

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        original = None
        if reason in Ticket.CANCEL_NEEDS_ORIGINAL and self.reference_field not in self.errors:
            original = self._original(cleaned.get(self.reference_field) or "")
        cleaned["duplicate_of"] = original
        if reason:
            try:
                self.ticket.check_cancel(reason=reason, note=cleaned.get("note") or "", duplicate_of=original)
            except ValidationError as refusal:
                for argument, errors in refusal.message_dict.items():
                    field = self.reference_field if argument == "duplicate_of" else argument
                    if field not in self.errors:
                        self.add_error(field, errors)
        return cleaned

    def _original(self, typed: str) -> Ticket | None:
        """The ticket the typed reference names; a refusal on the field if there is none
        (a blank one is left to check_cancel)."""
        if not typed.strip():
            return None
        reference = parse_reference(typed)
        if reference is None:
            self.add_error(self.reference_field, _("Escriba una referencia como INC-000123 o REQ-000124."))
            return None
        original = Ticket.objects.filter(reference=reference).first()
        if original is None:
            self.add_error(self.reference_field, self.unknown_reference % {"reference": reference})
        return original

