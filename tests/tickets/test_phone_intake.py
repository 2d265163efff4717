"""The phone channel's entry in the coordinators' admin: "Registrar llamada" leads agents
to the workspace's phone page, where calls are registered; others are refused."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import ContactFactory, OrganizationFactory, UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = reverse("admin:tickets_ticket_phone_report")
CHANGELIST = reverse("admin:tickets_ticket_changelist")


def test_the_admin_entry_leads_to_the_workspace_phone_page(agent_client):
    """Calls are registered in the agents' workspace (tests/workspace/test_phone.py)."""
    response = agent_client.get(URL)

    assert response.status_code == 302
    assert response.url == reverse("phone:call")
    assert agent_client.get(response.url).status_code == 200
    assert not Ticket.objects.exists()


def test_user_without_work_ticket_is_refused(client, requester):
    clerk = UserFactory()
    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets", codename="view_ticket"))
    client.force_login(clerk)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"contact": requester.pk}).status_code == 403
    assert not Ticket.objects.exists()
    assert "Registrar llamada" not in client.get(CHANGELIST).content.decode()


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
