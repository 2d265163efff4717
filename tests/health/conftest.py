import socket

import pytest


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
def redis_cache(settings):
    """Point the default cache at a Redis URL for one test; put the test cache back before
    the suite's cache-emptying fixture runs (it would try the dead Redis otherwise)."""
    original = settings.CACHES

    def use(url: str) -> None:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}

    yield use
    settings.CACHES = original
