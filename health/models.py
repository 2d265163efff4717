from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (beat → worker round trip)."""

    name = models.CharField(_("proceso"), max_length=50, unique=True)
    last_seen = models.DateTimeField(_("última señal"))
    hostname = models.CharField(_("equipo"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("señal de vida")
        verbose_name_plural = _("señales de vida")

    def __str__(self):
        return f"{self.name} · {self.last_seen:%Y-%m-%d %H:%M:%S}"
