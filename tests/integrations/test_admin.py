import hashlib
import re

from integrations.models import Integration, MonitoringAlert


def test_admin_shows_the_new_token_once_and_stores_only_its_hash(admin_client, requester):
    response = admin_client.post(
        "/admin/integrations/integration/add/",
        {"name": "Uptime Kuma", "organization": requester.organization.pk, "contact": requester.pk, "is_active": "on"},
        follow=True,
    )

    assert response.status_code == 200
    [message] = [str(m) for m in response.context["messages"] if "Token" in str(m)]
    raw_token = re.search(r": (\S+) — cópielo", message).group(1)
    integration = Integration.objects.get()
    assert integration.token_hash == hashlib.sha256(raw_token.encode()).hexdigest()
    assert integration.token_prefix == raw_token[:8]

    # Editing it later never shows (nor changes) the token.
    response = admin_client.post(
        f"/admin/integrations/integration/{integration.pk}/change/",
        {"name": "Uptime Kuma 2", "organization": requester.organization.pk, "contact": requester.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert not any("Token" in str(m) for m in response.context["messages"])
    integration.refresh_from_db()
    assert integration.token_hash == hashlib.sha256(raw_token.encode()).hexdigest()
    assert integration.is_active is False


def test_admin_refuses_a_contact_of_another_organization(admin_client, requester):
    from tests.factories import ContactFactory

    response = admin_client.post(
        "/admin/integrations/integration/add/",
        {"name": "Nagios", "organization": requester.organization.pk, "contact": ContactFactory().pk},
    )

    assert response.status_code == 200
    assert "debe ser un contacto de la organización" in response.content.decode()
    assert not Integration.objects.exists()


def test_admin_lists_integrations_and_alerts(admin_client, make_integration, requester):
    make_integration(requester)

    assert admin_client.get("/admin/integrations/integration/").status_code == 200
    assert admin_client.get("/admin/integrations/monitoringalert/").status_code == 200
    assert admin_client.get("/admin/integrations/monitoringalert/add/").status_code == 403
    assert MonitoringAlert.objects.count() == 0
