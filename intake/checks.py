"""Deploy checks of the email channel (`manage.py check --deploy`).

An email provider configured without the webhook secret (or, for a provider that signs its
posts, without its signing key) would refuse every inbound message: say so before going live.
"""

from __future__ import annotations

from importlib.util import find_spec

from django.conf import settings
from django.core.checks import Error
from django.utils.translation import gettext_lazy as _

from .webhooks import INBOUND_PROVIDERS, webhook_secrets

SECRET_HINT = _(
    "Defina ANYMAIL_WEBHOOK_SECRET=usuario:clave (una clave larga y aleatoria) y apunte la ruta "
    "de correo entrante del proveedor a https://usuario:clave@SU-HOST/anymail/…"
)


def _backend_exists(esp: str) -> bool:
    try:
        return find_spec(f"anymail.backends.{esp}") is not None
    except (ImportError, ValueError):
        return False


def check_inbound_webhook(app_configs, **kwargs) -> list[Error]:
    esp = getattr(settings, "ANYMAIL_ESP", "") or ""
    if not esp:
        return []
    if not _backend_exists(esp):
        return [
            Error(
                _("ANYMAIL_ESP vale «%(esp)s», que no es un proveedor de anymail.") % {"esp": esp},
                hint=_("Use el nombre de un backend de anymail: mailgun, postmark, amazon_ses, brevo…"),
                id="intake.E005",
            )
        ]
    provider = INBOUND_PROVIDERS.get(esp)
    if provider is None:  # anymail receives no mail from this provider: no webhook is mounted
        return []
    errors = []
    secrets = webhook_secrets()
    if not secrets:
        errors.append(
            Error(
                _("ANYMAIL_ESP es «%(esp)s» pero ANYMAIL_WEBHOOK_SECRET no está definido: el webhook de correo "
                  "entrante rechazará todos los mensajes.") % {"esp": esp},
                hint=SECRET_HINT,
                id="intake.E001",
            )
        )
    elif not all(user and password for user, _sep, password in (secret.partition(":") for secret in secrets)):
        errors.append(
            Error(
                _("ANYMAIL_WEBHOOK_SECRET debe tener la forma usuario:clave, con ambas partes."),
                hint=SECRET_HINT,
                id="intake.E002",
            )
        )
    if provider.signing_key and not provider.signing_key_value():
        errors.append(
            Error(
                _("%(provider)s firma sus webhooks y %(setting)s no está definido: el correo entrante se "
                  "rechazará.") % {"provider": provider.esp_name, "setting": provider.signing_key_setting},
                hint=_("Copie la clave de firma de webhooks del panel del proveedor en %(setting)s.")
                % {"setting": provider.signing_key_setting},
                id="intake.E003",
            )
        )
    elif provider.signature_module and find_spec(provider.signature_module) is None:
        errors.append(
            Error(
                _("La firma de %(provider)s se comprueba con el paquete %(module)s, que no está instalado.")
                % {"provider": provider.esp_name, "module": provider.signature_module},
                hint=_("Instale django-anymail[%(esp)s].") % {"esp": esp},
                id="intake.E004",
            )
        )
    return errors
