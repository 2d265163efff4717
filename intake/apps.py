from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """The public channels through which reports arrive (the web form, seed 003)."""

    name = "intake"
    verbose_name = _("Recepción de reportes")
