"""Monitoring integrations (one token each) and the alerts they have reported.

The raw token is shown once when it is issued and never stored: only its SHA-256
(looked up by an indexed, unique column) and its first characters, to recognize it."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.tokens import hash_secret

TOKEN_PREFIX_LENGTH = 8


class IntegrationQuerySet(models.QuerySet):
    def for_token(self, raw_token: str) -> "Integration | None":
        """The active integration whose token this is. The lookup is by the token's hash,
        so timing reveals nothing about the secret itself."""
        if not raw_token:
            return None
        return self.select_related("organization", "contact").filter(
            token_hash=hash_secret(raw_token), is_active=True
        ).first()


class Integration(models.Model):
    """A monitoring tool (Zabbix, Nagios, Uptime Kuma…) allowed to open incidents
    for one organization, on behalf of one of its contacts."""

    name = models.CharField(_("nombre"), max_length=200)
    organization = models.ForeignKey(
        "customers.Organization",
        on_delete=models.PROTECT,
        related_name="integrations",
        verbose_name=_("organización"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.PROTECT,
        related_name="integrations",
        verbose_name=_("solicitante"),
        help_text=_("Contacto de la organización a cuyo nombre se abren los tickets de esta integración."),
    )
    token_hash = models.CharField(_("huella del token"), max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(
        _("inicio del token"),
        max_length=TOKEN_PREFIX_LENGTH,
        editable=False,
        help_text=_("Los primeros caracteres del token, para reconocerlo; el token completo no se guarda."),
    )
    is_active = models.BooleanField(
        _("activa"), default=True, help_text=_("Desmarque para rechazar las peticiones de esta integración.")
    )
    created_at = models.DateTimeField(_("creada"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True, editable=False)

    objects = IntegrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("integración de monitoreo")
        verbose_name_plural = _("integraciones de monitoreo")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.organization})" if self.organization_id else self.name

    def clean(self):
        if self.contact_id and self.organization_id and self.contact.organization_id != self.organization_id:
            raise ValidationError(
                {"contact": _("El solicitante debe ser un contacto de la organización elegida.")}, code="organization"
            )

    def issue_token(self) -> str:
        """A new secret (256 bits), replacing any previous one; returned once, never stored.
        The caller saves the integration."""
        raw_token = secrets.token_urlsafe(32)
        self.token_hash = hash_secret(raw_token)
        self.token_prefix = raw_token[:TOKEN_PREFIX_LENGTH]
        return raw_token


class MonitoringAlert(models.Model):
    """An alert an integration identified by its own id: repeats of it join the same
    ticket while that ticket is in course (idempotency)."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("integración")
    )
    external_id = models.CharField(_("identificador externo"), max_length=200)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="monitoring_alerts", verbose_name=_("ticket")
    )
    repeat_count = models.PositiveIntegerField(
        _("repeticiones"), default=1, help_text=_("Veces que se recibió la alerta para el ticket actual.")
    )
    created_at = models.DateTimeField(_("recibida"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("última repetición"), auto_now=True)

    class Meta:
        verbose_name = _("alerta de monitoreo")
        verbose_name_plural = _("alertas de monitoreo")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "external_id"], name="monitoring_alert_unique_external_id"),
        ]

    def __str__(self):
        return f"{self.external_id} → {self.ticket}"
