"""The roles: what an agent and a coordinator may do (the groups every migrate and flush create),
and who counts as which."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from accounts import roles
from accounts.models import AGENT_GROUP, COORDINATOR_GROUP
from tests.factories import AgentFactory, CoordinatorFactory, UserFactory

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


# Who is an agent, who is a coordinator (accounts/roles.py): one rule for the checks and
# the lists. Each person: how they are made, then (agent?, coordinator?) by hand.


def _with_permission(codename):
    def make():
        user = UserFactory()
        user.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename=codename))
        return user

    return make


PEOPLE = {
    "agent": (lambda: AgentFactory(), True, False),
    "coordinator": (lambda: CoordinatorFactory(), True, True),
    "superuser without a group": (lambda: UserFactory(is_superuser=True), True, True),
    "inactive agent": (lambda: AgentFactory(is_active=False), False, False),
    "inactive coordinator": (lambda: CoordinatorFactory(is_active=False), False, False),
    "inactive superuser": (lambda: UserFactory(is_superuser=True, is_active=False), False, False),
    "staff without a group": (lambda: UserFactory(is_staff=True), False, False),
    "not staff, agent's group": (lambda: AgentFactory(is_staff=False), True, False),
    "work permission given directly": (_with_permission("work_ticket"), True, False),
    "assign permission given directly": (_with_permission("assign_ticket"), False, True),
    "cancel permission only": (_with_permission("cancel_ticket"), False, False),
}


@pytest.mark.parametrize("make, agent, coordinator", PEOPLE.values(), ids=PEOPLE.keys())
def test_who_is_an_agent_and_who_is_a_coordinator(make, agent, coordinator):
    user = make()
    # Fresh from the database: no permission cache of the one that was set up.
    user = type(user).objects.get(pk=user.pk)

    assert (roles.is_agent(user), roles.is_coordinator(user)) == (agent, coordinator)
    # The lists say the same as the checks.
    assert (roles.agents().filter(pk=user.pk).exists(), roles.coordinators().filter(pk=user.pk).exists()) == (
        agent,
        coordinator,
    )


def test_nobody_signed_in_is_neither():
    assert not roles.is_agent(AnonymousUser())
    assert not roles.is_coordinator(AnonymousUser())
    assert not roles.is_agent(None)


def test_the_lists_name_each_person_once():
    # In both groups and with the permission directly: one row, not three.
    user = CoordinatorFactory(groups=[AGENT_GROUP, COORDINATOR_GROUP])
    user.user_permissions.add(Permission.objects.get(content_type__app_label="tickets", codename="work_ticket"))

    assert list(roles.agents().filter(pk=user.pk)) == [user]
    assert list(roles.coordinators().filter(pk=user.pk)) == [user]
