import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    """One inbound email already received, by its Message-ID. ESPs redeliver a webhook
    they think failed and MTAs retry a pipe: the unique key makes the second delivery a
    no-op, decided by the database even when both arrive at once."""

    key = models.CharField(_("clave"), max_length=64, unique=True, help_text=_("SHA-256 del Message-ID."))
    message_id = models.CharField(_("Message-ID"), max_length=255)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticket"),
    )
    received_at = models.DateTimeField(_("recibido"), default=timezone.now)

    class Meta:
        verbose_name = _("correo recibido")
        verbose_name_plural = _("correos recibidos")

    def __str__(self):
        return self.message_id

    @staticmethod
    def normalize(message_id: str) -> str:
        return (message_id or "").strip().strip("<>").strip()

    @classmethod
    def key_for(cls, message_id: str) -> str:
        return hashlib.sha256(cls.normalize(message_id).encode("utf-8", "surrogatepass")).hexdigest()
