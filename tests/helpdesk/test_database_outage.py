"""While the database is down, pages answer 503 with Retry-After and a Spanish page (the
API a JSON 503), never a bare 500, and a report being sent is not silently lost."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from .outages import database_unreachable
from .processes import free_port

SPANISH = "no está disponible por el momento"


def assert_unavailable_page(response):
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    assert SPANISH in body
    assert 'lang="es"' in body
    return body


@pytest.mark.django_db
def test_an_agents_home_page_is_503_while_the_database_is_down(client, agent):
    client.force_login(agent)
    with database_unreachable():
        response = client.get("/")
    assert_unavailable_page(response)


@pytest.mark.django_db
def test_a_visitors_landing_page_still_shows_the_official_channels(client, desk_email):
    """It needs no database: the visitor can still reach the desk by email or phone."""
    with database_unreachable():
        response = client.get("/")
    assert response.status_code == 200
    assert "soporte@openpyme.mx" in response.content.decode()


@pytest.mark.django_db
def test_the_report_form_is_503_and_offers_the_official_channels(client, settings, desk_email):
    settings.HELPDESK_SUPPORT_PHONE = "55 1234 5678"
    with database_unreachable():
        response = client.get(reverse("intake:report"))
    body = assert_unavailable_page(response)
    assert "soporte@openpyme.mx" in body
    assert "55 1234 5678" in body


@pytest.mark.django_db
def test_a_report_sent_during_the_outage_is_kept_in_the_page_to_send_again(client):
    typed = {
        "name": "Rosa Martínez",
        "email": "rosa@example.mx",
        "subject": "No puedo timbrar facturas",
        "description": "Desde las 9:00 el timbrado responde «servicio no disponible».\nYa reinicié el equipo.",
        "urgency": "alta",
    }
    with database_unreachable():
        response = client.post(reverse("intake:report"), typed)
    body = assert_unavailable_page(response)
    assert "No pudimos guardar lo que envió" in body
    # What was typed is on the page, and a form sends it again to the same address.
    assert "Desde las 9:00 el timbrado responde «servicio no disponible».\nYa reinicié el equipo." in body
    assert f'<form method="post" action="{reverse("intake:report")}"' in body
    assert '<input type="hidden" name="subject" value="No puedo timbrar facturas">' in body
    assert '<input type="hidden" name="name" value="Rosa Martínez">' in body


@pytest.mark.django_db
def test_the_page_never_repeats_a_password(client, agent):
    with database_unreachable():
        response = client.post(reverse("login"), {"username": "ana", "password": "clave-segura-123"})
    body = assert_unavailable_page(response)
    assert "clave-segura-123" not in body
    assert '<input type="hidden" name="username" value="ana">' in body


@pytest.mark.django_db
def test_the_workspace_is_503_while_the_database_is_down(client, agent):
    client.force_login(agent)
    with database_unreachable():
        response = client.get(reverse("workspace:queue"))
    assert_unavailable_page(response)


@pytest.mark.django_db
def test_the_api_answers_a_json_503(client):
    with database_unreachable():
        response = client.post(
            "/api/v1/incidents/",
            {"subject": "Servidor caído", "description": "HTTP 503"},
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer abc123",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert SPANISH in response.json()["error"]


@pytest.mark.django_db
def test_the_health_check_keeps_its_own_json(client):
    with database_unreachable():
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [("post", "/i18n/setlang/", False), ("get", "/api/v1/openapi.json", True)],
    ids=["page", "api"],
)
def test_a_failure_in_the_session_middleware_is_a_503_too(agent, settings, method, path, json):
    """These views need no database; saving the session afterwards (SessionMiddleware, here
    on every request) does, and fails outside any view."""
    settings.SESSION_SAVE_EVERY_REQUEST = True
    # The test client would re-raise the logged exception; a browser just gets the response.
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    with database_unreachable():
        response = getattr(client, method)(path, {"language": "es", "next": "/"} if method == "post" else {})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    if json:
        assert SPANISH in response.json()["error"]
    else:
        assert_unavailable_page(response)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real refused connection to PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_server_that_refuses_connections_gives_the_503_page(client, agent):
    client.force_login(agent)
    connection.close()
    original = dict(connection.settings_dict)
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": str(free_port())})
    try:
        response = client.get(reverse("workspace:queue"))
    finally:
        connection.close()
        connection.settings_dict.update(original)
    assert_unavailable_page(response)
