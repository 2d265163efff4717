from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("Notificaciones")

    def ready(self):
        # The outbox queues its tasks by name (services._task): register them in every
        # process, the web's included, not only where the worker's autodiscovery runs.
        from . import tasks  # noqa: F401
