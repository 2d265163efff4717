from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.admin import ReadOnlyAdminMixin

from . import services
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The outbox, read-only: what was sent, to whom, and what is stuck and why."""

    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at", "ticket"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "ticket__reference", "=message_id"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry_now"]
    fields = [
        "to",
        "reply_to",
        "subject",
        "template",
        "ticket",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "provider_message_id",
        "last_error",
        "headers",
        "body_text",
        "body_html",
    ]
    readonly_fields = fields
    # Emails whose body carries a link that signs someone in (a password reset): whoever
    # reads the outbox must not be able to take that account over (docs/security.md, «Sign-in»).
    confidential_templates = frozenset({"password_reset"})

    def get_fields(self, request, obj=None):
        if obj is not None and obj.template in self.confidential_templates:
            return [field for field in self.fields if field not in ("body_text", "body_html")]
        return self.fields

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outgoingemail")

    @admin.action(description=_("Reintentar ahora"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.email_retry_now(emails=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d correo se enviará de nuevo.",
                "%(count)d correos se enviarán de nuevo.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
