"""The knowledge base in the workspace: agents read every article (internal ones and
drafts included), write and edit them; coordinators publish (docs/knowledge.md, «Writing
and publishing in the workspace»).

Every change is a POST through knowledge.services: scoped getter → form → service →
redirect with a message. When the service refuses, the page comes back with the reason
(and what was typed): 400 bad input, 403 not allowed, 409 the article's state or a newer
change stands in the way."""

from __future__ import annotations

import difflib
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_fsm import can_proceed, has_transition_perm

from accounts.decorators import agent_required
from knowledge import services
from knowledge.markdown import render_markdown
from knowledge.models import Article, ArticleRevision

from .article_forms import BODY_MAX_LENGTH, ArticleForm, ArticleListForm

PAGE_SIZE = 25

# The list's tabs: (value of ?estado=, label).
STATE_TABS = [
    (Article.State.DRAFT, gettext_lazy("Borradores")),
    (Article.State.PUBLISHED, gettext_lazy("Publicados")),
    (Article.State.ARCHIVED, gettext_lazy("Archivados")),
    ("", gettext_lazy("Todos")),
]

# The state changes of an article's page: (name, service, label, success message).
TRANSITIONS = {
    "publish": (services.article_publish, gettext_lazy("Publicar"), gettext_lazy("Artículo publicado.")),
    "archive": (services.article_archive, gettext_lazy("Archivar"), gettext_lazy("Artículo archivado.")),
    "unarchive": (
        services.article_unarchive,
        gettext_lazy("Desarchivar"),
        gettext_lazy("El artículo volvió a ser un borrador."),
    ),
}


def _render(request, template: str, context: dict, status: int = 200):
    """Every page here shows times in the desk's time zone."""
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, {"nav": "articles", **context}, status=status)


def _article_for_agent(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("created_by", "updated_by", "published_by", "source_ticket").defer(
            "search_vector"
        ),
        pk=pk,
    )


# The list -------------------------------------------------------------------------


@require_safe
@agent_required
def articles(request):
    """Every article, newest change first, by state, visibility, module and words: a
    constant number of queries whatever the page's length."""
    form = ArticleListForm(request.GET)
    valid = form.is_valid()
    found = form.filtered(
        Article.objects.select_related("updated_by")
        .prefetch_related("modules")
        .defer("body", "body_html", "search_vector")
    ).order_by("-updated_at", "-id")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return _render(
        request,
        "workspace/articles/list.html",
        {"form": form, "page": page, "tabs": STATE_TABS, "state": form.cleaned_data.get("estado", "")},
        status=200 if valid else 400,
    )


# One article ------------------------------------------------------------------------


def _actions(article: Article, user) -> list[dict]:
    """The state changes `user` may make now: their name, label and address."""
    shown = []
    for name, (_service, label, _done) in TRANSITIONS.items():
        method = getattr(article, name)
        if can_proceed(method) and has_transition_perm(method, user) and user.has_perm(services.CHANGE_PERMISSION):
            shown.append({"name": name, "label": label, "url": reverse(f"workspace:article-{name}", args=[article.pk])})
    return shown


def _article_page(request, article: Article, *, error: str = "", status: int = 200):
    return _render(
        request,
        "workspace/articles/article.html",
        {
            "article": article,
            "modules": list(article.modules.all()),
            "actions": _actions(article, request.user),
            "may_edit": request.user.has_perm(services.CHANGE_PERMISSION),
            "error": error,
        },
        status=status,
    )


@require_safe
@agent_required
def article(request, pk: int):
    return _article_page(request, _article_for_agent(pk))


def _transition_view(name: str):
    service, _label, done = TRANSITIONS[name]

    @require_POST
    @agent_required
    def view(request, pk: int):
        found = _article_for_agent(pk)
        try:
            service(article=found, by=request.user)
        except PermissionDenied as refusal:
            return _article_page(request, found, error=_refusal_text(refusal), status=403)
        except ValidationError as refusal:
            found.refresh_from_db()
            return _article_page(request, found, error=" ".join(refusal.messages), status=409)
        messages.success(request, done)
        return redirect("workspace:article", pk=found.pk)

    view.__name__ = f"article_{name}"
    view.__doc__ = f"POST: the article's «{name}» through knowledge.services."
    return view


article_publish = _transition_view("publish")
article_archive = _transition_view("archive")
article_unarchive = _transition_view("unarchive")


def _refusal_text(refusal: PermissionDenied) -> str:
    return str(refusal) or _("No tiene permiso para hacer eso con los artículos.")


# Writing ------------------------------------------------------------------------------


def _editor_page(request, form: ArticleForm, *, article=None, preview=None, error="", current=None, status=200):
    return _render(
        request,
        "workspace/articles/edit.html",
        {
            "form": form,
            "article": article,
            "preview": preview,
            "error": error,
            "current": current,
        },
        status=status,
    )


