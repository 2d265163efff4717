from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RATING_CHOICES, SurveySettings

YES, NO = "si", "no"


class RejectForm(forms.Form):
    """"No, sigue el problema": what still fails is required, for the technician."""

    comment = forms.CharField(
        label=_("¿Qué sigue fallando?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Su comentario llega al técnico, que retoma su ticket."),
        error_messages={"required": _("Cuéntenos qué sigue fallando para que el técnico pueda retomarlo.")},
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(self.fields["comment"].error_messages["required"], code="required")
        return comment


class SurveyForm(forms.Form):
    """1–5 stars, whether the problem was solved, and an optional comment. The questions'
    wording comes from the coordinators' settings. `ask_solved=False` (the requester
    already said "Sí, quedó resuelto", Survey.solution_confirmed) leaves the second
    question out."""

    rating = forms.TypedChoiceField(
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "star-input"}),
        error_messages={"required": _("Elija de 1 a 5 estrellas."), "invalid_choice": _("Elija de 1 a 5 estrellas.")},
    )
    solved = forms.TypedChoiceField(
        choices=[(YES, _("Sí")), (NO, _("No"))],
        coerce=lambda value: value == YES,
        widget=forms.RadioSelect(attrs={"class": "pill-input"}),
        error_messages={"required": _("Indique si se resolvió su problema."), "invalid_choice": _("Indique si se resolvió su problema.")},
    )
    comment = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, survey_settings: SurveySettings, ask_solved: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = survey_settings.rating_question
        self.fields["solved"].label = survey_settings.solved_question
        self.fields["comment"].label = survey_settings.comment_question
        self.asks_solved = ask_solved
        if not ask_solved:
            del self.fields["solved"]
