from django.contrib import admin

from .models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Read-only: which inbound emails were received, by Message-ID, and where they went."""

    list_display = ["message_id", "ticket", "received_at"]
    list_select_related = ["ticket"]
    search_fields = ["message_id", "ticket__reference"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    readonly_fields = ["key", "message_id", "ticket", "received_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
