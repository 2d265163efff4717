"""Forms of the coordinators' admin: the ticket's change form, the bulk assignment, the
transition forms of tickets/transition_forms.py in the admin's wording (their
cleaned_data are the service's keyword arguments). The phone report is intake's
(intake/phone_forms.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import transition_forms
from .models import Ticket
from .transition_forms import AgentChoiceField, agents_for_specialties


class BulkAssignForm(forms.Form):
    """The bulk action's intermediate page: one agent for every selected ticket."""

    assignee = AgentChoiceField(queryset=None, label=_("Agente"))

    def __init__(self, *args, specialty_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents_for_specialties(specialty_ids)


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


# The transition buttons' forms: the shared ones (tickets/transition_forms.py) in the
# admin's wording.


class AdminWording:
    """The admin's help texts and text heights for the shared fields, and its field order."""

    wording: dict[str, dict] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, presentation in self.wording.items():
            field = self.fields[name]
            if "help_text" in presentation:
                field.help_text = presentation["help_text"]
            if "rows" in presentation:
                field.widget.attrs["rows"] = presentation["rows"]


class WaitForUserForm(AdminWording, transition_forms.WaitForUserForm):
    wording = {"message": {"help_text": _("Se envía al solicitante; su respuesta reanuda el ticket."), "rows": 5}}


class WaitForVendorForm(AdminWording, transition_forms.WaitForVendorForm):
    field_order = ["message", "vendor_name", "vendor_reference"]
    wording = {"message": {"rows": 5}}


class SolveForm(AdminWording, transition_forms.SolveForm):
    wording = {"solution": {"help_text": _("Se envía al solicitante."), "rows": 6}}


class CancelForm(AdminWording, transition_forms.CancelForm):
    field_order = ["reason", "note", "duplicate_of"]
    unknown_reference = _("No existe un ticket con la referencia %(reference)s.")
    wording = {
        "note": {"help_text": _("Se envía al solicitante con el motivo."), "rows": 4},
        "duplicate_of": {"help_text": _("Solo si el motivo es «Duplicado»; por ejemplo, INC-000123.")},
    }


TRANSITION_FORMS = {
    "assign": transition_forms.AssignForm,
    "wait_for_user": WaitForUserForm,
    "wait_for_vendor": WaitForVendorForm,
    "solve": SolveForm,
    "reopen": transition_forms.ReopenForm,
    "cancel": CancelForm,
}
