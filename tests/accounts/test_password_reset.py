"""«¿Olvidó su contraseña?» (docs/security.md, «Sign-in»): the email goes through the
outbox with a link on the desk's public address; the page answers the same whatever was
typed; the link sets a new password once."""

import re

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from notifications.models import OutgoingEmail
from tests.factories import UserFactory
from tests.links import DESK_URL, path_of

pytestmark = pytest.mark.django_db

RESET = reverse("password_reset")
DONE = reverse("password_reset_done")
# The link of the email: /entrar/contrasena/<uidb64>/<token>/ on the desk's public address.
LINK = re.compile(re.escape(DESK_URL) + r"/entrar/contrasena/[A-Za-z0-9_-]+/[a-z0-9]+-[0-9a-f]+/")


def ask(client, email: str, **extra):
    return client.post(RESET, {"email": email}, **extra)


def link_of(email: OutgoingEmail) -> str:
    (link,) = set(LINK.findall(email.body_text))
    assert f'href="{link}"' in email.body_html  # the same link in both parts
    return link


def set_password(client, link: str, password: str):
    """Open the emailed link as a browser does and send the new password twice."""
    opened = client.get(path_of(link))
    # Django moves the token out of the address before showing the form.
    assert opened.status_code == 302
    form_page = opened["Location"]
    assert form_page.endswith("/nueva/")
    return client.post(form_page, {"new_password1": "Otra-clave-larga-9", "new_password2": "Otra-clave-larga-9"})


@pytest.fixture
def staff(db):
    return UserFactory(username="rosa", first_name="Rosa", last_name="Martínez", email="rosa@mesa.example.mx")


def test_a_known_address_gets_one_email_through_the_outbox(client, staff, desk_address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "ROSA@mesa.example.mx")

    assert response.status_code == 302 and response["Location"] == DONE
    email = OutgoingEmail.objects.get()
    assert (email.to, email.template, email.ticket) == ("rosa@mesa.example.mx", "password_reset", None)
    assert email.subject == "Elija una contraseña nueva para Mesa de ayuda"
    assert "Hola, Rosa Martínez:" in email.body_text
    assert "la cuenta rosa" in email.body_text
    assert "El enlace sirve una sola vez y durante 2 horas." in email.body_text
    link_of(email)
    # Sent by the outbox's worker, not by Django's own send_mail.
    assert email.status == OutgoingEmail.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Elija una contraseña nueva para Mesa de ayuda"]


@pytest.mark.parametrize(
    "account",
    [
        pytest.param(None, id="unknown-address"),
        pytest.param({"is_active": False}, id="inactive-account"),
        pytest.param({"unusable_password": True}, id="unusable-password"),
    ],
)
def test_other_addresses_get_the_same_answer_and_no_email(client, account, staff):
    if account is not None:
        if account.get("unusable_password"):
            staff.set_unusable_password()
        staff.is_active = account.get("is_active", True)
        staff.save()
    known = UserFactory(username="luis", email="luis@mesa.example.mx")

    answer = ask(client, "nadie@mesa.example.mx" if account is None else staff.email)
    page = client.get(answer["Location"])
    known_answer = ask(client, known.email)

    assert (answer.status_code, answer["Location"]) == (known_answer.status_code, known_answer["Location"])
    assert page.status_code == 200
    assert "Si el correo que escribió es el de una cuenta activa de la mesa" in page.content.decode()
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["luis@mesa.example.mx"]


def test_the_link_sets_a_new_password_once(client, staff, desk_address):
    ask(client, staff.email)
    link = link_of(OutgoingEmail.objects.get())

    done = set_password(client, link, "Otra-clave-larga-9")
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert "Contraseña guardada" in client.get(done["Location"]).content.decode()
    signed_in = client.post(reverse("login"), {"username": "rosa", "password": "Otra-clave-larga-9"})
    assert signed_in.status_code == 302
    client.post(reverse("logout"))

    # The same link again: refused, with a way to ask for another.
    again = client.get(path_of(link), follow=True)
    body = again.content.decode()
    assert "Enlace no válido" in body
    assert "Este enlace ya se usó o venció." in body
    assert f'href="{RESET}"' in body
    assert 'name="new_password1"' not in body


def test_a_tampered_link_is_refused(client, staff, desk_address):
    ask(client, staff.email)
    link = link_of(OutgoingEmail.objects.get())
    response = client.get(path_of(link[:-3] + "00/"), follow=True)
    assert "Enlace no válido" in response.content.decode()


def test_a_new_password_must_pass_the_validators(client, staff, desk_address):
    ask(client, staff.email)
    link = link_of(OutgoingEmail.objects.get())
    form_page = client.get(path_of(link))["Location"]
    response = client.post(form_page, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "Revise los campos marcados." in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("clave-segura-123")


def test_requests_beyond_the_limit_get_the_same_answer_and_no_email(client, staff, settings):
    settings.HELPDESK_PASSWORD_RESET_RATE_LIMIT = (2, 3600)
    answers = [ask(client, staff.email) for _ in range(3)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, DONE)}
    assert OutgoingEmail.objects.count() == 2


def test_one_client_address_is_limited_across_addresses(client, settings):
    settings.HELPDESK_PASSWORD_RESET_RATE_LIMIT = (1, 3600)  # three per client address
    users = [UserFactory(username=f"persona{n}", email=f"persona{n}@mesa.example.mx") for n in range(4)]
    for user in users:
        ask(client, user.email)
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == [
        "persona0@mesa.example.mx",
        "persona1@mesa.example.mx",
        "persona2@mesa.example.mx",
    ]


def test_the_outbox_does_not_show_a_reset_link_to_whoever_reads_it(client, staff, coordinator):
    ask(client, staff.email)
    email = OutgoingEmail.objects.get()
    request = RequestFactory().get("/")
    request.user = coordinator
    fields = site._registry[OutgoingEmail].get_fields(request, email)
    assert "body_text" not in fields and "body_html" not in fields
    assert "subject" in fields
