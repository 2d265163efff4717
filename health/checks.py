"""What /salud/ checks: each dependency the desk needs, each with a short timeout, so a
dependency that does not answer is reported as down within about a second instead of
holding the health check."""

from __future__ import annotations

import datetime

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import Heartbeat

# Seconds a network check may take (connect, and then the answer).
TIMEOUT = 0.75
# Beat sends the worker's heartbeat every minute and writes its own every 30 s; three
# missed minutes means the process is down.
STALE_AFTER = datetime.timedelta(minutes=3)
HEARTBEATS = ("worker", "beat")
OK, DOWN, STALE, UNKNOWN = "ok", "down", "stale", "unknown"


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return DOWN
    return OK


def _redis_location() -> str | None:
    """The Redis server behind the default cache, or None when the cache is not Redis."""
    cache = settings.CACHES["default"]
    if not cache["BACKEND"].endswith(".RedisCache"):
        return None
    location = cache["LOCATION"]
    if isinstance(location, str):
        location = location.split(",")
    return location[0].strip()  # the first server takes the writes


def _redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT, retry_on_timeout=False)
    try:
        return client.ping()
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def cache() -> str | None:
    """The Redis cache (rate limits, shared state); None when the cache is local files."""
    location = _redis_location()
    if location is None:
        return None
    return OK if _redis_answers(location) else DOWN


def broker() -> str:
    """The Celery broker, through kombu with the desk's own transport options."""
    from helpdesk.celery import app

    connection_ = app.connection_for_write(
        connect_timeout=TIMEOUT,
        transport_options={"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT, "max_retries": 0},
    )
    try:
        connection_.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT)
        connection_.default_channel  # noqa: B018 - opening a channel makes Redis answer a command
    except Exception:  # kombu raises the transport's own errors (redis, OSError, ...)
        return DOWN
    finally:
        connection_.release()
    return OK


def heartbeats(now: datetime.datetime) -> tuple[dict[str, str], dict[str, str | None]]:
    """Each background process's state and when it was last heard from."""
    try:
        seen = dict(Heartbeat.objects.filter(name__in=HEARTBEATS).values_list("name", "last_seen"))
    except DatabaseError:
        return dict.fromkeys(HEARTBEATS, UNKNOWN), dict.fromkeys(HEARTBEATS)
    states = {name: OK if name in seen and now - seen[name] <= STALE_AFTER else STALE for name in HEARTBEATS}
    return states, {name: seen[name].isoformat() if name in seen else None for name in HEARTBEATS}


def report() -> dict:
    checks = {"database": database()}
    cache_state = cache()
    if cache_state is not None:
        checks["cache"] = cache_state
    checks["broker"] = broker()
    states, last_seen = heartbeats(timezone.now())
    checks.update(states)
    return {
        "status": "ok" if all(state == OK for state in checks.values()) else "error",
        "checks": checks,
        "last_seen": last_seen,
    }
