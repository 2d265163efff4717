from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_priority_matrix(sender, **kwargs):
    from .models import PriorityRule

    PriorityRule.ensure_defaults()


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        # The one place the default matrix is created: after every migrate and every flush
        # (the test suite's transactional tests flush, which a data migration's rows would
        # not survive); cells a coordinator edited are kept.
        post_migrate.connect(_ensure_priority_matrix, sender=self, dispatch_uid="tickets.ensure_matrix")
