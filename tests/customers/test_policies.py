"""A support policy (póliza) is in force from its first day to its last, both included,
while active; an organization gets service only while one is."""

import datetime

import pytest
import time_machine

from customers.models import SupportPolicy
from tests.factories import OrganizationFactory, SupportPolicyFactory

# Noon in Mexico City, so "today" is the same day whichever way it is computed.
NOW = datetime.datetime(2025, 3, 10, 18, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2025, 3, 10)
DAY = datetime.timedelta(days=1)

CASES = [
    pytest.param(TODAY, TODAY + 30 * DAY, True, True, id="starts-today"),
    pytest.param(TODAY - 30 * DAY, TODAY, True, True, id="ends-today"),
    pytest.param(TODAY, TODAY, True, True, id="one-day-policy-today"),
    pytest.param(TODAY - 30 * DAY, TODAY + 30 * DAY, True, True, id="in-the-middle"),
    pytest.param(TODAY - 365 * DAY, TODAY - DAY, True, False, id="expired-yesterday"),
    pytest.param(TODAY + DAY, TODAY + 365 * DAY, True, False, id="starts-tomorrow"),
    pytest.param(TODAY - 30 * DAY, TODAY + 30 * DAY, False, False, id="inactive"),
]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(("starts_on", "ends_on", "is_active", "in_force"), CASES)
def test_policy_in_force(db, starts_on, ends_on, is_active, in_force):
    policy = SupportPolicyFactory(starts_on=starts_on, ends_on=ends_on, is_active=is_active)

    assert policy.is_in_force() is in_force
    assert SupportPolicy.objects.in_force().filter(pk=policy.pk).exists() is in_force
    assert policy.organization.has_policy_in_force() is in_force
    assert policy.organization.policy_in_force() == (policy if in_force else None)


@pytest.mark.parametrize(("starts_on", "ends_on", "is_active", "in_force"), CASES)
def test_policy_in_force_on_a_given_day(db, starts_on, ends_on, is_active, in_force):
    """The same table, asked a year later about the same day."""
    policy = SupportPolicyFactory(starts_on=starts_on, ends_on=ends_on, is_active=is_active)

    with time_machine.travel(NOW + 365 * DAY, tick=False):
        assert policy.is_in_force(TODAY) is in_force
        assert policy.organization.has_policy_in_force(TODAY) is in_force


def test_today_is_the_desk_local_date(db, settings):
    """At 20:00 in Mexico City it is already tomorrow in UTC; the policy still covers today."""
    policy = SupportPolicyFactory(starts_on=TODAY - 30 * DAY, ends_on=TODAY)

    with time_machine.travel(datetime.datetime(2025, 3, 11, 2, 0, tzinfo=datetime.UTC), tick=False):
        assert settings.TIME_ZONE == "America/Mexico_City"
        assert policy.is_in_force()
        assert policy.organization.has_policy_in_force()


def test_organization_without_policies_has_none_in_force(db):
    organization = OrganizationFactory()

    assert organization.has_policy_in_force() is False
    assert organization.policy_in_force() is None


def test_a_renewal_keeps_the_organization_covered(db):
    old = SupportPolicyFactory(starts_on=TODAY - 365 * DAY, ends_on=TODAY - DAY)
    renewal = SupportPolicyFactory(organization=old.organization, starts_on=TODAY, ends_on=TODAY + 364 * DAY)

    assert old.organization.has_policy_in_force()
    assert old.organization.policy_in_force() == renewal


def test_overlapping_policies_name_the_one_lasting_longest(db):
    short = SupportPolicyFactory(starts_on=TODAY - 10 * DAY, ends_on=TODAY + 10 * DAY)
    long = SupportPolicyFactory(organization=short.organization, starts_on=TODAY - 10 * DAY, ends_on=TODAY + 100 * DAY)

    assert short.organization.policy_in_force() == long


def test_another_organizations_policy_does_not_count(db):
    SupportPolicyFactory()

    assert OrganizationFactory().has_policy_in_force() is False


def test_an_inactive_organization_has_no_service_whatever_its_policy(db):
    from tests.factories import SupportPolicyFactory

    policy = SupportPolicyFactory()
    organization = policy.organization
    assert organization.has_policy_in_force()
    organization.is_active = False
    organization.save()
    assert not organization.has_policy_in_force()
