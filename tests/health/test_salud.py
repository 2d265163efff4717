"""/salud/ for a load balancer or an uptime monitor: 200 only when every dependency
answers, else 503 naming what is down, quickly, whatever is down."""

import datetime
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from health.models import Heartbeat
from tests.helpdesk.outages import database_unreachable
from tests.helpdesk.processes import RedisServer, needs_redis_server

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
FRESH = NOW - datetime.timedelta(minutes=1)
OLD = NOW - datetime.timedelta(minutes=4)


def beats(worker=FRESH, beat=FRESH):
    for name, seen in (("worker", worker), ("beat", beat)):
        if seen is not None:
            Heartbeat.objects.create(name=name, last_seen=seen)


@pytest.fixture
def healthy(settings):
    """A broker that answers (kombu's in-memory one) and a local cache, as on a small desk."""
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


ALL_OK = {"database": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("broker", "cache", "worker", "beat", "database_down", "status", "checks"),
    [
        (None, None, FRESH, FRESH, False, 200, ALL_OK),
        (UNREACHABLE, None, FRESH, FRESH, False, 503, {**ALL_OK, "broker": "down"}),
        (None, UNREACHABLE, FRESH, FRESH, False, 503, {**ALL_OK, "cache": "down"}),
        (None, None, OLD, FRESH, False, 503, {**ALL_OK, "worker": "stale"}),
        (None, None, FRESH, OLD, False, 503, {**ALL_OK, "beat": "stale"}),
        # Never heard from: a fresh install whose beat was never started.
        (None, None, None, None, False, 503, {**ALL_OK, "worker": "stale", "beat": "stale"}),
        (None, None, FRESH, FRESH, True, 503, {**ALL_OK, "database": "down", "worker": "unknown", "beat": "unknown"}),
        (UNREACHABLE, UNREACHABLE, OLD, None, False, 503,
         {"database": "ok", "cache": "down", "broker": "down", "worker": "stale", "beat": "stale"}),
    ],
    ids=["all-up", "broker-down", "cache-down", "worker-stale", "beat-stale", "never-heard", "database-down",
         "redis-down-and-background-stale"],
)
def test_health_names_each_dependency_and_answers_503_when_one_is_down(
    client, settings, healthy, cache_at, broker, cache, worker, beat, database_down, status, checks
):
    if broker:
        settings.CELERY_BROKER_URL = broker
    if cache:
        cache_at(cache)
    beats(worker, beat)
    with time_machine.travel(NOW, tick=False):
        if database_down:
            with database_unreachable():
                response = client.get(reverse("health"))
        else:
            response = client.get(reverse("health"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["checks"] == checks
    assert body["status"] == ("ok" if status == 200 else "error")
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_tells_when_each_process_was_last_heard_from(client, healthy):
    beats(worker=FRESH, beat=None)
    with time_machine.travel(NOW, tick=False):
        body = client.get(reverse("health")).json()
    assert body["last_seen"] == {"worker": "2026-03-02T09:59:00+00:00", "beat": None}


@pytest.mark.django_db
@pytest.mark.parametrize(("after", "state"), [(datetime.timedelta(minutes=3), "ok"), (datetime.timedelta(minutes=3, seconds=1), "stale")])
def test_a_heartbeat_is_stale_after_three_missed_minutes(client, healthy, after, state):
    beats(worker=NOW, beat=NOW)
    with time_machine.travel(NOW + after, tick=False):
        checks = client.get(reverse("health")).json()["checks"]
    assert (checks["worker"], checks["beat"]) == (state, state)


@pytest.mark.django_db
def test_a_real_unreachable_redis_gives_503_at_once(client, settings, cache_at):
    settings.CELERY_BROKER_URL = UNREACHABLE
    cache_at(UNREACHABLE)
    beats(worker=timezone.now(), beat=timezone.now())
    started = time.monotonic()
    response = client.get(reverse("health"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down", "broker": "down", "worker": "ok", "beat": "ok"}
    assert elapsed < 1


@pytest.mark.django_db
def test_a_redis_that_does_not_answer_holds_the_check_under_two_seconds(client, settings, cache_at, silent_redis):  # noqa: F811
    settings.CELERY_BROKER_URL = silent_redis
    cache_at(silent_redis)
    started = time.monotonic()
    response = client.get(reverse("health"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert (response.json()["checks"]["cache"], response.json()["checks"]["broker"]) == ("down", "down")
    # Two network checks of 0.75 s each; without timeouts a silent Redis would hold the
    # request forever (the margin is for a loaded test machine).
    assert elapsed < 4


@pytest.mark.django_db
def test_the_database_down_gives_503_json_not_a_500(client, healthy):
    with database_unreachable():
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == "down"


@needs_redis_server
@pytest.mark.django_db
def test_a_redis_that_answers_is_ok_for_cache_and_broker(client, settings, cache_at, tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        settings.CELERY_BROKER_URL = server.url
        cache_at(server.url)
        beats(worker=timezone.now(), beat=timezone.now())
        response = client.get(reverse("health"))
    finally:
        server.kill()
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}


@pytest.mark.django_db
def test_health_reports_stale_background_until_the_worker_beats(client, healthy):
    """The heartbeat task, run by a worker, turns the worker's check green."""
    from health.tasks import heartbeat

    Heartbeat.objects.create(name="beat", last_seen=timezone.now())
    assert client.get(reverse("health")).json()["checks"]["worker"] == "stale"
    heartbeat()
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "ok"
