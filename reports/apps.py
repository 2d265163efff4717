from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The desk's figures: each ticket's facts, their daily rollup, and the reads of a period."""

    name = "reports"
    verbose_name = _("Informes")
