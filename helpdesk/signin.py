"""The sign-in page's forms: its errors in the desk's words, and the password reset, whose
email goes through the outbox like every other (docs/security.md, «Sign-in»)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications.services import email_queue

from .ratelimits import limit_hit


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, saying what went wrong with the words of its own labels
    ("Usuario", "Contraseña"), without telling which of the two was wrong."""

    error_messages = {
        "invalid_login": _(
            "El usuario o la contraseña no son correctos. Revise que estén bien escritos: "
            "la contraseña distingue mayúsculas de minúsculas."
        ),
        "inactive": _("Esta cuenta está desactivada. Pida a un coordinador que la vuelva a activar."),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's "forgot my password" form. Django already emails only the active accounts
    with a usable password whose email matches (any case), and the view answers the same
    page whatever was typed; here the email is queued in the outbox instead of sent."""

    email = forms.EmailField(
        label=_("Correo electrónico"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        """Queue notifications/email/password_reset_* for `to_email`, with the link on the
        desk's public address (HELPDESK_BASE_URL), as every email's links are."""
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        with transaction.atomic():
            email_queue(
                to=to_email,
                template="password_reset",
                context={
                    "user": context["user"],
                    "reset_url": settings.HELPDESK_BASE_URL.rstrip("/") + path,
                    "valid_hours": hours,
                },
                language=translation.get_language(),
            )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's new-password form with the validators' rules as one plain hint (Django's
    is an HTML list, which the desk's field template would put inside a paragraph)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validation.password_validators_help_texts())


def password_reset_allowed(*, email: str, client: str) -> bool:
    """Whether a reset email may be sent for `email` asked from `client` now: at most
    HELPDESK_PASSWORD_RESET_RATE_LIMIT per address typed, three times that per client
    address. Both are counted on every request, whether or not an account has that address,
    so the limit says nothing about which addresses exist."""
    limit, seconds = settings.HELPDESK_PASSWORD_RESET_RATE_LIMIT
    address_over = bool(
        limit_hit(group="password-reset:email", key=email.strip().casefold(), rate=(limit, seconds))
    )
    client_over = bool(client) and bool(limit_hit(group="password-reset:client", key=client, rate=(limit * 3, seconds)))
    return not (address_over or client_over)
