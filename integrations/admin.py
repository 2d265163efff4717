from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import ReadOnlyAdminMixin

from .models import Integration, MonitoringAlert


def _show_token_once(modeladmin, request, integration, raw_token):
    modeladmin.message_user(
        request,
        _(
            "Token de la integración «%(name)s»: %(token)s — cópielo ahora y guárdelo en la herramienta de "
            "monitoreo: no se volverá a mostrar."
        )
        % {"name": integration.name, "token": raw_token},
        messages.WARNING,
    )


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "token_prefix", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    list_select_related = ["organization"]
    search_fields = ["name", "organization__name", "contact__email", "token_prefix"]
    autocomplete_fields = ["organization", "contact"]
    fields = ["name", "organization", "contact", "is_active", "token_prefix", "created_at", "last_used_at"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]
    actions = ["issue_new_token"]

    def save_model(self, request, obj, form, change):
        raw_token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if raw_token:
            _show_token_once(self, request, obj, raw_token)

    @admin.action(description=_("Generar un token nuevo (el anterior deja de funcionar)"), permissions=["change"])
    def issue_new_token(self, request, queryset):
        for integration in queryset:
            raw_token = integration.issue_token()
            integration.save(update_fields=["token_hash", "token_prefix"])
            _show_token_once(self, request, integration, raw_token)


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["external_id", "integration", "ticket", "repeat_count", "created_at", "updated_at"]
    list_filter = [("integration", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["integration", "ticket"]
    search_fields = ["external_id", "ticket__reference", "integration__name"]
    show_full_result_count = False
