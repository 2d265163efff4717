from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AgentProfile, User


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    can_delete = False
    fields = ["level", "specialties", "is_available"]
    filter_horizontal = ["specialties"]
    verbose_name_plural = _("perfil de agente")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "support_level", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "agent_profile__level"]
    list_select_related = ["agent_profile"]
    inlines = [AgentProfileInline]

    def get_inlines(self, request, obj):
        # The add form only asks for a username and password; the profile comes after.
        return self.inlines if obj is not None else []

    @admin.display(description=_("nivel"), ordering="agent_profile__level")
    def support_level(self, obj):
        profile = getattr(obj, "agent_profile", None)
        return profile.get_level_display() if profile else "—"


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "level", "specialty_list", "is_available"]
    list_filter = ["level", "is_available", "specialties"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["specialties"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("specialties")

    @admin.display(description=_("especialidades"))
    def specialty_list(self, obj):
        return ", ".join(s.name for s in obj.specialties.all()) or "—"
