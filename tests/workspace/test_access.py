"""Who reaches the agents' pages, and how an expired session is handled during a refresh."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_expired_session_during_an_htmx_refresh_reloads_the_page_to_sign_in(client):
    queue = reverse("workspace:queue")
    response = client.get(
        queue + "?vista=mias", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{queue}?vista=mias"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
    assert response["HX-Redirect"].endswith("?next=/mesa/%3Fvista%3Dmias")
    assert b"<form" not in response.content


def test_a_plain_request_without_a_session_is_sent_to_sign_in(client):
    response = client.get(reverse("workspace:queue"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
