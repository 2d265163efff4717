"""Permissions are read once a user and kept (accounts.backends.PermissionBackend): a page
asks the database for none of them again, and any change of who holds what applies to the
very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP
from tests.factories import AgentFactory, UserFactory

QUEUE = reverse("workspace:queue")
REPORTS = reverse("reports:index")


def permission_queries(captured) -> list[str]:
    return [query["sql"] for query in captured if "auth_permission" in query["sql"]]


@pytest.mark.django_db
def test_a_second_page_reads_no_permission_from_the_database(client):
    client.force_login(AgentFactory())
    with CaptureQueriesContext(connection) as first:
        assert client.get(QUEUE).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(QUEUE).status_code == 200
    assert permission_queries(first), "the first page reads the user's permissions"
    assert permission_queries(second) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("left the group", 403),
        ("group lost its permission", 403),
        ("deactivated", 302),  # signed out: sent to sign in
    ],
)
def test_taking_the_role_away_applies_to_the_next_page(client, change, status):
    agent = AgentFactory()
    client.force_login(agent)
    assert client.get(QUEUE).status_code == 200
    group = Group.objects.get(name=AGENT_GROUP)
    if change == "left the group":
        agent.groups.remove(group)
    elif change == "group lost its permission":
        group.permissions.remove(Permission.objects.get(content_type__app_label="tickets", codename="work_ticket"))
    else:
        agent.is_active = False
        agent.save(update_fields=["is_active"])
    assert client.get(QUEUE).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["joined the coordinators", "given the permission directly", "made superuser"])
def test_giving_a_permission_applies_to_the_next_page(client, how):
    agent = AgentFactory()
    client.force_login(agent)
    assert client.get(REPORTS).status_code == 403
    if how == "joined the coordinators":
        agent.groups.add(Group.objects.get(name=COORDINATOR_GROUP))
    elif how == "given the permission directly":
        agent.user_permissions.add(Permission.objects.get(content_type__app_label="reports", codename="view_reports"))
    else:
        agent.is_superuser = True
        agent.save(update_fields=["is_superuser"])
    assert client.get(REPORTS).status_code == 200


@pytest.mark.django_db
def test_each_user_keeps_their_own_permissions(client):
    agent, stranger = AgentFactory(), UserFactory()
    client.force_login(agent)
    assert client.get(QUEUE).status_code == 200
    client.force_login(stranger)
    assert client.get(QUEUE).status_code == 403
