from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import ReadOnlyAdminMixin

from .models import ConfirmationChange, SolutionConfirmation, Survey, SurveyAnswer, SurveySettings


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    """One page: the survey's wording and window. The confirmation window (business
    days) is set per SLA plan."""

    fieldsets = [
        (None, {"fields": ["survey_valid_days"]}),
        (_("Textos de la encuesta"), {"fields": ["intro", "rating_question", "solved_question", "comment_question", "thanks_message"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SurveySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # A list of one makes no sense: go straight to the form.
        if SurveySettings.objects.exists():
            return redirect(reverse("admin:surveys_surveysettings_change", args=[SurveySettings.SINGLETON_PK]))
        return redirect(reverse("admin:surveys_surveysettings_add"))


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Records written by the requester's answers and the beat job: looked at, never edited."""

    show_full_result_count = False


class ConfirmationChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The confirmation's history, read-only: whoever may see the confirmation sees it."""

    model = ConfirmationChange
    fields = ["at", "actor", "old_outcome", "new_outcome", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("surveys.view_solutionconfirmation")


@admin.register(SolutionConfirmation)
class SolutionConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "outcome", "solved_at", "due_at", "answered_at"]
    list_filter = ["outcome"]
    search_fields = ["ticket__reference", "ticket__subject", "ticket__requester__name", "ticket__requester__email"]
    list_select_related = ["ticket"]
    date_hierarchy = "solved_at"
    fields = ["ticket", "outcome", "solved_at", "business_days", "due_at", "answered_at", "comment"]
    readonly_fields = fields
    inlines = [ConfirmationChangeInline]


class AnsweredFilter(admin.SimpleListFilter):
    title = _("respuesta")
    parameter_name = "respondida"

    def lookups(self, request, model_admin):
        return [("si", _("Respondida")), ("no", _("Sin respuesta"))]

    def queryset(self, request, queryset):
        if self.value() == "si":
            return queryset.filter(answer__isnull=False)
        if self.value() == "no":
            return queryset.filter(answer__isnull=True)
        return queryset


def _percent(share):
    return "—" if share is None else f"{number_format(share * 100, 0)} %"


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    """Every survey sent, with the figures of the filtered list above it: sent, answered,
    answer rate, mean rating, "solved" answers and low ratings."""

    change_list_template = "admin/surveys/survey/change_list.html"
    list_display = ["ticket", "sent_at", "expires_at", "closed_automatically", "rating", "solved"]
    list_filter = [AnsweredFilter, "answer__rating", "answer__solved", "closed_automatically"]
    search_fields = ["ticket__reference", "ticket__subject", "ticket__requester__name", "ticket__requester__email"]
    list_select_related = ["ticket", "answer"]
    date_hierarchy = "sent_at"
    fields = ["ticket", "sent_at", "expires_at", "closed_automatically"]
    readonly_fields = fields

    @admin.display(description=_("calificación"), ordering="answer__rating")
    def rating(self, survey):
        answer = getattr(survey, "answer", None)
        return answer.stars if answer else "—"

    @admin.display(description=_("se resolvió"), boolean=True)
    def solved(self, survey):
        answer = getattr(survey, "answer", None)
        return answer.solved if answer else None

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            summary = changelist.queryset.summary()
            response.context_data["summary"] = {
                "sent": summary.sent,
                "answered": summary.answered,
                "answer_rate": _percent(summary.answer_rate),
                "mean_rating": "—" if summary.mean_rating is None else number_format(summary.mean_rating, 1),
                "solved_rate": _percent(summary.solved_rate),
                "low": summary.low,
            }
        return response


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "stars", "solved", "answered_at", "assignee"]
    list_filter = ["rating", "solved"]
    search_fields = ["ticket__reference", "ticket__subject", "comment", "ticket__requester__name"]
    list_select_related = ["ticket", "ticket__assignee"]
    date_hierarchy = "answered_at"
    fields = ["ticket", "rating", "solved", "comment", "answered_at"]
    readonly_fields = fields

    @admin.display(description=_("calificación"), ordering="rating")
    def stars(self, answer):
        return answer.stars

    @admin.display(description=_("atendió"), ordering="ticket__assignee")
    def assignee(self, answer):
        return answer.ticket.assignee or "—"
