"""Forms of the coordinators' admin: the ticket's change form, the forms that collect
the arguments of a transition (their cleaned_data are the service's keyword arguments);
and the phone report an agent registers for a contact in the agents' workspace."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AgentProfile
from catalog.models import Module
from customers.models import Contact, Organization
from helpdesk.validation import CLOCK_SKEW, BoundedDateTimeField, TextField
from intake.forms import MultipleFileField
from intake.uploads import attachment_limits, check_files

from .models import Ticket, Urgency
from .services import NewContact


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


# The phone channel ---------------------------------------------------------

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
# The fields of a caller registered on the spot.
NEW_CONTACT_FIELDS = ("new_name", "new_email", "new_phone", "new_organization", "new_authorized")


class PhoneReportForm(forms.Form):
    """A call taken by an agent (the agents' workspace, /mesa/llamada/): the contact who
    calls, chosen from the directory (found by name, email or organization) or
    registered on the spot, and what they report, as on the web form.
    `registration()` gives `ticket_register_call`'s keyword arguments but `by`.

    Only a user who may change contacts (a coordinator) sees "autorizado" for a new
    contact: an agent's new contact is not authorized, so its report is cancelled."""

    contact = forms.ModelChoiceField(
        label=_("Contacto que llama"),
        queryset=Contact.objects.select_related("organization"),
        required=False,
        # The page renders the choices itself: the contacts a search found.
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("El contacto elegido ya no existe: búsquelo de nuevo.")},
    )
    new_name = TextField(label=_("Nombre"), max_length=200, required=False)
    new_email = forms.EmailField(
        label=_("Correo electrónico"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.")},
    )
    new_phone = TextField(label=_("Teléfono"), max_length=40, required=False)
    new_organization = forms.ModelChoiceField(
        label=_("Organización"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("Ninguna / no la sé"),
    )
    new_authorized = forms.BooleanField(
        label=_("Autorizado"),
        required=False,
        help_text=_("Márquelo solo si la organización ya autorizó a esta persona a pedir soporte."),
    )
    kind = forms.ChoiceField(label=_("Tipo"), choices=Ticket.Kind.choices, initial=Ticket.Kind.INCIDENT)
    module = forms.ModelChoiceField(
        label=_("Módulo"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("Sin módulo / no lo sabe"),
    )
    occurred_at = BoundedDateTimeField(
        label=_("Fecha y hora del incidente"),
        required=False,
        max_future=CLOCK_SKEW,
        input_formats=[DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(format=DATETIME_INPUT_FORMAT, attrs={"type": "datetime-local"}),
        error_messages={
            "invalid": _("Escriba la fecha y hora completas, por ejemplo 2025-03-14 10:30."),
            "too_late": _("La fecha y hora del incidente no puede estar en el futuro."),
        },
    )
    urgency = forms.TypedChoiceField(label=_("Urgencia"), choices=Urgency.choices, coerce=int, initial=Urgency.LOW)
    subject = TextField(label=_("Asunto"), max_length=200)
    description = TextField(label=_("Descripción"), widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("Archivos"), required=False)

    def __init__(self, *args, can_authorize: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_authorize:
            del self.fields["new_authorized"]
        self.fields["module"].queryset = Module.objects.active()
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["files"].help_text = _(
            "Opcional. Hasta %(count)d archivos, de %(file)s cada uno como máximo y %(total)s en total."
        ) % attachment_limits()
        self.fields["subject"].error_messages["required"] = _("Escriba un asunto breve.")
        self.fields["description"].error_messages["required"] = _("Describa lo que reporta el contacto.")

    def wants_new_contact(self) -> bool:
        """Whether the agent typed anything of a new contact (or it was kept as initial
        values when a too large upload was refused)."""
        if self.is_bound:
            typed = [self.data.get(self.add_prefix(name)) for name in NEW_CONTACT_FIELDS[:4]]
        else:
            typed = [self.initial.get(name) for name in NEW_CONTACT_FIELDS[:4]]
        return any(str(value or "").strip() for value in typed)

    def clean_files(self):
        return check_files(self.cleaned_data["files"])

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("contact")
        if "contact" in self.errors:
            return cleaned
        if contact is not None and self.wants_new_contact():
            self.add_error(
                None,
                _(
                    "Eligió un contacto del directorio y además escribió los datos de uno nuevo. "
                    "Elija «Ninguno de estos» para registrar al nuevo, o borre sus datos."
                ),
            )
        elif contact is None and not self.wants_new_contact():
            self.add_error(
                "contact",
                _("Busque y elija al contacto que llama, o regístrelo abajo si no está en el directorio."),
            )
        elif contact is None:
            if not (cleaned.get("new_name") or "").strip():
                self.add_error("new_name", _("Escriba el nombre del contacto nuevo."))
            email = (cleaned.get("new_email") or "").strip()
            if not email and "new_email" not in self.errors:
                self.add_error("new_email", _("Escriba el correo del contacto nuevo: ahí recibirá la referencia."))
            elif email and Contact.objects.by_email(email).exists():
                self.add_error(
                    "new_email",
                    _("Ya existe un contacto con el correo %(email)s: búsquelo arriba y elíjalo.") % {"email": email},
                )
        return cleaned

    def registration(self) -> dict:
        """The cleaned data as `ticket_register_call`'s keyword arguments, but `by`."""
        data = self.cleaned_data
        arguments = {
            "kind": data["kind"],
            "module": data["module"],
            "urgency": data["urgency"],
            "subject": data["subject"],
            "description": data["description"],
            "occurred_at": data["occurred_at"],
            "files": data["files"],
        }
        if data["contact"] is not None:
            arguments["requester"] = data["contact"]
        else:
            arguments["new_contact"] = NewContact(
                name=data["new_name"],
                email=data["new_email"],
                phone=data["new_phone"],
                organization=data["new_organization"],
                is_authorized=bool(data.get("new_authorized")),
            )
        return arguments
