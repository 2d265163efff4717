"""The rows the desk cannot work without: the roles, the default priority matrix and the
default SLA plan exist after migrate (the test database is migrated) and after a flush
(what every transactional test ends with); the post_migrate hooks create them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP
from sla.models import ALWAYS_OPEN_CALENDAR_NAME, DEFAULT_CALENDAR_NAME, DEFAULT_TARGETS, Calendar, SLAPlan
from tickets.models import DEFAULT_PRIORITY_MATRIX, PriorityRule


def assert_defaults_exist():
    for name in (AGENT_GROUP, COORDINATOR_GROUP):
        assert Group.objects.get(name=name).permissions.filter(codename="work_ticket").exists()
    assert Group.objects.get(name=COORDINATOR_GROUP).permissions.filter(codename="view_integration").exists()
    assert {(rule.urgency, rule.impact): rule.priority for rule in PriorityRule.objects.all()} == DEFAULT_PRIORITY_MATRIX
    plan = SLAPlan.objects.get(is_default=True)
    assert plan.calendar.name == DEFAULT_CALENDAR_NAME
    assert set(plan.targets.values_list("priority", flat=True)) == set(DEFAULT_TARGETS)
    assert Calendar.objects.filter(name=ALWAYS_OPEN_CALENDAR_NAME, is_24x7=True).exists()


@pytest.mark.django_db
def test_defaults_exist_after_migrate():
    assert_defaults_exist()


@pytest.mark.django_db(transaction=True)
def test_defaults_come_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)

    assert_defaults_exist()
