import datetime
import re
from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import ReadOnlyAdminMixin

from .models import (
    DEFAULT_TARGETS,
    BusinessHours,
    Calendar,
    Holiday,
    SLAEvent,
    SLAPlan,
    SLATarget,
    WorkedHoliday,
    validate_business_hours,
)


class BusinessDurationField(forms.Field):
    """A target in business hours, typed and shown as hours:minutes ("4:00", "48:00", "1:30").

    Django's own duration field reads "48:00" as 48 minutes and shows 48 hours as "2 00:00:00",
    which reads as two calendar days; targets are business hours, so hours it is."""

    default_error_messages = {
        "invalid": _("Escriba horas y minutos, por ejemplo 4:00, 1:30 o 48:00."),
    }
    pattern = re.compile(r"^\s*(\d{1,5})\s*(?::\s*([0-5]\d))?\s*$")

    def prepare_value(self, value):
        if isinstance(value, datetime.timedelta):
            minutes = int(value.total_seconds()) // 60
            return f"{minutes // 60}:{minutes % 60:02d}"
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.timedelta):
            return value
        match = self.pattern.match(str(value))
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        hours, minutes = match.groups()
        return datetime.timedelta(hours=int(hours), minutes=int(minutes or 0))


# Calendars ------------------------------------------------------------------


class BusinessHoursFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        ranges = [
            (form.cleaned_data["weekday"], form.cleaned_data["start"], form.cleaned_data["end"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        validate_business_hours(ranges)
        if not ranges and not self.instance.is_24x7:
            raise ValidationError(
                _("Agregue al menos un horario de atención, o marque el calendario como 24×7."),
                code="no_business_hours",
            )


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    formset = BusinessHoursFormSet
    fields = ["weekday", "start", "end"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 5


class HolidayInline(admin.TabularInline):
    model = Holiday
    fields = ["date", "name", "every_year"]
    extra = 0


class WorkedHolidayInline(admin.TabularInline):
    model = WorkedHoliday
    fields = ["date", "name"]
    extra = 0


class CalendarForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("zona horaria"),
        choices=[(name, name) for name in sorted(available_timezones())],
        help_text=Calendar._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "is_24x7", "country", "subdivision"]


def holidays_language() -> str | None:
    """The `holidays` package's name for the current language (it falls back to the
    country's own names when it lacks a translation)."""
    return {"es": "es", "en": "en_US"}.get((translation.get_language() or "")[:2])


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "is_24x7", "country", "plan_count"]
    list_filter = ["is_24x7", "country"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "time_zone", "is_24x7"]}),
        (_("Feriados oficiales"), {"fields": ["country", "subdivision", "upcoming_official_holidays"]}),
    ]
    readonly_fields = ["upcoming_official_holidays"]
    inlines = [BusinessHoursInline, HolidayInline, WorkedHolidayInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_count=Count("plans"))

    @admin.display(description=_("planes"), ordering="plan_count")
    def plan_count(self, obj):
        return obj.plan_count

    @admin.display(description=_("feriados oficiales de este año y el próximo"))
    def upcoming_official_holidays(self, obj):
        if obj is None or not obj.pk or not obj.country:
            return "—"
        year = timezone.localdate().year
        language = holidays_language()
        days = obj.official_holidays(year, language=language) + obj.official_holidays(year + 1, language=language)
        if not days:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{} — {}</li>", ((f"{d:%d/%m/%Y}", name) for d, name in days))
        )


# Plans ----------------------------------------------------------------------


class SLATargetForm(forms.ModelForm):
    class Meta:
        model = SLATarget
        fields = ["priority", "first_response", "resolution"]
        field_classes = {"first_response": BusinessDurationField, "resolution": BusinessDurationField}
        help_texts = {
            "first_response": _("Horas hábiles del calendario del plan (horas:minutos)."),
            "resolution": _("Horas hábiles del calendario del plan (horas:minutos)."),
        }

    def has_changed(self):
        # A new plan's five rows come filled in with the default figures: save them even
        # when the coordinator keeps them as they are.
        return self.instance.pk is None or super().has_changed()


class SLATargetFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        return _("Cada prioridad lleva un solo objetivo: hay dos filas con la misma prioridad.")


class SLATargetInline(admin.TabularInline):
    """Exactly one target per priority: five rows, none added or deleted."""

    model = SLATarget
    form = SLATargetForm
    formset = SLATargetFormSet
    extra = 0
    min_num = max_num = len(DEFAULT_TARGETS)
    validate_min = validate_max = True
    can_delete = False


@admin.register(SLAPlan)
class SLAPlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "calendar",
        "is_default",
        "pause_on_pending_user",
        "pause_on_pending_vendor",
        "warning_percent",
        "escalate_on_breach",
        "policy_count",
    ]
    list_filter = ["is_default", "escalate_on_breach", "calendar"]
    list_select_related = ["calendar"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "calendar", "is_default"]}),
        (
            _("Reloj y avisos"),
            {
                "fields": [
                    "pause_on_pending_user",
                    "pause_on_pending_vendor",
                    "warning_percent",
                    "escalate_on_breach",
                    "confirmation_business_days",
                ]
            },
        ),
    ]
    inlines = [SLATargetInline]
    # Deleting several plans at once could take the default one with them.
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(policy_count=Count("policies"))

    @admin.display(description=_("pólizas"), ordering="policy_count")
    def policy_count(self, obj):
        return obj.policy_count

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SLATargetInline) and not obj.pk:
            kwargs["initial"] = [
                {"priority": priority, "first_response": first_response, "resolution": resolution}
                for priority, (first_response, resolution) in DEFAULT_TARGETS.items()
            ]
        return kwargs


# Events ---------------------------------------------------------------------


@admin.register(SLAEvent)
class SLAEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Warnings and breaches as the sweep recorded them: a record, never edited by hand."""

    list_display = ["ticket", "clock", "kind", "at", "due", "notified", "escalated", "recorded_at"]
    list_filter = ["kind", "clock", "notified", "escalated"]
    list_select_related = ["ticket"]
    search_fields = ["^ticket__reference"]
    date_hierarchy = "at"
    show_full_result_count = False
