from django import forms
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from helpdesk.validation import TextField
from tickets.models import Ticket

from .forms import MultipleFileField
from .uploads import attachment_limits, check_files, format_size


class FollowReplyForm(forms.Form):
    """The requester's answer on their page: a message and, optionally, files checked
    exactly as the report form's (every file, by content)."""

    body = TextField(
        label=_("Su mensaje"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Escriba su mensaje.")},
    )
    files = MultipleFileField(
        label=_("Archivos"),
        required=False,
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["files"].help_text = _(
            "Opcional. Capturas de pantalla, documentos o registros: hasta %(count)d archivos, "
            "de %(file)s cada uno como máximo y %(total)s por ticket."
        ) % attachment_limits()

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Escriba su mensaje."), code="required")
        return body

    def clean_files(self):
        checked = check_files(self.cleaned_data["files"])
        if checked:
            # The per-ticket limit counts what the ticket already carries.
            limit = settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES
            stored = self.ticket.attachments.aggregate(total=Sum("size"))["total"] or 0
            total = stored + sum(file.size for file in checked)
            if total > limit:
                raise forms.ValidationError(
                    _("Con estos archivos el ticket sumaría %(size)s; el máximo por ticket es %(max)s.")
                    % {"size": format_size(total), "max": format_size(limit)},
                    code="ticket_too_big",
                )
        return checked
