from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Closing the loop: the requester confirms a solution, then rates the service."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = _("Confirmación y encuestas")
