"""The phone report an agent registers for a caller (/mesa/llamada/)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Module
from customers.models import Contact, Organization
from helpdesk.validation import CLOCK_SKEW, BoundedDateTimeField, TextField
from tickets.attachments import MultipleFileField, attachment_limits, check_files
from tickets.models import Ticket, Urgency

from .services import NewContact

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
    leave_unassigned = forms.BooleanField(
        label=_("Dejar sin asignar"),
        required=False,
        help_text=_(
            "Sin marcar, el ticket queda a su cargo, En proceso. Márquelo para dejarlo Abierto en la cola, "
            "sin responsable."
        ),
    )

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
            "leave_unassigned": data["leave_unassigned"],
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
