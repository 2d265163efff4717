from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """The public channels: the web form, inbound email, the requester's page."""

    name = "intake"
    verbose_name = _("Recepción de reportes")

    def ready(self):
        from anymail.signals import inbound

        from .checks import check_inbound_webhook
        from .email import inbound_received

        # The configured ESP's inbound webhook (intake.webhook_urls) sends this signal.
        inbound.connect(inbound_received, dispatch_uid="intake.email.inbound_received")
        # `check --deploy` fails when that webhook would refuse every message or accept anyone's.
        checks.register(check_inbound_webhook, checks.Tags.security, deploy=True)
