"""Inbound email webhooks: only the configured provider's URL exists, and it refuses every
request whose basic auth does not match ANYMAIL_WEBHOOK_SECRET before reading its body."""

import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from anymail import urls as anymail_urls
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from django.test import override_settings
from django.urls import reverse

from customers.models import Contact
from intake import checks
from intake.checks import check_inbound_webhook
from intake.models import InboundEmail
from intake.webhooks import INBOUND_PROVIDERS
from tests.intake.conftest import WEBHOOK_SECRET, basic_auth
from tests.intake.test_email import PNG, raw_email
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POSTMARK_URL = "/anymail/postmark/inbound/"
MAILGUN_URL = "/anymail/mailgun/inbound_mime/"
SIGNING_KEY = "key-firma-3f9a1c"


def postmark_payload(**kwargs) -> str:
    """Postmark's inbound JSON with the raw message included ("Include raw email content")."""
    raw = raw_email(**kwargs).decode()
    return json.dumps({"RawEmail": raw, "MessageID": "c9b1f3d2", "Headers": []})


def post_postmark(client, body, **extra):
    return client.post(POSTMARK_URL, body, content_type="application/json", **extra)


def mailgun_data(raw: bytes, *, key: str = SIGNING_KEY) -> dict:
    timestamp, token = "1700000000", "t0k3n-5e1d"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {"body-mime": raw.decode(), "timestamp": timestamp, "token": token, "signature": signature}


def nothing_written():
    """No ticket, no receipt, and no contact created from a sender (those have no organization)."""
    return not (
        Ticket.objects.exists() or InboundEmail.objects.exists() or Contact.objects.filter(organization=None).exists()
    )


# Credentials --------------------------------------------------------------------


def test_right_credentials_open_a_ticket(client, inbound_esp, requester):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)

    response = post_postmark(client, postmark_payload(sender=requester.email), **basic_auth())

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel) == (requester, Ticket.Channel.EMAIL)


def test_an_email_with_a_large_screenshot_is_received_whole(client, inbound_esp, requester):
    """A 4 MB screenshot (5.5 MB of JSON in base64) is more than Django's default for a
    request body; the desk's limit follows its attachment limits instead."""
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)
    screenshot = PNG + bytes(4 * 1024 * 1024)
    body = postmark_payload(sender=requester.email, attachments=[("pantalla.png", screenshot, "image/png")])
    assert len(body) > 5 * 1024 * 1024

    response = post_postmark(client, body, **basic_auth())

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert [(a.original_name, a.size) for a in ticket.attachments.all()] == [("pantalla.png", len(screenshot))]


def test_a_request_without_credentials_is_refused_and_writes_nothing(client, inbound_esp, requester):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)

    response = post_postmark(client, postmark_payload(sender=requester.email))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert nothing_written()
    requester.refresh_from_db()  # the authorized contact is still there, untouched
    assert not requester.tickets.exists()


@pytest.mark.parametrize(
    "authorization",
    [
        basic_auth("mesa-webhook:otra-clave"),
        basic_auth("otro-usuario:Kx9-vQ2rT7-zL4mN8"),
        basic_auth(WEBHOOK_SECRET + "x"),
        basic_auth(WEBHOOK_SECRET[:-1]),
        basic_auth(":"),
        {"HTTP_AUTHORIZATION": "Bearer " + WEBHOOK_SECRET},
        {"HTTP_AUTHORIZATION": "Basic no-es-base64!"},
        {"HTTP_AUTHORIZATION": "Basic"},
        {"HTTP_AUTHORIZATION": ""},
    ],
    ids=["password", "user", "longer", "shorter", "empty", "bearer", "not-base64", "no-value", "blank"],
)
def test_wrong_credentials_are_refused(client, inbound_esp, requester, authorization):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)

    response = post_postmark(client, postmark_payload(sender=requester.email), **authorization)

    assert response.status_code == 401
    assert nothing_written()


def test_without_a_configured_secret_every_request_is_refused(client, inbound_esp, requester):
    """anymail itself only warns when WEBHOOK_SECRET is unset and accepts the post."""
    inbound_esp("postmark")

    for extra in ({}, basic_auth()):
        response = post_postmark(client, postmark_payload(sender=requester.email), **extra)
        assert response.status_code == 403
    assert nothing_written()


