"""Outgoing email configuration: EMAIL_URL (django-environ's email_url) names the SMTP
server, EMAIL_BACKEND still chooses the backend, ANYMAIL_ESP wins over both. Each row
imports the real settings module in a fresh interpreter with only those variables set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
NAMES = [
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
]


def email_settings(**variables) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "ANYMAIL_", "DJANGO_")) and key not in ("DEBUG",)
    }
    env.update({"SECRET_KEY": "s" * 60, "DEBUG": "0", **variables})
    script = f"import json; from helpdesk import settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"EMAIL_URL": "smtp://avisos:clave@smtp.example.com:25"},
            {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": 25,
             "EMAIL_HOST_USER": "avisos", "EMAIL_HOST_PASSWORD": "clave", "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False},
        ),
        (
            # STARTTLS on the submission port; a password with "@" and "/" is percent-encoded.
            {"EMAIL_URL": "smtp+tls://mesa%40example.com:p%40ss%2Fw0rd@smtp.example.com:587"},
            {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": 587,
             "EMAIL_HOST_USER": "mesa@example.com", "EMAIL_HOST_PASSWORD": "p@ss/w0rd",
             "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            {"EMAIL_URL": "smtp+ssl://avisos:clave@smtp.example.com:465"},
            {"EMAIL_BACKEND": SMTP, "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": 465,
             "EMAIL_HOST_USER": "avisos", "EMAIL_HOST_PASSWORD": "clave", "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True},
        ),
        ({"EMAIL_URL": "consolemail://"}, {"EMAIL_BACKEND": CONSOLE}),
        # Nothing set: the console, and Django's harmless SMTP defaults behind it.
        ({}, {"EMAIL_BACKEND": CONSOLE, "EMAIL_HOST": "localhost", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False,
              "EMAIL_USE_SSL": False}),
        # EMAIL_BACKEND alone keeps working as before.
        ({"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
         {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}),
        # EMAIL_BACKEND names the class (e.g. a custom SMTP backend), EMAIL_URL the server.
        ({"EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587", "EMAIL_BACKEND": "myapp.mail.AuditedSMTPBackend"},
         {"EMAIL_BACKEND": "myapp.mail.AuditedSMTPBackend", "EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": 587,
          "EMAIL_USE_TLS": True}),
        # An email provider through anymail wins: EMAIL_URL is not used.
        ({"ANYMAIL_ESP": "postmark", "EMAIL_URL": "smtp://u:p@smtp.example.com:25"},
         {"EMAIL_BACKEND": "anymail.backends.postmark.EmailBackend"}),
    ],
    ids=["smtp", "smtp+tls", "smtp+ssl", "console", "unset", "backend-only", "backend-and-url", "anymail-wins"],
)
def test_email_url_configures_outgoing_mail(variables, expected):
    configured = email_settings(**variables)
    assert {name: configured[name] for name in expected} == expected


def test_smtp_has_a_timeout_so_a_silent_server_cannot_hold_a_worker():
    assert email_settings(EMAIL_URL="smtp://smtp.example.com:25")["EMAIL_TIMEOUT"] == 30
    assert email_settings(EMAIL_URL="smtp://smtp.example.com:25", EMAIL_TIMEOUT="5")["EMAIL_TIMEOUT"] == 5


def test_an_unknown_scheme_stops_the_desk_with_a_clear_error():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "ANYMAIL_", "DJANGO_"))}
    env.update({"SECRET_KEY": "s" * 60, "DEBUG": "0", "EMAIL_URL": "http://smtp.example.com"})
    result = subprocess.run(
        [sys.executable, "-c", "import helpdesk.settings"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Invalid email schema http" in result.stderr
