from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """The public channels through which reports arrive (the web form, seed 003; email, seed 000)."""

    name = "intake"
    verbose_name = _("Recepción de reportes")

    def ready(self):
        from anymail.signals import inbound

        from .email import inbound_received

        # Every ESP's inbound webhook (/anymail/<esp>/inbound/) sends this signal.
        inbound.connect(inbound_received, dispatch_uid="intake.email.inbound_received")
