"""POST /api/v1/incidents/: the monitoring channel."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from integrations.models import Integration, MonitoringAlert
from tests.factories import ContactFactory, ModuleFactory, SupportPolicyFactory
from tickets.models import Message, Ticket, Urgency

ALERT = {"subject": "Servidor de facturación sin respuesta", "description": "HTTP 503 desde las 10:30."}


# Authentication -------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer no-es-un-token", "Basic dXN1YXJpbzpjbGF2ZQ=="],
)
def test_request_without_a_valid_token_is_refused_with_401(client, integration_and_token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.post("/api/v1/incidents/", data=ALERT, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["error"]
    assert not Ticket.objects.exists()


def test_inactive_integration_is_refused_with_401(api, integration_and_token):
    integration, _token = integration_and_token
    Integration.objects.filter(pk=integration.pk).update(is_active=False)

    response = api(ALERT)

    assert response.status_code == 401
    assert not Ticket.objects.exists()


def test_token_is_stored_only_as_its_hash_and_prefix(integration_and_token):
    integration, raw_token = integration_and_token

    assert len(raw_token) >= 43  # 32 random bytes, base64url
    assert integration.token_hash == hashlib.sha256(raw_token.encode()).hexdigest()
    assert integration.token_prefix == raw_token[:8]
    stored = Integration.objects.values().get(pk=integration.pk)
    assert raw_token not in {str(value) for value in stored.values()}


def test_successful_request_records_last_use(api, integration_and_token):
    integration, _token = integration_and_token
    assert integration.last_used_at is None

    api(ALERT)

    integration.refresh_from_db()
    assert integration.last_used_at is not None


def test_get_is_not_allowed(client, integration_and_token):
    _integration, raw_token = integration_and_token
    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {raw_token}")

    assert response.status_code == 405


# Body and fields ----------------------------------------------------------------


@pytest.mark.parametrize("body", ["{no es json", "", "\xff\xfe", "[1, 2]", '"texto"'])
def test_body_that_is_not_a_json_object_is_400(api, body):
    response = api(None, raw_body=body.encode("latin-1"))

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_missing_fields_are_reported_in_spanish(api):
    response = api({})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["subject"] == ["Este campo es obligatorio."]
    assert errors["description"] == ["Este campo es obligatorio."]


def test_invalid_fields_are_reported_in_spanish(api):
    response = api(
        {
            "subject": "x" * 201,
            "description": ["no", "texto"],
            "module": "Inexistente",
            "urgency": "urgentísima",
            "occurred_at": "ayer",
            "external_id": "e" * 201,
        }
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "como máximo 200 caracteres" in errors["subject"][0]
    assert errors["description"] == ["Debe ser texto (una cadena JSON)."]
    assert errors["module"] == ["No existe el módulo «Inexistente» en el catálogo de servicios."]
    assert errors["urgency"] == ["Use «baja», «media» o «alta»."]
    assert "ISO 8601" in errors["occurred_at"][0]
    assert "como máximo 200 caracteres" in errors["external_id"][0]
    assert not Ticket.objects.exists()


def test_future_occurrence_is_refused(api):
    future = (timezone.now() + datetime.timedelta(hours=2)).isoformat()

    response = api({**ALERT, "occurred_at": future})

    assert response.status_code == 400
    assert response.json()["errors"]["occurred_at"] == ["La fecha del incidente no puede estar en el futuro."]


def test_oversized_body_is_413_before_parsing(api):
    response = api(None, raw_body=b'{"subject": "' + b"x" * (64 * 1024) + b'"}')

    assert response.status_code == 413
    assert "64 KB" in response.json()["error"]
    assert not Ticket.objects.exists()


def test_declared_length_over_the_limit_is_413(api):
    response = api(ALERT, CONTENT_LENGTH=str(64 * 1024 + 1))

    assert response.status_code == 413


# Rate limit ---------------------------------------------------------------------


def test_integration_over_its_rate_limit_gets_429_with_retry_after(api, settings):
    settings.HELPDESK_API_RATE_LIMIT = (2, 60)

    statuses = [api(ALERT).status_code for _ in range(2)]
    limited = api(ALERT)

    assert statuses == [201, 201]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Demasiadas peticiones" in limited.json()["error"]
    assert Ticket.objects.count() == 2


def test_rate_limit_is_per_integration(api, settings, make_integration, client):
    settings.HELPDESK_API_RATE_LIMIT = (1, 60)
    policy = SupportPolicyFactory()
    _other, other_token = make_integration(ContactFactory(organization=policy.organization))

    assert api(ALERT).status_code == 201
    assert api(ALERT).status_code == 429
    assert api(ALERT, token=other_token).status_code == 201


# Tickets ---------------------------------------------------------------------------


def test_alert_opens_a_monitoring_incident_for_the_integration_organization(api, integration_and_token):
    integration, _token = integration_and_token
    module = ModuleFactory(name="Facturación")
    occurred = "2025-03-14T10:30:00-06:00"

    response = api({**ALERT, "module": "facturación", "urgency": "alta", "occurred_at": occurred})

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert response.json() == {
        "reference": ticket.reference,
        "state": "open",
        "url": f"http://testserver/admin/tickets/ticket/{ticket.pk}/change/",
        "created": True,
        "repeat_count": 1,
    }
    assert ticket.state == Ticket.State.OPEN
    assert ticket.channel == Ticket.Channel.MONITORING
    assert ticket.kind == Ticket.Kind.INCIDENT
    assert ticket.requester == integration.contact
    assert ticket.organization == integration.organization
    assert ticket.module == module
    assert ticket.urgency == Urgency.HIGH
    assert ticket.occurred_at == datetime.datetime.fromisoformat(occurred)
    assert ticket.subject == ALERT["subject"]


def test_urgency_defaults_to_media(api):
    api(ALERT)

    assert Ticket.objects.get().urgency == Urgency.MEDIUM


def test_alert_sends_no_acknowledgement_email(api, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api(ALERT)

    assert mailoutbox == []


def test_same_external_id_twice_adds_a_note_to_one_ticket(api):
    first = api({**ALERT, "external_id": "zabbix-48151"})
    second = api({**ALERT, "description": "Sigue sin responder.", "external_id": "zabbix-48151"})

    assert first.status_code == 201
    assert second.status_code == 200
    ticket = Ticket.objects.get()
    assert second.json()["reference"] == ticket.reference
    assert second.json()["created"] is False
    assert second.json()["repeat_count"] == 2
    note = Message.objects.get(ticket=ticket)
    assert note.kind == Message.Kind.INTERNAL_NOTE
    assert note.author is None
    assert "Sigue sin responder." in note.body
    assert MonitoringAlert.objects.get().repeat_count == 2


def test_external_ids_are_scoped_to_their_integration(api, make_integration, integration_and_token):
    integration, _token = integration_and_token
    _other, other_token = make_integration(ContactFactory(organization=integration.organization))

    api({**ALERT, "external_id": "alerta-1"})
    response = api({**ALERT, "external_id": "alerta-1"}, token=other_token)

    assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_alert_repeated_after_its_ticket_closed_opens_a_new_ticket(api):
    first = api({**ALERT, "external_id": "zabbix-48151"}).json()
    # Closed by the desk's services elsewhere; here, set directly.
    Ticket.objects.filter(reference=first["reference"]).update(state=Ticket.State.CLOSED)

    response = api({**ALERT, "external_id": "zabbix-48151"})

    assert response.status_code == 201
    data = response.json()
    assert data["created"] is True
    assert data["reference"] != first["reference"]
    alert = MonitoringAlert.objects.get()
    assert alert.ticket.reference == data["reference"]
    assert alert.repeat_count == 1
    assert Ticket.objects.count() == 2


def test_organization_without_policy_in_force_gets_a_cancelled_ticket(client, make_integration):
    today = timezone.localdate()
    expired = SupportPolicyFactory(
        starts_on=today - datetime.timedelta(days=400), ends_on=today - datetime.timedelta(days=1)
    )
    _integration, raw_token = make_integration(ContactFactory(organization=expired.organization))

    response = client.post(
        "/api/v1/incidents/", data=ALERT, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw_token}"
    )

    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "cancelled"
    assert data["cancel_reason"] == Ticket.CancelReason.NO_POLICY
    assert "póliza de soporte vigente" in data["detail"]
    assert Ticket.objects.get().state == Ticket.State.CANCELLED


def test_contact_must_belong_to_the_integration_organization(requester):
    from django.core.exceptions import ValidationError

    integration = Integration(name="Nagios", organization=requester.organization, contact=ContactFactory())
    integration.issue_token()

    with pytest.raises(ValidationError) as error:
        integration.full_clean()
    assert "contact" in error.value.message_dict

