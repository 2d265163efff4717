"""The roles that every migrate and flush create: what an agent and a coordinator may do."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP

pytestmark = pytest.mark.django_db


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{app}.{code}" for app, code in group.permissions.values_list("content_type__app_label", "codename")}


@pytest.mark.parametrize(
    "permission, agent, coordinator",
    [
        ("tickets.work_ticket", True, True),
        ("tickets.assign_ticket", False, True),
        ("tickets.cancel_ticket", False, True),
        ("sla.view_slaplan", True, True),
        ("sla.change_slaplan", False, True),
        ("sla.change_calendar", False, True),
        ("sla.add_holiday", False, True),
        ("sla.change_slatarget", False, True),
        ("sla.view_slaevent", True, True),
        ("sla.change_slaevent", False, False),
    ],
)
def test_roles_grant_what_each_does(permission, agent, coordinator):
    assert (permission in codenames(AGENT_GROUP)) is agent
    assert (permission in codenames(COORDINATOR_GROUP)) is coordinator
