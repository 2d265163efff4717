"""Dependencies made unavailable for a test, on the real code paths: a real Redis cache,
Redis (cache and broker) down, the database unreachable.

Its fixtures are registered for the whole suite (tests/conftest.py, pytest_plugins): ask
for one by name, e.g. `def test_x(redis_cache): …`.
"""

import socket
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

# Nothing listens on port 1: connections are refused at once, as when Redis is stopped.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _redis_caches(location: str) -> dict:
    """The production cache block (its timeouts included) on another Redis."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }


@pytest.fixture
def silent_redis():
    """A TCP port that accepts connections and never answers: a Redis that hangs (stopped,
    swapping, or a black-holed route), the case a timeout must cover."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.fixture
def cache_at(settings):
    """`use(url)` points the default cache at a Redis URL for one test; the test cache is
    back before the suite's cache-emptying fixture runs (it would try the dead Redis)."""
    original = settings.CACHES

    def use(url: str) -> None:
        settings.CACHES = _redis_caches(url)

    yield use
    settings.CACHES = original


# override_settings rather than the settings fixture: the cache is back before the
# suite's own fixtures clear it after the test.


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis of REDIS_URL (the test settings use LocMemCache)."""
    if not settings.REDIS_URL:
        pytest.skip("needs a real Redis: set REDIS_URL=redis://127.0.0.1:6379/<db>")
    with override_settings(CACHES=_redis_caches(settings.REDIS_URL)):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def cache_down():
    """The cache is a Redis nobody answers."""
    with override_settings(CACHES=_redis_caches(UNREACHABLE_REDIS)):
        yield


@pytest.fixture
def broker_down(settings, celery_broker):
    """Celery publishes to a Redis broker nobody answers (not eagerly in the test's thread).
    `broker_back()` (the fixture's value) switches back to eager tasks on the configured broker."""
    configured = settings.CELERY_BROKER_URL

    def broker_back() -> None:
        celery_broker(configured, eager=True)

    celery_broker(UNREACHABLE_REDIS)
    return broker_back


@contextmanager
def database_unreachable():
    """Every new cursor fails with the driver's own OperationalError, as when the server
    is down or restarting; Django wraps it as django.db.OperationalError on the real path."""
    error = connection.Database.OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connection, "create_cursor", side_effect=error):
        yield
