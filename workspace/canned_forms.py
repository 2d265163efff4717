"""The forms of the canned replies' pages (docs/workspace.md, «Canned replies»): the
editor, the list's filters and the ticket page's picker. Saving goes through
canned.services, which checks the text; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from canned.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, CannedReply
from canned.placeholders import PLACEHOLDERS
from catalog.models import Module
from helpdesk.validation import TextField

from .ticket_articles import PICKER_TARGETS

SEARCH_MAX_LENGTH = 100


class CannedReplyForm(forms.Form):
    """Title, text (with placeholders) and module (none: global)."""

    title = TextField(label=_("Título"), max_length=TITLE_MAX_LENGTH)
    body = TextField(
        label=_("Texto"),
        max_length=BODY_MAX_LENGTH,
        help_text=_("Texto simple. Los marcadores entre llaves se llenan con los datos del ticket al insertarla."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    module = forms.ModelChoiceField(
        label=_("Módulo"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("Todos los módulos (global)"),
        help_text=_("Una respuesta de un módulo solo se ofrece en sus tickets."),
    )

    def __init__(self, *args, reply: CannedReply | None = None, **kwargs):
        if reply is not None and "initial" not in kwargs:
            kwargs["initial"] = {"title": reply.title, "body": reply.body, "module": reply.module_id}
        super().__init__(*args, **kwargs)
        # The active modules, and the reply's own though no longer active (saving keeps it).
        chosen = Q(is_active=True)
        if reply is not None and reply.module_id is not None:
            chosen |= Q(pk=reply.module_id)
        self.fields["module"].queryset = Module.objects.filter(chosen).order_by("name")

    def service_fields(self) -> dict:
        """What canned_create and canned_update take, from the valid form."""
        return {name: self.cleaned_data[name] for name in ("title", "body", "module")}


class CannedListForm(forms.Form):
    """The list's search (GET): words, module, active or archived. An unknown value is
    reported and left out."""

    ACTIVE, ARCHIVED = "activas", "archivadas"

    q = forms.CharField(
        label=_("Buscar"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        help_text=_("Palabras del título o del texto."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    modulo = forms.ModelChoiceField(
        label=_("Módulo"), queryset=Module.objects.order_by("name"), required=False, empty_label=_("Cualquiera")
    )
    estado = forms.ChoiceField(
        label=_("Estado"),
        choices=[(ACTIVE, _("Activas")), (ARCHIVED, _("Archivadas"))],
        required=False,
    )

    def filtered(self, replies):
        self.is_valid()
        data = self.cleaned_data
        replies = replies.filter(is_active=data.get("estado") != self.ARCHIVED)
        if module := data.get("modulo"):
            replies = replies.filter(module=module)
        return replies.matching(data.get("q") or "")


class CannedPickerForm(forms.Form):
    """The ticket page's picker (GET): where the text goes (`para`, as the article
    picker's: «respuesta» or «nota») and the words typed."""

    para = forms.ChoiceField(
        choices=[(para, para) for para in PICKER_TARGETS],
        error_messages={
            "required": _("No se sabe dónde poner el texto: «para» debe ser «respuesta» o «nota»."),
            "invalid_choice": _("No se sabe dónde poner el texto: «para» debe ser «respuesta» o «nota»."),
        },
    )
    q = forms.CharField(
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _("Escriba menos palabras: hasta %(limit_value)d caracteres.")},
    )


def placeholder_rows() -> list[tuple[str, str]]:
    """The placeholders as the editor's help lists them: ("{nombre}", what it becomes)."""
    return [(f"{{{name}}}", meaning) for name, meaning in PLACEHOLDERS.items()]
