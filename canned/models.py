"""Canned replies (respuestas predefinidas): texts agents insert into a reply or an
internal note, with placeholders filled for the ticket (canned.placeholders). Global, or
for one module of the catalog. docs/workspace.md, «Canned replies»."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The longest title and body the editor accepts.
TITLE_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5_000
# How many words of a search count (the rest are ignored).
SEARCH_MAX_WORDS = 8


class CannedReplyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_ticket(self, ticket):
        """What an agent may insert on `ticket`: the active global replies and the active
        ones of the ticket's module (none of another module's, none archived)."""
        scope = Q(module__isnull=True)
        if ticket.module_id is not None:
            scope |= Q(module_id=ticket.module_id)
        return self.active().filter(scope)

    def matching(self, words: str):
        """Replies whose title or body holds every word of `words` (any case). A plain
        `icontains` per word: the desk has tens of canned replies, not thousands, so a
        scan of the table costs less than an index would be worth."""
        found = self
        for word in words.split()[:SEARCH_MAX_WORDS]:
            found = found.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return found


class CannedReply(models.Model):
    title = models.CharField(_("título"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("texto"))
    module = models.ForeignKey(
        "catalog.Module",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("módulo"),
        help_text=_("Vacío: para todos los tickets."),
    )
    is_active = models.BooleanField(_("activa"), default=True, help_text=_("Las archivadas no se ofrecen."))
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("creada por")
    )
    updated_at = models.DateTimeField(_("modificada el"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("modificada por"),
    )

    objects = CannedReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("respuesta predefinida")
        verbose_name_plural = _("respuestas predefinidas")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_global(self) -> bool:
        return self.module_id is None
