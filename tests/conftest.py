import pytest
from django.core.cache import cache
from django.utils import translation

from helpdesk.celery import app as celery_app
from helpdesk.process_cache import clear_all as clear_process_caches
from tests.factories import (
    AgentFactory,
    ContactFactory,
    CoordinatorFactory,
    ModuleFactory,
    SupportPolicyFactory,
    TicketFactory,
)
from tests.links import DESK_URL
from tickets.models import Ticket

# Dependencies made unavailable on the real code paths (Redis, the broker, the database).
pytest_plugins = ["tests.helpdesk.outages"]


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


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def module(db):
    return ModuleFactory(name="Facturación")


@pytest.fixture
def ticket(requester, agent):
    """A ticket in progress, assigned to the agent, of an authorized requester: its row
    written directly (no history, first response or deadlines; see TicketFactory)."""
    return TicketFactory(
        requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="No timbra la factura"
    )


@pytest.fixture
def desk_address(settings):
    """The desk's public address, where the links in its emails start."""
    settings.HELPDESK_BASE_URL = DESK_URL
    return DESK_URL


@pytest.fixture
def desk_email(settings):
    """The desk's own email address, which its pages offer as an official channel."""
    settings.HELPDESK_SUPPORT_EMAIL = "soporte@openpyme.mx"
    return settings.HELPDESK_SUPPORT_EMAIL


@pytest.fixture(autouse=True)
def _desk_language():
    """Each test starts in the desk's language: a request in English (LocaleMiddleware
    activates the language of each request and leaves it active in the thread) must not
    turn the next test's messages English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files go to the test's own folder, never to a shared one."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: each test starts with none. The process
    caches (priority matrix, SLA plans) too: a rolled-back test sends no signal."""
    cache.clear()
    clear_process_caches()
    yield
    cache.clear()
    clear_process_caches()


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """Django's test runner swaps EMAIL_BACKEND for locmem; use anymail's test backend,
    which also fills `mail.outbox` and gives each message a provider id."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_celery_pools():
    """An eager `.delay()` builds Celery's producer pool on the configured broker and the
    pool outlives the test; a later test that switches broker to start a real worker would
    publish to the old one. Drop the pools, as Celery does after a fork."""
    yield
    celery_app._after_fork()


@pytest.fixture
def celery_broker(settings):
    """`use(broker_url, eager=False)` switches Celery to that broker for one test. Celery
    reads the Django settings live (`app.conf.update` does not override them), so the
    switch goes through them; the producer pools built on the previous broker are dropped.
    The settings fixture restores the suite's eager mode afterwards."""

    def use(broker_url: str, *, eager: bool = False) -> None:
        settings.CELERY_TASK_ALWAYS_EAGER = eager
        settings.CELERY_BROKER_URL = broker_url
        celery_app._after_fork()

    return use
