"""The configured email provider's inbound webhook, under /anymail/ (intake.webhooks).

Chosen once, from settings.ANYMAIL_ESP, when the URLs are loaded: another provider's URL,
any tracking URL, and every URL when no provider is configured, answer 404.
"""

from django.conf import settings

from .webhooks import inbound_urlpatterns

# anymail's namespace, so that its URL names (e.g. "anymail:postmark_inbound_webhook") work.
app_name = "anymail"
urlpatterns = inbound_urlpatterns(settings.ANYMAIL_ESP)
