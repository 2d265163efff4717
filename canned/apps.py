from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CannedConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "canned"
    verbose_name = _("Respuestas predefinidas")
