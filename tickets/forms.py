"""Forms of the coordinators' admin: the ticket's change form, the forms that collect
the arguments of a transition (their cleaned_data are the service's keyword arguments).
The phone report is intake's (intake/phone_forms.py)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import AgentProfile

from .models import Ticket


def assignable_agents(specialty_ids=()):
    """Active users who may work tickets; those with one of the given specialties first,
    annotated `is_specialist`. Superusers count only if they hold the permission."""
    User = get_user_model()
    work_ticket = Permission.objects.filter(content_type__app_label="tickets", codename="work_ticket")
    specialist = AgentProfile.objects.filter(user=OuterRef("pk"), specialties__in=list(specialty_ids))
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=work_ticket) | Q(user_permissions__in=work_ticket))
        .distinct()
        .select_related("agent_profile")
        .annotate(is_specialist=Exists(specialist))
        .order_by("-is_specialist", "first_name", "last_name", "username")
    )


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
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


class BulkAssignForm(forms.Form):
    """The bulk action's intermediate page: one agent for every selected ticket."""

    assignee = AgentChoiceField(queryset=get_user_model().objects.none(), label=_("Agente"))

    def __init__(self, *args, specialty_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_agents(specialty_ids)


class TicketAdminForm(forms.ModelForm):
    """Only urgency, impact, module and type are editable; the admin saves them through
    `ticket_classify`, which cannot take the module away."""

    class Meta:
        model = Ticket
        fields = ["urgency", "impact", "module", "kind"]

    def clean_module(self):
        module = self.cleaned_data.get("module")
        if module is None and self.instance.module_id is not None:
            raise forms.ValidationError(_("Un ticket clasificado no puede quedarse sin módulo; elija otro."))
        return module


# Transition forms. ModelForms with no model fields: django-fsm's admin hands them the
# ticket as `instance`, which the assignment form needs to put specialists first.


class TransitionForm(forms.ModelForm):
    class Meta:
        model = Ticket
        fields = ()


class AssignForm(TransitionForm):
    assignee = AgentChoiceField(queryset=get_user_model().objects.none(), label=_("Agente"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        module = self.instance.module
        self.fields["assignee"].queryset = assignable_agents([module.specialty_id] if module else [])


class WaitForUserForm(TransitionForm):
    message = forms.CharField(
        label=_("Pregunta o petición para el solicitante"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Se envía al solicitante; su respuesta reanuda el ticket."),
    )


class WaitForVendorForm(TransitionForm):
    message = forms.CharField(label=_("Mensaje para el solicitante"), widget=forms.Textarea(attrs={"rows": 5}))
    vendor_name = forms.CharField(label=_("Proveedor"), max_length=200)
    vendor_reference = forms.CharField(label=_("Referencia del proveedor"), max_length=100, required=False)


class SolveForm(TransitionForm):
    solution = forms.CharField(
        label=_("Solución"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Se envía al solicitante."),
    )
    resolution_code = forms.ChoiceField(label=_("Código de resolución"), choices=Ticket.ResolutionCode.choices)


class ReopenForm(TransitionForm):
    message = forms.CharField(
        label=_("Por qué se reabre"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Queda como nota interna en la conversación."),
    )


class CancelForm(TransitionForm):
    reason = forms.ChoiceField(label=_("Motivo"), choices=Ticket.CancelReason.choices)
    note = forms.CharField(
        label=_("Explicación"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Se envía al solicitante con el motivo."),
    )
    duplicate_of = forms.CharField(
        label=_("Referencia del ticket original"),
        max_length=20,
        required=False,
        help_text=_("Solo si el motivo es «Duplicado»; por ejemplo, INC-000123."),
    )

    def clean_duplicate_of(self):
        reference = self.cleaned_data.get("duplicate_of", "").strip()
        if not reference:
            return None
        try:
            return Ticket.objects.get(reference__iexact=reference)
        except Ticket.DoesNotExist:
            raise forms.ValidationError(
                _("No existe un ticket con la referencia %(reference)s."), params={"reference": reference}
            ) from None

    def clean(self):
        cleaned = super().clean()
        reason = cleaned.get("reason")
        if reason == Ticket.CancelReason.DUPLICATE:
            original = cleaned.get("duplicate_of")
            if original is None and "duplicate_of" not in self.errors:
                self.add_error("duplicate_of", _("Indique la referencia del ticket original."))
            elif original is not None and original.pk == self.instance.pk:
                self.add_error("duplicate_of", _("Un ticket no puede ser duplicado de sí mismo."))
        else:
            cleaned["duplicate_of"] = None
        if reason == Ticket.CancelReason.OTHER and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Explique el motivo de la cancelación."))
        return cleaned


TRANSITION_FORMS = {
    "assign": AssignForm,
    "wait_for_user": WaitForUserForm,
    "wait_for_vendor": WaitForVendorForm,
    "solve": SolveForm,
    "reopen": ReopenForm,
    "cancel": CancelForm,
}
