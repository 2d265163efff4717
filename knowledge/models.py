"""The knowledge base: articles that answer a question before it becomes a ticket (the
public ones) or help an agent solve it (the internal ones), their states and revisions.
docs/knowledge.md tells the whole story."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .documents import ArticleSearchDocument
from .markdown import render_markdown

PUBLISH_PERMISSION = "knowledge.publish_article"


def _may_publish(instance, user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(PUBLISH_PERMISSION))


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Article.State.PUBLISHED)

    def public(self):
        """What a requester (or anyone not signed in) may read: published and public. The
        one rule; every page and search for requesters starts here."""
        return self.published().filter(visibility=Article.Visibility.PUBLIC)


class Article(ConcurrentTransitionMixin, models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Público")
        INTERNAL = "internal", _("Solo agentes")

    class State(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        PUBLISHED = "published", _("Publicado")
        ARCHIVED = "archived", _("Archivado")

    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("contenido"), help_text=_("En Markdown."))
    # The body rendered and sanitised (knowledge.markdown), kept on every save.
    body_html = models.TextField(_("contenido en HTML"), blank=True, editable=False)
    modules = models.ManyToManyField(
        "catalog.Module", related_name="articles", blank=True, verbose_name=_("módulos")
    )
    keywords = models.CharField(
        _("palabras clave"), max_length=300, blank=True, help_text=_("Otras palabras con que se busca el artículo.")
    )
    visibility = models.CharField(
        _("visibilidad"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    state = FSMField(_("estado"), max_length=10, choices=State.choices, default=State.DRAFT, protected=True)
    published_at = models.DateTimeField(_("publicado el"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("publicado por"),
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        editable=False,
        verbose_name=_("ticket de origen"),
    )
    views = models.PositiveIntegerField(_("vistas"), default=0, editable=False)
    helpful_yes = models.PositiveIntegerField(_("le sirvió"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("no le sirvió"), default=0, editable=False)
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("creado por"),
    )
    updated_at = models.DateTimeField(_("modificado el"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("modificado por"),
    )
    # PostgreSQL keeps the words of title (A), keywords (B) and body (C) here (knowledge.search);
    # null on other databases.
    search_vector = models.GeneratedField(
        expression=ArticleSearchDocument(), output_field=ArticleSearchDocument.output_field, db_persist=True
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("artículo")
        verbose_name_plural = _("artículos")
        ordering = ["-updated_at", "-id"]
        permissions = [("publish_article", _("Puede publicar y archivar artículos"))]
        indexes = [models.Index(fields=["state", "visibility"], name="article_state_visibility_idx")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The article's public page (it opens only while `is_public`)."""
        return reverse("help:article", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED and self.visibility == self.Visibility.PUBLIC

    @transition(field=state, source=State.DRAFT, target=State.PUBLISHED, permission=_may_publish)
    def publish(self, *, by, at):
        self.published_at = at
        self.published_by = by

    @transition(field=state, source=[State.DRAFT, State.PUBLISHED], target=State.ARCHIVED, permission=_may_publish)
    def archive(self):
        """Out of every list and search; kept, with its revisions."""

    @transition(field=state, source=State.ARCHIVED, target=State.DRAFT)
    def unarchive(self):
        """Back to a draft, to be edited and published again."""

    def restore_revision(self, revision: ArticleRevision) -> None:
        """Put a revision's title and body back (the caller saves, which writes a new
        revision: restoring never rewrites history)."""
        if revision.article_id != self.pk:
            raise ValueError("The revision is another article's.")
        self.title = revision.title
        self.body = revision.body


class ArticleRevision(models.Model):
    """An article's title and body as one save left them: one a save that changed either."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("artículo"))
    number = models.PositiveIntegerField(_("número"))
    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("contenido"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("autor")
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("revisión")
        verbose_name_plural = _("revisiones")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.number}"


class ArticleVote(models.Model):
    """One browser's answer to "¿Le sirvió este artículo?": one per browser and article
    (`browser` is a digest of the help center's browser cookie, never the cookie itself).
    `Article.helpful_yes`/`helpful_no` count them, for ordering by helpfulness."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes", verbose_name=_("artículo"))
    browser = models.CharField(_("navegador"), max_length=64)
    helpful = models.BooleanField(_("le sirvió"))
    at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("voto")
        verbose_name_plural = _("votos")
        constraints = [models.UniqueConstraint(fields=["article", "browser"], name="article_vote_once_per_browser")]
        indexes = [models.Index(fields=["at"], name="article_vote_at_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A requester who, while writing a report, read a suggested article and said "Esto
    resolvió mi problema": a report the desk did not receive."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="deflections", verbose_name=_("artículo")
    )
    at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("incidencia evitada")
        verbose_name_plural = _("incidencias evitadas")
        indexes = [models.Index(fields=["at"], name="deflection_at_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M}"


class ArticleSuggestion(models.Model):
    """A public article that was suggested beside the report form to a report that was
    then submitted anyway. `at` is the report's moment, so that the reports count by
    period without a join."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="article_suggestions", verbose_name=_("ticket")
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("artículo")
    )
    at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("sugerencia")
        verbose_name_plural = _("sugerencias")
        constraints = [models.UniqueConstraint(fields=["ticket", "article"], name="article_suggestion_once")]
        indexes = [models.Index(fields=["at"], name="article_suggestion_at_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"
