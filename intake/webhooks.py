"""Inbound email webhooks: only the configured provider's, and only with its credentials.

anymail's own `anymail.urls` mounts every provider's inbound *and* tracking webhooks and,
when ANYMAIL["WEBHOOK_SECRET"] is unset, accepts posts from anyone (it only warns). The desk
receives mail from one provider (settings.ANYMAIL_ESP) and uses no tracking events, so it
mounts that provider's inbound view(s) alone, each behind a guard that refuses a request
before anything reads its body unless:

- WEBHOOK_SECRET is configured and the request's basic auth matches it (constant time);
- for a provider that signs its posts and whose signature anymail checks (Mailgun,
  Mandrill, Postal, MailerSend, Mailtrap, Resend), that signing key is configured too:
  anymail then refuses a bad signature itself (400).

The deploy check in `intake.checks` fails when either is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from anymail.utils import get_anymail_setting, get_request_basic_auth
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.brevo import BrevoInboundWebhookView
from anymail.webhooks.mailersend import MailerSendInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.mailtrap import MailtrapInboundWebhookView
from anymail.webhooks.mandrill import MandrillCombinedWebhookView
from anymail.webhooks.postal import PostalInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.resend import ResendInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sendinblue import SendinBlueInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.urls import path, re_path
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundProvider:
    """One provider's inbound webhook as anymail defines it: its view class, its routes
    with anymail's URL names, and the setting holding the key of its signature, if any."""

    view: type
    routes: tuple[tuple[str, str], ...]  # (route, URL name); a route starting with "^" is a regex
    signing_key: str = ""  # anymail's setting name without the provider prefix, e.g. "WEBHOOK_SIGNING_KEY"
    signing_key_bare: bool = False  # anymail also reads the setting without the "ANYMAIL_" prefix
    signature_module: str = ""  # the package anymail checks the signature with, if not anymail itself

    @property
    def esp_name(self) -> str:
        return self.view.esp_name

    @property
    def signing_key_setting(self) -> str:
        """The name an operator sets, e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY."""
        return f"ANYMAIL_{self.esp_name.upper().replace(' ', '_')}_{self.signing_key}"

    def signing_key_value(self):
        if not self.signing_key:
            return None
        return get_anymail_setting(
            self.signing_key.lower(), esp_name=self.esp_name, default=None, allow_bare=self.signing_key_bare
        )


# Keyed by the value of ANYMAIL_ESP (the name of anymail's backend module). Routes and names
# are anymail's own (anymail/urls.py); a test keeps them in step with the installed anymail.
INBOUND_PROVIDERS: dict[str, InboundProvider] = {
    "amazon_ses": InboundProvider(
        # anymail does not verify SNS signatures yet: the basic auth is the protection.
        AmazonSESInboundWebhookView,
        (("amazon_ses/inbound/", "amazon_ses_inbound_webhook"),),
    ),
    "brevo": InboundProvider(BrevoInboundWebhookView, (("brevo/inbound/", "brevo_inbound_webhook"),)),
    "sendinblue": InboundProvider(
        SendinBlueInboundWebhookView, (("sendinblue/inbound/", "sendinblue_inbound_webhook"),)
    ),
    "mailersend": InboundProvider(
        MailerSendInboundWebhookView,
        (("mailersend/inbound/", "mailersend_inbound_webhook"),),
        signing_key="INBOUND_SECRET",
    ),
    "mailgun": InboundProvider(
        MailgunInboundWebhookView,
        # ".../inbound/" posts parsed fields, ".../inbound_mime/" the raw message.
        ((r"^mailgun/inbound(_mime)?/$", "mailgun_inbound_webhook"),),
        signing_key="WEBHOOK_SIGNING_KEY",
    ),
    "mailjet": InboundProvider(MailjetInboundWebhookView, (("mailjet/inbound/", "mailjet_inbound_webhook"),)),
    "mailtrap": InboundProvider(
        MailtrapInboundWebhookView,
        (("mailtrap/inbound/", "mailtrap_inbound_webhook"),),
        signing_key="INBOUND_SECRET",
    ),
    "mandrill": InboundProvider(
        # Mandrill has one combined URL for inbound and tracking; tracking events reach no receiver.
        MandrillCombinedWebhookView,
        (("mandrill/", "mandrill_webhook"),),
        signing_key="WEBHOOK_KEY",
        signing_key_bare=True,
    ),
    "postal": InboundProvider(
        PostalInboundWebhookView,
        (("postal/inbound/", "postal_inbound_webhook"),),
        signing_key="WEBHOOK_KEY",
        signing_key_bare=True,
    ),
    "postmark": InboundProvider(PostmarkInboundWebhookView, (("postmark/inbound/", "postmark_inbound_webhook"),)),
    "resend": InboundProvider(
        ResendInboundWebhookView,
        (("resend/inbound/", "resend_inbound_webhook"),),
        signing_key="INBOUND_SECRET",
        signature_module="svix",
    ),
    "sendgrid": InboundProvider(
        # anymail checks no signature on SendGrid's inbound parse webhook.
        SendGridInboundWebhookView,
        (("sendgrid/inbound/", "sendgrid_inbound_webhook"),),
    ),
    "sparkpost": InboundProvider(
        SparkPostInboundWebhookView, (("sparkpost/inbound/", "sparkpost_inbound_webhook"),)
    ),
}