def test_credentials_are_checked_before_the_body_is_read(client, inbound_esp, monkeypatch):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)

    def must_not_parse(self, request):
        raise AssertionError("the body of an unauthenticated request was parsed")

    monkeypatch.setattr(PostmarkInboundWebhookView, "parse_events", must_not_parse)
    assert post_postmark(client, "{esto no es JSON").status_code == 401
    assert client.head(POSTMARK_URL).status_code == 401


def test_a_payload_the_provider_cannot_read_is_a_bad_request(client, inbound_esp):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)

    assert post_postmark(client, "{esto no es JSON", **basic_auth()).status_code == 400
    assert post_postmark(client, "[1, 2]", **basic_auth()).status_code == 400
    assert nothing_written()


# A provider that signs its posts (Mailgun) ---------------------------------------


def test_mailgun_needs_the_secret_and_its_signature(client, inbound_esp, requester):
    inbound_esp("mailgun", WEBHOOK_SECRET=WEBHOOK_SECRET, MAILGUN_WEBHOOK_SIGNING_KEY=SIGNING_KEY)
    data = mailgun_data(raw_email(sender=requester.email))

    assert client.post(MAILGUN_URL, data).status_code == 401
    assert client.post(MAILGUN_URL, {**data, "signature": "0" * 64}, **basic_auth()).status_code == 400
    assert client.post(MAILGUN_URL, mailgun_data(raw_email(), key="otra"), **basic_auth()).status_code == 400
    assert nothing_written()

    response = client.post(MAILGUN_URL, data, **basic_auth())
    assert response.status_code == 200
    assert Ticket.objects.get().requester == requester
    assert reverse("anymail:mailgun_inbound_webhook") == "/anymail/mailgun/inbound/"


def test_mailgun_without_its_signing_key_refuses_instead_of_failing(client, inbound_esp, requester):
    """anymail would raise ImproperlyConfigured (a 500, retried forever); we refuse."""
    inbound_esp("mailgun", WEBHOOK_SECRET=WEBHOOK_SECRET, MAILGUN_API_KEY="key-api")

    response = client.post(MAILGUN_URL, mailgun_data(raw_email(sender=requester.email)), **basic_auth())

    assert response.status_code == 403
    assert nothing_written()


# Which URLs exist ----------------------------------------------------------------

ANYMAIL_ROUTES = [str(pattern.pattern) for pattern in anymail_urls.urlpatterns]


def _as_url(route: str) -> str:
    return "/anymail/" + route.lstrip("^").replace("(_mime)?", "").rstrip("$")


@pytest.mark.parametrize("route", ANYMAIL_ROUTES)
def test_without_a_provider_no_webhook_url_exists(client, inbound_esp, route):
    inbound_esp("", WEBHOOK_SECRET=WEBHOOK_SECRET)
    assert client.post(_as_url(route), {}, **basic_auth()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/anymail/mailgun/inbound/",
        "/anymail/mailgun/inbound_mime/",
        "/anymail/sendgrid/inbound/",
        "/anymail/amazon_ses/inbound/",
        "/anymail/mandrill/",
        "/anymail/postmark/tracking/",
        "/anymail/mailgun/tracking/",
    ],
)
def test_other_providers_and_tracking_urls_do_not_exist(client, inbound_esp, url):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)
    assert client.post(url, {}, **basic_auth()).status_code == 404


@pytest.mark.parametrize("esp", sorted(INBOUND_PROVIDERS))
def test_each_provider_mounts_exactly_its_inbound_urls(client, inbound_esp, esp):
    inbound_esp(esp)
    provider = INBOUND_PROVIDERS[esp]
    own = {_as_url(route) for route, _name in provider.routes}
    for route in ANYMAIL_ROUTES:
        url = _as_url(route)
        status = client.post(url, {}).status_code
        assert (status != 404) == (url in own), (url, status)
    for route, name in provider.routes:
        assert reverse(f"anymail:{name}") == _as_url(route)


