"""The monitoring API's request body, validated by a Django form (messages in Spanish),
with the bounds every channel shares (helpdesk.validation)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Module
from helpdesk import validation
from tickets.models import Urgency

URGENCIES = {"baja": Urgency.LOW, "media": Urgency.MEDIUM, "alta": Urgency.HIGH}
# An alert that does not say how urgent it is: media (a tool raised it, so someone is
# affected, but it did not say it stops the operation).
DEFAULT_URGENCY = "media"


class _JSONStringMixin:
    """JSON gives numbers, lists and objects too: only text (or null) is accepted."""

    def to_python(self, value):
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("Debe ser texto (una cadena JSON)."), code="type")
        return super().to_python(value)


class TextField(_JSONStringMixin, validation.TextField):
    pass


class UrgencyField(_JSONStringMixin, forms.ChoiceField):
    pass


class ISODateTimeField(_JSONStringMixin, validation.BoundedDateTimeField):
    pass


REQUIRED = {"required": _("Este campo es obligatorio.")}


class IncidentForm(forms.Form):
    subject = TextField(
        max_length=200,
        error_messages={**REQUIRED, "max_length": _("Use como máximo %(limit_value)d caracteres (tiene %(show_value)d).")},
    )
    description = TextField(error_messages=REQUIRED)
    module = TextField(required=False, max_length=120)
    urgency = UrgencyField(
        required=False,
        choices=[(code, code) for code in URGENCIES],
        error_messages={"invalid_choice": _("Use «baja», «media» o «alta».")},
    )
    occurred_at = ISODateTimeField(
        required=False,
        max_future=validation.CLOCK_SKEW,
        error_messages={
            "invalid": _("Use una fecha y hora ISO 8601, por ejemplo 2025-03-14T10:30:00-06:00."),
            "too_late": _("La fecha del incidente no puede estar en el futuro."),
        },
    )
    external_id = TextField(
        required=False,
        max_length=200,
        error_messages={"max_length": _("Use como máximo %(limit_value)d caracteres (tiene %(show_value)d).")},
    )

    def clean_module(self):
        name = self.cleaned_data["module"]
        if not name:
            return None
        module = Module.objects.active().filter(name__iexact=name).first()
        if module is None:
            raise ValidationError(
                _("No existe el módulo «%(name)s» en el catálogo de servicios."), code="unknown", params={"name": name}
            )
        return module

    def clean_urgency(self):
        return URGENCIES[self.cleaned_data["urgency"] or DEFAULT_URGENCY]