def _preview_of(form: ArticleForm) -> str:
    return render_markdown(form.data.get("body", "")[:BODY_MAX_LENGTH])


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def article_new(request):
    if not request.user.has_perm(services.ADD_PERMISSION):
        return _render(
            request,
            "workspace/refused.html",
            {
                "error": _("No tiene permiso para escribir artículos."),
                "back_url": reverse("workspace:articles"),
                "back_label": _("Volver a los artículos"),
            },
            status=403,
        )
    if request.method != "POST":
        return _editor_page(request, ArticleForm())
    form = ArticleForm(request.POST)
    if "preview" in request.POST:
        return _editor_page(request, form, preview=_preview_of(form))
    if not form.is_valid():
        return _editor_page(request, form, error=_("Revise los campos marcados."), status=400)
    try:
        created = services.article_create(by=request.user, **form.service_fields())
    except PermissionDenied as refusal:
        return _editor_page(request, form, error=_refusal_text(refusal), status=403)
    except ValidationError as refusal:
        return _editor_page(request, form, error=" ".join(refusal.messages), status=400)
    messages.success(request, _("Borrador guardado."))
    return redirect("workspace:article", pk=created.pk)


def _stale_text(current: Article) -> str:
    return _(
        "%(who)s modificó este artículo el %(when)s, después de que usted abrió el formulario. "
        "Su texto sigue abajo, sin guardar: compárelo con la versión actual y guárdelo de nuevo si debe quedar el suyo."
    ) % {"who": current.updated_by, "when": _when(current.updated_at)}


def _when(moment) -> str:
    """A moment as the pages show it: in the desk's time zone."""
    return formats.date_format(timezone.localtime(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE)), "DATETIME_FORMAT")


@require_http_methods(["GET", "HEAD", "POST"])
@agent_required
def article_edit(request, pk: int):
    found = _article_for_agent(pk)
    if not request.user.has_perm(services.CHANGE_PERMISSION):
        return _article_page(request, found, error=_("No tiene permiso para escribir artículos."), status=403)
    if request.method != "POST":
        return _editor_page(request, ArticleForm(article=found), article=found, preview=found.body_html)
    form = ArticleForm(request.POST, article=found)
    if "preview" in request.POST:
        return _editor_page(request, form, article=found, preview=_preview_of(form))
    if not form.is_valid():
        return _editor_page(request, form, article=found, error=_("Revise los campos marcados."), status=400)
    try:
        with transaction.atomic():
            # Read under lock, so that nobody saves between this check and the update.
            current = Article.objects.select_for_update(no_key=True).get(pk=found.pk)
            if form.is_stale(current):
                form.renew_version(current)
                return _editor_page(
                    request, form, article=current, error=_stale_text(current), current=current, status=409
                )
            services.article_update(article=current, by=request.user, **form.service_fields())
    except PermissionDenied as refusal:
        return _editor_page(request, form, article=found, error=_refusal_text(refusal), status=403)
    except ValidationError as refusal:
        return _editor_page(request, form, article=found, error=" ".join(refusal.messages), status=400)
    messages.success(request, _("Cambios guardados."))
    return redirect("workspace:article", pk=found.pk)


@require_POST
@agent_required
def article_preview(request):
    """The body as it will be shown (htmx, while typing): renders, saves nothing."""
    body = request.POST.get("body", "")
    if len(body) > BODY_MAX_LENGTH:
        error = _("El contenido es demasiado largo para la vista previa (más de %(n)s caracteres).") % {
            "n": BODY_MAX_LENGTH
        }
        return render(request, "workspace/articles/edit.html#preview", {"preview_error": error}, status=400)
    return render(request, "workspace/articles/edit.html#preview", {"preview": render_markdown(body)})


# Revisions -------------------------------------------------------------------------------


def _diff(old: str, new: str) -> list[tuple[str, str]]:
    """Lines of a unified diff from `old` to `new`: (kind, text), kind one of "added",
    "removed", "context", "hunk". The template escapes the text."""
    kinds = {"+": "added", "-": "removed", "@": "hunk"}
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
    return [(kinds.get(line[:1], "context"), line) for line in list(lines)[2:]]


@require_safe
@agent_required
def article_revisions(request, pk: int):
    """Each revision, newest first, its text and what changed from it to the current one."""
    found = _article_for_agent(pk)
    revisions = list(found.revisions.select_related("author"))
    current_text = f"{found.title}\n\n{found.body}"
    for revision in revisions:
        revision.diff = _diff(f"{revision.title}\n\n{revision.body}", current_text)
    return _render(
        request,
        "workspace/articles/revisions.html",
        {"article": found, "revisions": revisions, "may_edit": request.user.has_perm(services.CHANGE_PERMISSION)},
    )


@require_POST
@agent_required
def article_restore(request, pk: int, number: int):
    found = _article_for_agent(pk)
    revision = get_object_or_404(ArticleRevision, article=found, number=number)
    try:
        services.article_restore_revision(revision=revision, by=request.user)
    except PermissionDenied as refusal:
        return _article_page(request, found, error=_refusal_text(refusal), status=403)
    messages.success(
        request, _("Se restauró la revisión %(number)s, guardada como una revisión nueva.") % {"number": number}
    )
    return redirect("workspace:article", pk=found.pk)
