from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Module
from helpdesk.validation import CLOCK_SKEW, BoundedDateTimeField, TextField
from tickets.attachments import MultipleFileField, attachment_limits, check_files
from tickets.models import Ticket, Urgency

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"

URGENCY_HINTS = {
    Urgency.LOW: _("Consultas o problemas que no detienen el trabajo"),
    Urgency.MEDIUM: _("Afecta a algunos usuarios o procesos secundarios"),
    Urgency.HIGH: _("Detiene la operación o afecta a muchos usuarios"),
}


class UrgencyRadioSelect(forms.RadioSelect):
    """Radios that carry a one-line meaning each: an urgency is picked by what it means."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["hint"] = URGENCY_HINTS.get(int(value), "") if str(value).isdigit() else ""
        return option


class ReportForm(forms.Form):
    """The public report form (docs/process.md, «Intake and gatekeeping»): name, email,
    type, module, when, urgency, subject, description and files; plus a honeypot field
    people never see."""

    name = TextField(label=_("Nombre"), max_length=200)
    email = forms.EmailField(
        label=_("Correo electrónico"),
        max_length=254,
        error_messages={"invalid": _("Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.")},
    )
    kind = forms.ChoiceField(
        label=_("Tipo"), choices=Ticket.Kind.choices, initial=Ticket.Kind.INCIDENT, widget=forms.RadioSelect
    )
    module = forms.ModelChoiceField(
        label=_("Módulo involucrado"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("No lo sé / otro"),
    )
    occurred_at = BoundedDateTimeField(
        label=_("Fecha y hora del incidente"),
        max_future=CLOCK_SKEW,
        input_formats=[DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(format=DATETIME_INPUT_FORMAT, attrs={"type": "datetime-local"}),
        error_messages={
            "invalid": _("Escriba la fecha y hora completas, por ejemplo 2025-03-14 10:30."),
            "too_late": _("La fecha y hora del incidente no puede estar en el futuro."),
        },
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgencia"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.LOW,
        widget=UrgencyRadioSelect,
    )
    subject = TextField(label=_("Asunto"), max_length=200)
    description = TextField(
        label=_("Descripción"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Qué estaba haciendo, qué esperaba que pasara y qué pasó (mensajes de error incluidos)."),
    )
    files = MultipleFileField(
        label=_("Archivos"),
        required=False,
    )
    # Honeypot: hidden from people by CSS; bots that fill it get a polite nothing.
    sitio_web = forms.CharField(
        label=_("Sitio web (deje este campo vacío)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.active()
        self.fields["files"].help_text = _(
            "Opcional. Capturas de pantalla, documentos o registros: hasta %(count)d archivos, "
            "de %(file)s cada uno como máximo y %(total)s en total."
        ) % attachment_limits()
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for field in self.fields.values():
            field.error_messages.setdefault("required", _("Este campo es obligatorio."))
        self.fields["name"].error_messages["required"] = _("Escriba su nombre.")
        self.fields["email"].error_messages["required"] = _("Escriba su correo electrónico: ahí le responderemos.")
        self.fields["subject"].error_messages["required"] = _("Escriba un asunto breve.")
        self.fields["description"].error_messages["required"] = _("Describa el problema o la solicitud.")
        self.fields["occurred_at"].error_messages["required"] = _("Indique cuándo ocurrió.")

    def clean_files(self):
        return check_files(self.cleaned_data["files"])

    def submission(self) -> dict:
        """The cleaned data as `report_submit`'s keyword arguments."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "kind": data["kind"],
            "module": data["module"],
            "occurred_at": data["occurred_at"],
            "urgency": data["urgency"],
            "subject": data["subject"],
            "description": data["description"],
            "files": data["files"],
        }
