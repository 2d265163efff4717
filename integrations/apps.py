from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The monitoring channel: tools that open incidents through an HTTP API with a token."""

    name = "integrations"
    verbose_name = _("Integraciones de monitoreo")
