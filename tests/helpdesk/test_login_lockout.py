"""The sign-in lockout: per normalized identity, per address across identities, in the database."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"  # every factory user's
# The defaults (docs/security.md, «Sign-in»): failures per name, and per address across
# names, within 15 minutes.
NAME_LIMIT = 5
ADDRESS_LIMIT = 20

# Names Django signs in as "agente4" (its sign-in form strips and applies NFKC), or that
# differ from it only by case: all of them are one identity for the lockout.
LOOK_ALIKES = [
    "ａgente４",  # fullwidth a and 4
    "ａｇｅｎｔｅ４",  # all fullwidth
    "Ａｇｅｎｔｅ４",  # fullwidth capital
    "AGENTE4",  # case only
    "agente⁴",  # superscript four
    "ⓐgente4",  # circled letter
    "𝐚gente4",  # mathematical bold letter
    "  agente4  ",  # surrounding spaces
]


def sign_in(client, username, password, path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password})


@pytest.fixture
def agente4(db):
    return UserFactory(username="agente4", is_staff=True)


def test_the_limits_default_to_five_per_name_and_twenty_per_address(settings):
    assert settings.AXES_FAILURE_LIMIT == NAME_LIMIT
    assert settings.HELPDESK_LOGIN_ADDRESS_FAILURE_LIMIT == ADDRESS_LIMIT
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_a_look_alike_name_is_locked_with_the_name_it_resembles(client, agente4, look_alike):
    for _ in range(NAME_LIMIT):
        sign_in(client, "agente4", "adivinanza")

    response = sign_in(client, look_alike, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_under_look_alike_names_add_up_to_one_lockout(client, agente4):
    limit = NAME_LIMIT
    statuses = [sign_in(client, LOOK_ALIKES[n % len(LOOK_ALIKES)], "adivinanza").status_code for n in range(limit)]

    assert statuses == [200] * (limit - 1) + [429]
    assert sign_in(client, "agente4", PASSWORD).status_code == 429


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_the_identity_is_nfkc_and_casefold_of_the_name(look_alike):
    from helpdesk.ratelimits import login_identity

    assert login_identity(look_alike) == "agente4"


@pytest.mark.parametrize(
    "name, identity",
    [
        ("Straße", "strasse"),  # casefold, not lower()
        ("STRASSE", "strasse"),
        ("ﬁlemon", "filemon"),  # ligature
        ("", ""),
        (None, None),
        ("ß" * 200, "s" * 255),  # never longer than the attempts table keeps
    ],
)
def test_identity_table(name, identity):
    from helpdesk.ratelimits import login_identity

    assert login_identity(name) == identity


def test_one_address_trying_many_names_is_locked(agent):
    limit = ADDRESS_LIMIT
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    names = ["ana"] + [f"usuario{n}" for n in range(limit - 1)]

    statuses = [sign_in(sprayer, name, "Verano2026").status_code for name in names]

    assert statuses == [200] * (limit - 1) + [429]
    # From there even a real account's right password is refused now.
    assert sign_in(sprayer, "ana", PASSWORD).status_code == 429
    assert "_auth_user_id" not in sprayer.session


def test_the_address_lock_does_not_lock_out_the_names_it_tried_elsewhere(agent):
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for name in ["ana"] + [f"usuario{n}" for n in range(ADDRESS_LIMIT)]:
        sign_in(sprayer, name, "Verano2026")

    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    response = sign_in(elsewhere, "ana", PASSWORD)

    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(agent.pk)


def test_the_lockout_page_is_spanish_with_status_429(client, agent):
    for _ in range(NAME_LIMIT):
        sign_in(client, "ana", "mala")

    response = sign_in(client, "ana", PASSWORD)

    body = response.content.decode()
    assert response.status_code == 429
    assert 'lang="es"' in body
    assert "Demasiados intentos fallidos. Espere 15 minutos antes de volver a intentarlo." in body
    assert response["Retry-After"] == "900"
    # The page still offers the form, with the name typed.
    assert 'name="password"' in body and 'value="ana"' in body


def test_a_successful_sign_in_clears_that_identitys_failures(client, agent):
    for _round in range(2):
        for _ in range(NAME_LIMIT - 1):
            assert sign_in(client, "ana", "mala").status_code == 200
        assert sign_in(client, "ana", PASSWORD).status_code == 302
        client.post(reverse("logout"))


def test_signing_in_does_not_clear_the_failures_of_the_address(agent):
    """Else anyone with one account could reset the brake on their address at will."""
    limit = ADDRESS_LIMIT
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(limit - 1):
        sign_in(sprayer, f"usuario{n}", "Verano2026")
    assert sign_in(sprayer, "ana", PASSWORD).status_code == 302
    sprayer.post(reverse("logout"))

    assert sign_in(sprayer, "otro", "Verano2026").status_code == 429


def test_the_admin_sign_in_counts_and_refuses_the_same_way(client, agent):
    for _ in range(NAME_LIMIT):
        sign_in(client, "ana", "mala", path="/admin/login/")

    response = sign_in(client, "ana", PASSWORD, path="/admin/login/?next=/admin/")

    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.content.decode()


def test_the_lockout_counts_the_client_named_by_the_trusted_proxy(settings, agent):
    settings.HELPDESK_TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for n in range(ADDRESS_LIMIT):
        proxy.post(reverse("login"), {"username": f"usuario{n}", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.7")

    # Another client behind the same proxy is not blocked by the first one.
    response = proxy.post(reverse("login"), {"username": "ana", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert response.status_code == 302


def test_sign_in_works_with_the_cache_down(client, agent, cache_down):  # noqa: F811
    assert client.get(reverse("login")).status_code == 200
    assert sign_in(client, "ana", "mala").status_code == 200
    assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_a_name_that_grows_when_normalized_is_refused_without_an_error(client):
    response = sign_in(client, "ß" * 150, "mala")

    assert response.status_code == 200
    assert "El usuario o la contraseña no son correctos." in response.content.decode()


@pytest.mark.parametrize("minutes_later, status", [(14, 429), (16, 302)])
def test_the_pause_lasts_fifteen_minutes_from_the_last_failure(client, agent, minutes_later, status):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(NAME_LIMIT):
            sign_in(client, "ana", "mala")
        traveller.shift(datetime.timedelta(minutes=minutes_later))

        assert sign_in(client, "ana", PASSWORD).status_code == status


def test_attempts_refused_during_the_pause_do_not_extend_it(client, agent):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(NAME_LIMIT):
            sign_in(client, "ana", "mala")
        traveller.shift(datetime.timedelta(minutes=10))
        assert sign_in(client, "ana", "otra-mala").status_code == 429
        traveller.shift(datetime.timedelta(minutes=6))

        assert sign_in(client, "ana", PASSWORD).status_code == 302


def test_clearing_a_nameless_identity_clears_nobody_elses_failures(agent):
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt
    from django.test import RequestFactory

    for _ in range(2):
        sign_in(Client(), "ana", "mala")
    request = RequestFactory().post(reverse("login"))
    AxesProxyHandler.update_request(request)

    assert AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": ""}) == 0
    assert AccessAttempt.objects.get().failures_since_start == 2