@pytest.mark.parametrize("esp", sorted(INBOUND_PROVIDERS))
def test_the_provider_table_uses_anymails_own_routes_names_and_views(esp):
    anymail_routes = {
        (str(pattern.pattern), pattern.name): pattern.callback.view_class for pattern in anymail_urls.urlpatterns
    }
    provider = INBOUND_PROVIDERS[esp]
    for route, name in provider.routes:
        assert anymail_routes[(route, name)] is provider.view


# The deploy check ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("esp", "anymail", "expected"),
    [
        ("", {}, []),
        ("", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, []),
        ("postmark", {}, ["intake.E001"]),
        ("postmark", {"WEBHOOK_SECRET": ""}, ["intake.E001"]),
        ("postmark", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, []),
        ("postmark", {"WEBHOOK_SECRET": [WEBHOOK_SECRET, "anterior:clave-vieja-123"]}, []),
        ("postmark", {"WEBHOOK_SECRET": "sin-dos-puntos"}, ["intake.E002"]),
        ("postmark", {"WEBHOOK_SECRET": "usuario:"}, ["intake.E002"]),
        ("amazon_ses", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, []),
        ("mailgun", {}, ["intake.E001", "intake.E003"]),
        ("mailgun", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E003"]),
        # anymail would fall back to the API key; Mailgun signs with a key of its own.
        ("mailgun", {"WEBHOOK_SECRET": WEBHOOK_SECRET, "MAILGUN_API_KEY": "key-api"}, ["intake.E003"]),
        ("mailgun", {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}, ["intake.E001"]),
        ("mailgun", {"WEBHOOK_SECRET": WEBHOOK_SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}, []),
        ("mandrill", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E003"]),
        ("mandrill", {"WEBHOOK_SECRET": WEBHOOK_SECRET, "MANDRILL_WEBHOOK_KEY": SIGNING_KEY}, []),
        ("postal", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E003"]),
        ("mailersend", {"WEBHOOK_SECRET": WEBHOOK_SECRET, "MAILERSEND_INBOUND_SECRET": SIGNING_KEY}, []),
        ("mailtrap", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E003"]),
        ("resend", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E003"]),
        # A provider anymail receives no mail from: nothing is mounted, nothing to protect.
        ("unisender_go", {}, []),
        ("mailgn", {"WEBHOOK_SECRET": WEBHOOK_SECRET}, ["intake.E005"]),
    ],
)
def test_deploy_check(esp, anymail, expected):
    with override_settings(ANYMAIL_ESP=esp, ANYMAIL=anymail):
        errors = check_inbound_webhook(None)
    assert sorted(error.id for error in errors) == expected
    assert all(error.is_serious() for error in errors)


@pytest.mark.parametrize(("installed", "expected"), [(True, []), (False, ["intake.E004"])])
def test_deploy_check_needs_the_package_that_checks_resends_signature(monkeypatch, installed, expected):
    """anymail checks Resend's signature with svix (django-anymail[resend])."""
    real_find_spec = checks.find_spec
    monkeypatch.setattr(
        checks, "find_spec", lambda name: (object() if installed else None) if name == "svix" else real_find_spec(name)
    )
    anymail = {"WEBHOOK_SECRET": WEBHOOK_SECRET, "RESEND_INBOUND_SECRET": "whsec_x"}
    with override_settings(ANYMAIL_ESP="resend", ANYMAIL=anymail):
        assert [error.id for error in check_inbound_webhook(None)] == expected


def _check_deploy(**variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE") and not key.startswith("ANYMAIL_")
    }
    env.update(
        {
            "SECRET_KEY": "k" * 20 + "-production-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "mesa.example.com",
            "DEBUG": "0",
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_fails_for_a_provider_without_its_webhook_secret():
    result = _check_deploy(ANYMAIL_ESP="postmark", ANYMAIL_POSTMARK_SERVER_TOKEN="token")
    assert result.returncode != 0
    assert "intake.E001" in result.stdout + result.stderr

    result = _check_deploy(
        ANYMAIL_ESP="postmark", ANYMAIL_POSTMARK_SERVER_TOKEN="token", ANYMAIL_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
