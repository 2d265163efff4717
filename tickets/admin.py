"""The coordinators' admin. Every change to a ticket goes through `tickets.services`
(locking, permission checks, history): the admin never saves a ticket itself."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm.admin import FSMAdminMixin

from accounts.roles import is_agent, is_coordinator
from helpdesk.admin import ReadOnlyAdminMixin
from sla.display import sla_light

from . import services
from .forms import TRANSITION_FORMS, BulkAssignForm, TicketAdminForm
from .models import Attachment, Message, PriorityRule, SLAState, Ticket, TicketChange

CLASSIFY_FIELDS = ("urgency", "impact", "module", "kind")


def error_text(error: Exception) -> str:
    """The Spanish text of a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "kind", "author", "body"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AttachmentInline(ReadOnlyInline):
    # No file link: the files are private and served only by views that check access.
    model = Attachment
    fields = ["uploaded_at", "original_name", "content_type", "size", "is_internal"]
    readonly_fields = fields
    ordering = ["uploaded_at", "id"]


class TicketChangeInline(ReadOnlyInline):
    model = TicketChange
    fields = ["at", "actor", "field", "old_display", "new_display", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class SituationFilter(admin.SimpleListFilter):
    """The list opens on the work still to do; closed and cancelled tickets are one click away."""

    title = _("situación")
    parameter_name = "situacion"

    def lookups(self, request, model_admin):
        return [("final", _("Cerrados y cancelados")), ("all", _("Todos"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("En curso"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.not_final()
        if self.value() == "final":
            return queryset.filter(state__in=Ticket.FINAL_STATES)
        return queryset


class SLAStateFilter(admin.SimpleListFilter):
    """The traffic light of the tickets in course, now (TicketQuerySet.in_sla_state)."""

    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return SLAState.choices

    def queryset(self, request, queryset):
        if self.value() in SLAState.values:
            return queryset.in_sla_state(self.value(), timezone.now())
        return queryset


@admin.register(Ticket)
class TicketAdmin(FSMAdminMixin, admin.ModelAdmin):
    form = TicketAdminForm
    # The package's templates live in django_fsm, which is not an installed app here;
    # these copies are also in Spanish.
    change_form_template = "admin/tickets/ticket/change_form.html"
    fsm_transition_form_template = "admin/tickets/ticket/transition_form.html"
    fsm_fields = ["state"]
    fsm_forms = TRANSITION_FORMS
    fsm_transition_success_msg = _("Se aplicó la acción «{transition_name}».")
    fsm_transition_error_msg = _("No se pudo aplicar la acción «{transition_name}»: {error}")
    fsm_transition_not_allowed_msg = _("Usted no puede aplicar esa acción a este ticket.")

    list_display = [
        "reference",
        "subject",
        "requester",
        "organization",
        "module",
        "priority",
        "state",
        "assignee",
        "level",
        "created_at",
        "sla_light",
        "sla_due",
    ]
    list_display_links = ["reference", "subject"]
    list_filter = [SituationFilter, SLAStateFilter, "resolution_met", "state", "priority", "module", "assignee", "level", "organization", "channel", "kind"]
    search_fields = ["^reference", "subject", "requester__name", "requester__email"]
    list_select_related = ["requester", "organization", "module", "assignee"]
    autocomplete_fields = ["module"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["assign_to_agent"]
    inlines = [MessageInline, AttachmentInline, TicketChangeInline]
    fieldsets = [
        (None, {"fields": ["reference", "state", "subject", "description", "occurred_at"]}),
        (_("Solicitante"), {"fields": ["requester", "organization", "channel"]}),
        (_("Clasificación"), {"fields": ["kind", "module", "urgency", "impact", "priority"]}),
        (_("Atención"), {"fields": ["assignee", "level", "escalation_count", "reopen_count", "first_response_at"]}),
        (
            _("Cierre"),
            {
                "fields": [
                    "solution",
                    "resolution_code",
                    "solved_at",
                    "closed_at",
                    "cancel_reason",
                    "cancel_note",
                    "duplicate_of",
                    "cancelled_at",
                ],
                "classes": ["collapse"],
            },
        ),
        (_("Proveedor"), {"fields": ["vendor_name", "vendor_reference"], "classes": ["collapse"]}),
        (
            _("Nivel de servicio (SLA)"),
            {
                "fields": [
                    "sla_plan",
                    "first_response_target",
                    "first_response_warn_at",
                    "first_response_due",
                    "first_response_met",
                    "first_response_time",
                    "resolution_target",
                    "resolution_warn_at",
                    "resolution_due",
                    "resolution_paused",
                    "resolution_paused_since",
                    "resolution_met",
                    "resolution_time",
                ],
                "classes": ["collapse"],
            },
        ),
        (_("Fechas"), {"fields": ["created_at", "updated_at"]}),
    ]

    class Media:
        css = {"all": ["sla/sla.css"]}

    # Service level: from the ticket's own columns, no query per row.

    @admin.display(description=_("SLA"))
    def sla_light(self, obj):
        light = sla_light(obj, timezone.now())
        return format_html(
            '<span class="sla-light sla-{}"><span class="sla-dot" aria-hidden="true"></span>{}</span>'
            '<span class="sla-detail">{}</span>',
            light.colour or "none",
            light.label,
            light.detail,
        )

    @admin.display(description=_("vence"))
    def sla_due(self, obj):
        deadline = obj.sla_deadline()
        return deadline[2] if deadline else "—"

    # Permissions: tickets come from the intake channels and leave only by transitions.

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_assign_permission(self, request):
        return is_coordinator(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.is_final:
            return fieldsets
        # Flagging duplicates only helps while the ticket can still be cancelled as one.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "possible_duplicates"]}), *rest]

    def get_readonly_fields(self, request, obj=None):
        all_fields = [f for section in self.get_fieldsets(request, obj) for f in section[1]["fields"]]
        editable = () if obj is None or obj.is_final else CLASSIFY_FIELDS
        return [f for f in all_fields if f not in editable]

    @admin.display(description=_("Posibles duplicados"))
    def possible_duplicates(self, obj):
        candidates = list(Ticket.objects.possible_duplicates_of(obj))
        if not candidates:
            return _("Ninguno")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} · {} · {}</a></li>',
                (
                    (
                        reverse(f"{self.admin_site.name}:tickets_ticket_change", args=[candidate.pk]),
                        candidate.reference,
                        candidate.subject,
                        candidate.get_state_display(),
                    )
                    for candidate in candidates
                ),
            ),
        )

    # Editing: the classification goes through the service.

    def save_model(self, request, obj, form, change):
        changed = [f for f in CLASSIFY_FIELDS if f in form.changed_data]
        if not change or not changed:
            return
        try:
            services.ticket_classify(ticket=obj, by=request.user, **{f: form.cleaned_data[f] for f in changed})
        except (ValidationError, PermissionDenied) as error:
            request._ticket_admin_failed = True
            self.message_user(request, error_text(error), messages.ERROR)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # After a refused classification, the stock "changed successfully" would be a lie.
        if level == messages.SUCCESS and getattr(request, "_ticket_admin_failed", False):
            return
        super().message_user(request, message, level, *args, **kwargs)

    # Transition buttons: through the services, never obj.save().

    @staticmethod
    def get_fsm_block_label(fsm_field_name):
        return _("Acciones del ticket")

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        label = self.get_fsm_label(self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name))
        try:
            ticket = services.ticket_transition(ticket=obj, name=transition_name, by=request.user, **(kwargs or {}))
        except (ValidationError, PermissionDenied) as error:
            self.message_user(
                request,
                _("No se pudo «%(action)s» el ticket %(reference)s: %(error)s")
                % {"action": str(label).lower(), "reference": obj.reference, "error": error_text(error)},
                messages.ERROR,
            )
            return False
        self.message_user(
            request,
            _("Ticket %(reference)s: «%(action)s» aplicado; ahora está «%(state)s».")
            % {"reference": ticket.reference, "action": label, "state": ticket.get_state_display()},
            messages.SUCCESS,
        )
        return True

    # The phone channel: an agent registers a call on behalf of a contact (workspace).

    def get_urls(self):
        # Before the stock patterns, whose "<object_id>/" would take this path.
        return [
            path(
                "registrar-llamada/",
                self.admin_site.admin_view(self.phone_report_view),
                name="tickets_ticket_phone_report",
            ),
            *super().get_urls(),
        ]

    def has_phone_report_permission(self, request):
        return is_agent(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_register_call": self.has_phone_report_permission(request)}
        return super().changelist_view(request, extra_context)

    def phone_report_view(self, request):
        """Calls are registered in the agents' workspace, with the contact search and the
        on-the-spot contact; this admin entry leads there."""
        if not self.has_phone_report_permission(request):
            raise PermissionDenied
        return redirect("phone:call")

    # Bulk assignment.

    @admin.action(description=_("Asignar a un agente"), permissions=["assign"])
    def assign_to_agent(self, request, queryset):
        tickets = list(queryset.select_related("module"))
        specialty_ids = {t.module.specialty_id for t in tickets if t.module_id}
        form = BulkAssignForm(request.POST if "apply" in request.POST else None, specialty_ids=specialty_ids)
        if form.is_valid():
            self._assign_tickets(request, tickets, form.cleaned_data["assignee"])
            return None  # back to the changelist
        context = {
            **self.admin_site.each_context(request),
            "title": _("Asignar tickets a un agente"),
            "opts": self.model._meta,
            "tickets": tickets,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "assign_to_agent",
        }
        return TemplateResponse(request, "admin/tickets/ticket/assign.html", context)

    def _assign_tickets(self, request, tickets, agent):
        assigned, failures = 0, []
        for ticket in tickets:
            try:
                services.ticket_assign(ticket=ticket, assignee=agent, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                failures.append(f"{ticket.reference}: {error_text(error)}")
            else:
                assigned += 1
        if assigned:
            self.message_user(
                request,
                ngettext(
                    "Se asignó %(count)d ticket a %(agent)s.",
                    "Se asignaron %(count)d tickets a %(agent)s.",
                    assigned,
                )
                % {"count": assigned, "agent": agent},
                messages.SUCCESS,
            )
        if failures:
            self.message_user(
                request,
                ngettext(
                    "No se pudo asignar %(count)d ticket: %(details)s",
                    "No se pudieron asignar %(count)d tickets: %(details)s",
                    len(failures),
                )
                % {"count": len(failures), "details": "; ".join(failures)},
                messages.ERROR,
            )


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    """The urgency × impact matrix: nine fixed cells; only their priority changes.
    A change applies to tickets classified afterwards, not to existing ones."""

    list_display = ["urgency", "impact", "priority"]
    list_display_links = None
    list_editable = ["priority"]
    readonly_fields = ["urgency", "impact"]
    fields = ["urgency", "impact", "priority"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
