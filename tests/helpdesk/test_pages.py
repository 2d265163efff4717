import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_home_tells_a_visitor_where_to_report_and_where_to_sign_in(client, desk_email):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "soporte@openpyme.mx" in body
    assert reverse("login") in body
    assert 'lang="es"' in body


def test_pages_send_a_content_security_policy(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_english_is_available(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert 'lang="en"' in body
    assert "Agent sign-in" in body


@pytest.mark.django_db
def test_agent_signs_in_and_lands_on_the_queue(client, agent):
    response = client.post(reverse("login"), {"username": "ana", "password": "clave-segura-123"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace:queue")
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_administrator_without_the_agent_role_lands_on_the_admin(client):
    client.force_login(UserFactory(is_staff=True, username="sistemas"))
    response = client.get(reverse("after-login"))
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_wrong_password_is_refused_in_spanish(client, agent):
    response = client.post(reverse("login"), {"username": "ana", "password": "incorrecta"})
    assert response.status_code == 200
    body = response.content.decode()
    # The field's own word ("Contraseña"), not Django's "clave"; which of the two was wrong is not said.
    assert (
        "El usuario o la contraseña no son correctos. Revise que estén bien escritos: "
        "la contraseña distingue mayúsculas de minúsculas."
    ) in body
    assert "clave" not in body.lower()


@pytest.mark.django_db
def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client, agent):
    wrong_password = client.post(reverse("login"), {"username": "ana", "password": "incorrecta"})
    unknown_user = client.post(reverse("login"), {"username": "nadie", "password": "incorrecta"})
    assert wrong_password.context["form"].non_field_errors() == unknown_user.context["form"].non_field_errors()


@pytest.mark.django_db
def test_a_deactivated_account_is_refused_like_a_wrong_password(client, agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.post(reverse("login"), {"username": "ana", "password": "clave-segura-123"})
    assert response.status_code == 200
    assert "El usuario o la contraseña no son correctos." in response.content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_labels_its_fields_and_offers_a_password_reset(client):
    body = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">Usuario</label>' in body
    assert '<label for="id_password">Contraseña</label>' in body
    assert f'<a href="{reverse("password_reset")}">¿Olvidó su contraseña?</a>' in body


@pytest.mark.django_db
def test_login_ignores_an_offsite_next(client, agent):
    response = client.post(
        reverse("login") + "?next=https://malicioso.example.com/",
        {"username": "ana", "password": "clave-segura-123", "next": "https://malicioso.example.com/"},
    )
    assert response.status_code == 302
    assert "malicioso" not in response["Location"]


@pytest.mark.django_db
def test_a_user_without_desk_access_is_told_so(client):
    user = UserFactory(is_staff=False, username="visitante")
    client.force_login(user)
    response = client.get(reverse("after-login"), follow=True)
    assert "no tiene acceso a la mesa" in response.content.decode()


@pytest.mark.django_db
def test_logout_is_a_post(client, agent):
    client.force_login(agent)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_check_deploy_is_clean_with_production_variables():
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests' async flag is a test-process setting, not a production one.
        if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        {
            "SECRET_KEY": "k" * 20 + "-production-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "mesa.example.com",
            "DEBUG": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_repeated_wrong_passwords_pause_sign_in_even_with_the_right_one(client, agent):
    # Five guesses: the fifth wrong one already answers with the pause.
    statuses = [client.post(reverse("login"), {"username": "ana", "password": "mala"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(reverse("login"), {"username": "ana", "password": "clave-segura-123"})
    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_sign_in_goes_through_the_rate_limited_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 200
    assert "Acceso para agentes" in response.content.decode()
