import pytest
from django.core.cache import cache

from tests.factories import AgentFactory, ContactFactory, CoordinatorFactory, SupportPolicyFactory


@pytest.fixture
def requester(db):
    """An authorized contact of an organization whose policy is in force."""
    policy = SupportPolicyFactory()
    return ContactFactory(organization=policy.organization, is_authorized=True)


@pytest.fixture
def agent(db):
    return AgentFactory(first_name="Ana", last_name="Agente", username="ana")


@pytest.fixture
def other_agent(db):
    return AgentFactory(first_name="Beto", last_name="Agente", username="beto")


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory(first_name="Carla", last_name="Coordinadora", username="carla")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
