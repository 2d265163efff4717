"""The email outbox: every outgoing email is a row here before it is sent.

A row is rendered and saved inside the caller's transaction, sent by a task on commit,
and retried by beat (`notifications.flush_outbox`) until it is sent or given up, so an
email owed is not lost when Redis or the provider is down for a while.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now):
        """Rows the sweep should (re)send: pending ones whose retry time has come, and
        ones left "sending" past their lease by a worker that died mid-send."""
        return self.filter(
            status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING],
            next_attempt_at__lte=now,
        )


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SENDING = "sending", _("Enviando")
        SENT = "sent", _("Enviado")
        FAILED = "failed", _("Fallido")

    to = models.EmailField(_("para"))
    subject = models.CharField(_("asunto"), max_length=300)
    body_text = models.TextField(_("cuerpo (texto)"))
    body_html = models.TextField(_("cuerpo (HTML)"), blank=True)
    reply_to = models.EmailField(_("responder a"), blank=True)
    headers = models.JSONField(_("encabezados"), default=dict, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("ticket"),
    )
    template = models.CharField(_("plantilla"), max_length=100)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    # When pending: the earliest next try. When sending: the end of the sender's lease.
    next_attempt_at = models.DateTimeField(_("próximo intento"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)
    provider_message_id = models.CharField(_("id del proveedor"), max_length=255, blank=True)
    # Ours, random, the same on every attempt: a reply quoting it (In-Reply-To, References)
    # finds the ticket, and a resend is recognisably the same message.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    # Written by each claim: the worker whose claim's answer was lost can tell, once the
    # database is back, whether the row is its own; later writes are conditional on it.
    claim_token = models.CharField(_("reclamo"), max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("último error"), blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("correo saliente")
        verbose_name_plural = _("correos salientes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due_idx"),
        ]

    def __str__(self):
        return f"{self.to} · {self.subject}"
