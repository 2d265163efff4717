import base64
import importlib
import sys

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

WEBHOOK_SECRET = "mesa-webhook:Kx9-vQ2rT7-zL4mN8"


def basic_auth(credentials: str = WEBHOOK_SECRET) -> dict:
    """The test client's keyword for an HTTP basic-auth header."""
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def _reload_urls():
    """The inbound URLs are chosen from the settings when the URL modules are imported."""
    for name in ("intake.webhook_urls", "helpdesk.urls"):
        if name in sys.modules:
            importlib.reload(sys.modules[name])
    clear_url_caches()


@pytest.fixture
def inbound_esp():
    """Configure an email provider (ANYMAIL_ESP and the ANYMAIL dict) and mount the URLs as
    the site would at start-up; everything is put back afterwards."""
    overrides = []

    def configure(esp: str, **anymail):
        override = override_settings(ANYMAIL_ESP=esp, ANYMAIL=anymail)
        override.enable()
        overrides.append(override)
        _reload_urls()

    yield configure
    for override in reversed(overrides):
        override.disable()
    _reload_urls()