def webhook_secrets() -> list[str]:
    """The accepted "user:password" strings (anymail allows a list, to rotate them)."""
    value = get_anymail_setting("webhook_secret", default=None)
    if not value:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [secret for secret in values if isinstance(secret, str) and secret]


def webhook_refusal(request, provider: InboundProvider) -> HttpResponse | None:
    """The answer to a request that must not reach anymail's view, or None to let it in.
    Reads nothing but the Authorization header."""
    secrets = webhook_secrets()
    if not secrets:
        logger.error("Inbound %s webhook refused: ANYMAIL_WEBHOOK_SECRET is not set", provider.esp_name)
        return HttpResponse(_("La recepción de correo por webhook no está configurada."), status=403)
    if provider.signing_key and not provider.signing_key_value():
        logger.error("Inbound %s webhook refused: %s is not set", provider.esp_name, provider.signing_key_setting)
        return HttpResponse(_("La recepción de correo por webhook no está configurada."), status=403)
    given = get_request_basic_auth(request) or ""
    # Every configured secret is compared, so the time does not tell which one nearly matched.
    matches = [constant_time_compare(given, secret) for secret in secrets]
    if not given or not any(matches):
        logger.warning("Inbound %s webhook refused: missing or wrong credentials", provider.esp_name)
        response = HttpResponse(_("Credenciales ausentes o incorrectas."), status=401)
        response["WWW-Authenticate"] = 'Basic realm="anymail", charset="UTF-8"'
        return response
    return None


class _UnreadablePayloadIsBadRequest:
    """A body the provider's parser cannot read (not JSON, fields missing, MIME parts nested
    beyond Python's stack) is the sender's error: 400, which providers do not retry, instead of a 500. Errors while receiving the
    message (the database) still answer 500, so the provider retries and nothing is lost."""

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as error:
            logger.warning("Inbound %s webhook: unreadable payload (%s)", self.esp_name, type(error).__name__)
            raise BadRequest("unreadable webhook payload") from error


def inbound_view(provider: InboundProvider):
    """anymail's view for this provider behind the credentials guard. The guard runs before
    anymail's view is even built, since building it reads (and may fail on) the settings."""
    view_class = type(provider.view.__name__, (_UnreadablePayloadIsBadRequest, provider.view), {})
    anymail_view = view_class.as_view()

    @csrf_exempt  # a provider posts without a CSRF token; the credentials stand in for it
    @login_not_required
    def view(request, *args, **kwargs):
        refusal = webhook_refusal(request, provider)
        if refusal is not None:
            return refusal
        return anymail_view(request, *args, **kwargs)

    view.view_class = provider.view
    return view


def inbound_urlpatterns(esp: str) -> list:
    """The URL patterns of the configured provider's inbound webhook; none without one."""
    provider = INBOUND_PROVIDERS.get(esp or "")
    if provider is None:
        return []
    view = inbound_view(provider)
    return [
        (re_path if route.startswith("^") else path)(route, view, name=name) for route, name in provider.routes
    ]
