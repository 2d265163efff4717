from django.contrib import admin
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contact, Organization, SupportPolicy


class SupportPolicyInline(admin.TabularInline):
    model = SupportPolicy
    extra = 0
    fields = ["name", "number", "starts_on", "ends_on", "is_active", "sla_plan", "in_force"]
    readonly_fields = ["in_force"]

    @admin.display(description=_("vigente"), boolean=True)
    def in_force(self, obj):
        # The blank extra row has no dates yet.
        return obj.is_in_force() if obj.pk else None


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "tax_id", "email_domain", "is_active", "has_policy_in_force", "contact_count"]
    list_filter = ["is_active"]
    search_fields = ["name", "tax_id", "email_domain"]
    fields = ["name", "tax_id", "email_domain", "phone", "is_active", "notes", "contact_count", "created_at"]
    readonly_fields = ["contact_count", "created_at"]
    inlines = [SupportPolicyInline]

    def get_queryset(self, request):
        in_force = SupportPolicy.objects.in_force().filter(organization=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(contact_count=Count("contacts", distinct=True), has_policy_in_force=Exists(in_force))
        )

    @admin.display(description=_("contactos"), ordering="contact_count")
    def contact_count(self, obj):
        return obj.contact_count

    @admin.display(description=_("póliza vigente"), boolean=True, ordering="has_policy_in_force")
    def has_policy_in_force(self, obj):
        return obj.has_policy_in_force


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organization", "is_authorized"]
    list_filter = ["is_authorized", ("organization", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organization"]
    search_fields = ["name", "email", "organization__name"]
    autocomplete_fields = ["organization"]
    fields = ["name", "email", "organization", "is_authorized", "phone", "job_title", "created_at"]
    readonly_fields = ["created_at"]


class PolicyValidityFilter(admin.SimpleListFilter):
    title = _("vigencia")
    parameter_name = "vigencia"

    def lookups(self, request, model_admin):
        return [("vigente", _("Vigente")), ("vencida", _("Vencida")), ("futura", _("Futura"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "vigente":
            return queryset.in_force(today)
        if self.value() == "vencida":
            return queryset.filter(ends_on__lt=today)
        if self.value() == "futura":
            return queryset.filter(starts_on__gt=today)
        return queryset


@admin.register(SupportPolicy)
class SupportPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "number", "starts_on", "ends_on", "is_active", "is_in_force", "sla_plan"]
    list_filter = [PolicyValidityFilter, "is_active", "sla_plan"]
    list_select_related = ["organization", "sla_plan"]
    search_fields = ["name", "number", "organization__name"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "ends_on"
