"""Articles in the admin: agents write drafts, coordinators (knowledge.publish_article)
publish and archive them. Every write goes through knowledge.services, so that each change
of title or body leaves its revision."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.admin import ReadOnlyAdminMixin

from . import services
from .markdown import sanitize_html
from .models import PUBLISH_PERMISSION, Article, ArticleRevision


class ArticleRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ArticleRevision
    fields = ["number", "created_at", "author", "title"]
    readonly_fields = fields
    ordering = ["-number"]
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "visibility", "updated_at", "updated_by", "views", "helpful_yes", "helpful_no"]
    list_filter = ["state", "visibility", "modules"]
    search_fields = ["title", "keywords", "body"]
    list_select_related = ["updated_by"]
    autocomplete_fields = ["modules"]
    readonly_fields = [
        "state",
        "preview",
        "source_ticket",
        "published_at",
        "published_by",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "views",
        "helpful_yes",
        "helpful_no",
    ]
    fields = ["title", "body", "keywords", "modules", "visibility", *readonly_fields]
    inlines = [ArticleRevisionInline]
    actions = ["publish", "archive"]

    @admin.display(description=_("vista previa"))
    def preview(self, obj):
        # body_html is rendered and sanitised on every save; sanitised again here, in case a
        # row was ever written some other way.
        if not obj.pk:
            return "—"
        return format_html("<div class='article-preview'>{}</div>", mark_safe(sanitize_html(obj.body_html)))  # noqa: S308

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("title", "body", "keywords", "visibility")}
        if change:
            saved = services.article_update(article=obj, by=request.user, **data)
        else:
            saved = services.article_create(by=request.user, **data)
        # The admin then sets the modules (save_related) on this instance.
        obj.__dict__.update(saved.__dict__)

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def _run(self, request, queryset, service, done_message):
        done = 0
        for article in queryset:
            try:
                service(article=article, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{article}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Publicar"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_publish,
            lambda n: ngettext("%(count)d artículo publicado.", "%(count)d artículos publicados.", n) % {"count": n},
        )

    @admin.action(description=_("Archivar"), permissions=["publish"])
    def archive(self, request, queryset):
        self._run(
            request,
            queryset,
            services.article_archive,
            lambda n: ngettext("%(count)d artículo archivado.", "%(count)d artículos archivados.", n) % {"count": n},
        )
