from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_default_plan(sender, **kwargs):
    from .models import SLAPlan

    SLAPlan.ensure_defaults()


class SlaConfig(AppConfig):
    """Service levels: plans and targets, business calendars, the clock, deadlines."""

    name = "sla"
    verbose_name = _("Niveles de servicio")

    def ready(self):
        # The one place the default calendars and plan are created: after every migrate and
        # every flush (the test suite's transactional tests flush, which a data migration's
        # rows would not survive); what a coordinator edited is kept.
        post_migrate.connect(_ensure_default_plan, sender=self, dispatch_uid="sla.ensure_default_plan")
