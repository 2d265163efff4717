"""Out-of-range input on every channel: dates outside the desk's window or with UTC offsets
that do not exist, NUL and lone surrogates, numbers of thousands of digits. Each answers
400 with a Spanish message (forms re-shown with what was typed, the API's field errors),
stores nothing, and never 500; a ticket dated at the window's edges renders every page."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Contact
from integrations.models import Integration
from tests.factories import TicketFactory, UserFactory
from tests.intake.test_report_form import form_data
from tests.links import follow_page
from tickets.models import Ticket, Urgency
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db

# Fragments of the messages a person or a tool reads.
TOO_EARLY = "a partir del 1 de enero de 2000"
FUTURE = "no puede estar en el futuro"
OFFSET = "diferencia con UTC"
NUL = "carácter nulo"
SURROGATE = "sustituto"
NOT_TEXT = "Debe ser texto"
BAD_CHARACTERS_PAGE = "caracteres que no se admiten"

DATES = [
    ("0001-01-01T00:00:00+14:00", TOO_EARLY),  # before year 1 in UTC: PostgreSQL stores it BC
    ("0001-01-01T00:00", TOO_EARLY),
    ("1999-12-31T23:59", TOO_EARLY),  # the desk's time
    ("2000-01-01T05:59:00+00:00", TOO_EARLY),  # 1999-12-31 23:59 at the desk (UTC-6)
    ("9999-12-31T23:59:59-12:00", FUTURE),  # beyond year 9999 in UTC
    ("2999-01-01T00:00", FUTURE),
    ("2025-03-14T10:30:00+19:57", OFFSET),
    ("2025-03-14T10:30:00+14:30", OFFSET),
    ("2025-03-14T10:30:00-12:15", OFFSET),
    ("2025-03-14T10:30:00+05:17", OFFSET),
]
HUGE_NUMBER = "9" * 5000


@pytest.fixture
def api(client, requester):
    integration = Integration(name="Zabbix", organization=requester.organization, contact=requester)
    token = integration.issue_token()
    integration.save()

    def post(payload=None, *, raw=None):
        body = raw if raw is not None else json.dumps(payload)
        return client.post(
            "/api/v1/incidents/", data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return post


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def call(requester, **overrides):
    return {
        "contact": requester.pk,
        "kind": Ticket.Kind.INCIDENT,
        "module": "",
        "urgency": Urgency.HIGH,
        "subject": "No abre el sistema de nómina",
        "description": "La pantalla de acceso queda en blanco.",
        "occurred_at": "",
        **overrides,
    }


def page_text(response) -> str:
    return response.content.decode()


# Dates: the public form, the API, the phone registration -------------------------


@pytest.mark.parametrize(("typed", "message"), DATES)
def test_public_form_refuses_a_date_out_of_range_and_keeps_what_was_typed(client, typed, message):
    response = client.post(reverse("intake:report"), form_data(occurred_at=typed))

    assert response.status_code == 400
    assert message in page_text(response)
    assert "No se pueden timbrar facturas" in page_text(response)
    assert not Ticket.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize(("typed", "message"), DATES)
def test_api_refuses_a_date_out_of_range_with_a_field_error(api, typed, message):
    response = api({"subject": "Servidor caído", "description": "HTTP 503", "occurred_at": typed})

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"]["occurred_at"])
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(("typed", "message"), DATES)
def test_phone_registration_refuses_a_date_out_of_range(agent_client, requester, typed, message):
    response = agent_client.post(reverse("phone:call"), call(requester, occurred_at=typed))

    assert response.status_code == 400
    assert message in page_text(response)
    assert "No abre el sistema de nómina" in page_text(response)
    assert not Ticket.objects.exists()


# Text with NUL or lone surrogates ---------------------------------------------------


@pytest.mark.parametrize("field", ["name", "subject", "description"])
def test_public_form_refuses_nul_in_text(client, field):
    response = client.post(reverse("intake:report"), form_data(**{field: "Factura\x00 rechazada"}))

    assert response.status_code == 400
    assert NUL in page_text(response)
    assert not Ticket.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize("field", ["subject", "description", "module", "external_id"])
@pytest.mark.parametrize(("character", "message"), [("\x00", NUL), ("\ud800", SURROGATE), ("\udfff", SURROGATE)])
def test_api_refuses_nul_and_lone_surrogates_in_text(api, field, character, message):
    payload = {"subject": "Servidor caído", "description": "HTTP 503", field: f"zabbix{character}48151"}

    response = api(payload)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Ticket.objects.exists()


def test_api_accepts_a_surrogate_pair_that_makes_one_character(api):
    response = api({"subject": "Servidor caído \ud83d\udd25", "description": "HTTP 503"})

    assert response.status_code == 201
    assert Ticket.objects.get().subject == "Servidor caído 🔥"


@pytest.mark.parametrize(
    "typed",
    [
        {"subject": "Nómina\x00"},
        {"description": "Nómina\x00"},
        {"contact": "", "new_name": "Ana\x00", "new_email": "ana@example.mx"},
        {"contact": "", "new_name": "Ana", "new_email": "ana@example.mx", "new_phone": "55\x00"},
    ],
)
def test_phone_registration_refuses_nul_in_text(agent_client, requester, typed):
    contacts_before = Contact.objects.count()

    response = agent_client.post(reverse("phone:call"), call(requester, **typed))

    assert response.status_code == 400
    assert NUL in page_text(response)
    assert not Ticket.objects.exists() and Contact.objects.count() == contacts_before


@pytest.fixture
def ticket_in_progress(requester, agent):
    return TicketFactory(in_progress=True, requester=requester, assignee=agent, subject="Sin acceso", description="…")


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("wait-vendor", {"vendor_name": "Proveedor\x00", "message": "Esperamos al proveedor."}),
        ("wait-vendor", {"vendor_name": "Proveedor", "vendor_reference": "\x00", "message": "Esperamos."}),
        ("note", {"body": "Nota\x00 interna"}),
        ("solve", {"solution": "Se reinició\x00", "resolution_code": Ticket.ResolutionCode.choices[0][0]}),
    ],
)
def test_action_forms_refuse_nul_in_text(agent_client, ticket_in_progress, action, data):
    notes_before = ticket_in_progress.messages.count()

    response = agent_client.post(reverse(f"workspace:ticket-{action}", args=[ticket_in_progress.pk]), data)

    assert response.status_code == 400
    assert NUL in page_text(response)
    ticket_in_progress.refresh_from_db()
    assert ticket_in_progress.state == Ticket.State.IN_PROGRESS
    assert ticket_in_progress.messages.count() == notes_before


# The search boxes and every query string: the short 400 page -------------------------


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/mesa/?q=fact%00ura", "agent"),
        ("/mesa/?vista=todos&q=%00", "agent"),
        ("/mesa/contactos/?q=ana%00", "agent"),
        ("/mesa/llamada/?q=ana%00", "agent"),
        ("/admin/tickets/ticket/?q=fact%00ura", "admin"),
        ("/admin/customers/contact/?q=%00", "admin"),
        ("/admin/tickets/ticket/?priority__exact=%00", "admin"),
        ("/reportar/?mod%00ulo=1", None),
        ("/seguimiento/abc%00def/", None),
    ],
)
def test_nul_in_a_query_string_or_path_answers_the_short_400_page(client, agent, url, who):
    if who == "agent":
        client.force_login(agent)
    elif who == "admin":
        client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(url, HTTP_HX_REQUEST="true" if "contactos" in url else None)

    assert response.status_code == 400
    assert BAD_CHARACTERS_PAGE in page_text(response)


def test_nul_in_a_form_body_answers_the_short_400_page(client, agent):
    """The sign-in form is not a channel form: the safety net catches it before the view."""
    response = client.post(reverse("login"), {"username": "ana\x00", "password": "x"})

    assert response.status_code == 400
    assert BAD_CHARACTERS_PAGE in page_text(response)


def test_queue_search_with_valid_text_still_works(agent_client):
    response = agent_client.get("/mesa/", {"q": "factura"})

    assert response.status_code == 200


# Numbers of thousands of digits ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ('{"subject": ' + HUGE_NUMBER + ', "description": "d"}', "subject", NOT_TEXT),
        ('{"subject": "s", "description": "d", "urgency": -' + HUGE_NUMBER + "}", "urgency", NOT_TEXT),
        ('{"subject": "s", "description": "d", "external_id": ' + HUGE_NUMBER + ".5e99999}", "external_id", NOT_TEXT),
    ],
)
def test_api_refuses_huge_numbers_with_a_field_error(api, raw, field, message):
    response = api(raw=raw)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"subject": ' + "[" * 5000 + "]" * 5000 + ', "description": "d"}',
        '{"subject": "s", "description": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}",
    ],
)
def test_api_refuses_deeply_nested_json(api, raw):
    response = api(raw=raw)

    assert response.status_code == 400
    assert "anida" in response.json()["error"]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("field", ["module", "urgency", "kind"])
def test_public_form_refuses_a_huge_number_as_a_choice(client, field):
    response = client.post(reverse("intake:report"), form_data(**{field: HUGE_NUMBER}))

    assert response.status_code == 400
    assert "opción" in page_text(response)
    assert "No se pueden timbrar facturas" in page_text(response)
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("field", ["contact", "module", "new_organization"])
def test_phone_registration_refuses_a_huge_number_as_a_choice(agent_client, requester, field):
    data = call(requester, **{field: HUGE_NUMBER})
    if field == "new_organization":
        data.update(contact="", new_name="Ana", new_email="ana@example.mx")

    response = agent_client.post(reverse("phone:call"), data)

    assert response.status_code == 400
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("chosen", [HUGE_NUMBER, "²", "١٢"])
def test_contact_search_ignores_a_chosen_contact_that_is_not_a_number(agent_client, requester, chosen):
    response = agent_client.get(
        reverse("phone:contact-search"), {"q": requester.name[:4], "contact": chosen}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"modulo": HUGE_NUMBER},
        {"prioridad": HUGE_NUMBER},
        {"organizacion": "99999999999999999999999"},
        {"despues": f"1.{HUGE_NUMBER}.1"},
        {"antes": "1.999999999999999999.999999999999999999"},
        {"q": HUGE_NUMBER},
    ],
)
def test_queue_leaves_out_a_huge_number_and_says_so(agent_client, query):
    """The queue keeps its design (an invalid filter is left out and told, the page still
    answers 200 so that the htmx refresh keeps swapping), and never reaches a 500."""
    response = agent_client.get("/mesa/", query)

    assert response.status_code == 200
    assert "no son válidos y no se aplicaron" in page_text(response)


@pytest.mark.parametrize("query", [{"priority__exact": HUGE_NUMBER}, {"p": HUGE_NUMBER}, {"o": HUGE_NUMBER}])
def test_admin_changelist_survives_a_huge_number(admin_client_, query):
    response = admin_client_.get("/admin/tickets/ticket/", query)

    assert response.status_code in (200, 302)


# The last line of defence: a ticket dated at the window's edges renders everywhere --


def _pages(ticket):
    return [
        "/mesa/?vista=todos",
        reverse("workspace:ticket", args=[ticket.pk]),
        reverse("follow:ticket", args=[ticket.reference]),
        reverse("admin:tickets_ticket_changelist"),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
    ]


@pytest.mark.parametrize(
    "occurred_at",
    [
        "2000-01-01T00:00:00-06:00",  # the earliest, at the desk
        "2000-01-01T20:00:00+14:00",  # the same instant, from Kiribati
        "2000-01-01T06:00:00Z",
        "NOW-12:00",  # now, from Baker Island
        "NOW+14:00",
        "NOW+05:45",  # Nepal
    ],
)
def test_a_ticket_dated_at_the_edges_of_the_window_renders_every_page(client, api, requester, occurred_at):
    if occurred_at.startswith("NOW"):
        offset = occurred_at[3:]
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        zone = timezone.get_fixed_timezone((hours * 60 + minutes) * (1 if offset[0] == "+" else -1))
        occurred_at = timezone.now().astimezone(zone).isoformat()

    response = api({"subject": "Servidor caído", "description": "HTTP 503", "occurred_at": occurred_at})
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.state == Ticket.State.OPEN

    follow_page(client, ticket)  # the requester's page opens for this browser
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in _pages(ticket):
        assert client.get(url).status_code == 200, url


def test_ticket_open_refuses_a_date_no_channel_should_have_let_through(requester):
    """A caller that skipped the forms (a script, a new channel) still cannot store it."""
    from django.core.exceptions import ValidationError

    far_past = timezone.datetime(1, 1, 1, tzinfo=timezone.get_fixed_timezone(14 * 60))
    with pytest.raises(ValidationError) as refused:
        ticket_open(
            requester=requester, subject="s", description="d", channel=Ticket.Channel.WEB, occurred_at=far_past
        )

    assert TOO_EARLY in " ".join(refused.value.message_dict["occurred_at"])
    assert not Ticket.objects.exists()


def test_too_many_parameters_answer_the_400_page_not_a_500(client):
    """Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters with its own 400,
    rendered by the same template without the request."""
    query = "&".join(f"f{n}=1" for n in range(1001))

    response = client.get(f"/reportar/?{query}")

    assert response.status_code == 400
    assert "La petición no es válida" in page_text(response)
