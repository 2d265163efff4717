"""The phone channel (domain.md, People): an agent registers a call in the admin on
behalf of a contact, with the same gatekeeping as every other channel."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from notifications.models import OutgoingEmail
from tests.factories import ContactFactory, ModuleFactory, OrganizationFactory, UserFactory
from tickets.models import Ticket, TicketChange, Urgency

pytestmark = pytest.mark.django_db

URL = reverse("admin:tickets_ticket_phone_report")
CHANGELIST = reverse("admin:tickets_ticket_changelist")


def call(contact, **overrides):
    return {
        "contact": contact.pk,
        "kind": Ticket.Kind.INCIDENT,
        "module": "",
        "urgency": Urgency.HIGH,
        "subject": "No abre el sistema de nómina",
        "description": "Llamó a las 9:10: la pantalla de acceso queda en blanco.",
        "occurred_at": "",
        **overrides,
    }


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def test_agent_registers_a_call_as_an_open_phone_ticket(agent_client, agent, requester):
    module = ModuleFactory()

    response = agent_client.post(URL, call(requester, module=module.pk, occurred_at="2025-03-14T09:05"))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert (ticket.state, ticket.channel, ticket.requester, ticket.organization) == (
        Ticket.State.OPEN,
        Ticket.Channel.PHONE,
        requester,
        requester.organization,
    )
    assert (ticket.module, ticket.urgency, ticket.occurred_at.minute) == (module, Urgency.HIGH, 5)
    created = ticket.changes.get(field=TicketChange.Field.CREATED)
    assert (created.actor, created.note) == (agent, "Teléfono")
    assert messages_of(response) == [("success", f"Se registró la llamada como ticket {ticket.reference}.")]
    assert OutgoingEmail.objects.filter(to=requester.email).exists()


def test_call_from_an_unauthorized_contact_is_cancelled_with_a_warning(agent_client):
    stranger = ContactFactory(is_authorized=False)

    response = agent_client.post(URL, call(stranger))

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.state, ticket.cancel_reason, ticket.channel) == (
        Ticket.State.CANCELLED,
        Ticket.CancelReason.UNAUTHORIZED_CONTACT,
        Ticket.Channel.PHONE,
    )
    [(level, text)] = messages_of(response)
    assert level == "warning"
    assert ticket.reference in text and "se canceló" in text and ticket.cancel_note in text


def test_user_without_work_ticket_is_refused(client, requester):
    clerk = UserFactory()
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets", codename="view_ticket"))
    client.force_login(clerk)

    assert client.get(URL).status_code == 403
    assert client.post(URL, call(requester)).status_code == 403
    assert not Ticket.objects.exists()
    assert "Registrar llamada" not in client.get(CHANGELIST).content.decode()


def test_get_shows_the_form_and_creates_nothing(agent_client):
    response = agent_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Contacto que llama" in content
    assert 'data-field-name="requester"' in content and "admin-autocomplete" in content
    assert not Ticket.objects.exists()


def test_invalid_call_shows_errors_and_creates_nothing(agent_client, requester):
    response = agent_client.post(URL, call(requester, subject="", occurred_at="2999-01-01T10:00"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"subject", "occurred_at"}
    assert not Ticket.objects.exists()


def test_changelist_offers_register_call_to_agents(agent_client):
    content = agent_client.get(CHANGELIST).content.decode()

    assert "Registrar llamada" in content
    assert f'href="{URL}"' in content


def test_contact_autocomplete_finds_by_organization_name(agent_client):
    wanted = ContactFactory(organization=OrganizationFactory(name="Ferretería Lupita"))
    ContactFactory(name="Lupita Otra")  # her name matches, her organization does not
    response = agent_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "ferretería lupita",
            "app_label": "tickets",
            "model_name": "ticket",
            "field_name": "requester",
        },
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(wanted.pk)]
