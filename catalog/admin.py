from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import Module, Specialty


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "module_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(module_count=Count("modules"))

    @admin.display(description=_("módulos"), ordering="module_count")
    def module_count(self, obj):
        return obj.module_count


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "is_active"]
    list_filter = ["is_active", "specialty"]
    list_select_related = ["specialty"]
    search_fields = ["name", "specialty__name"]
    autocomplete_fields = ["specialty"]
    fields = ["name", "specialty", "is_active", "description", "policies", "protocol"]
