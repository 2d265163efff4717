import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from health.models import Heartbeat
from helpdesk.celery import app


def test_beat_schedule_runs_the_heartbeat_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["health-heartbeat"]
    assert entry["task"] == "health.heartbeat"
    assert entry["schedule"] == 60.0


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_periodic_task(settings, celery_broker):
    """A Celery worker consumes the heartbeat from the configured broker (Redis in CI)
    and records it in the database."""
    broker = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else "memory://"
    celery_broker(broker)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        app.send_task("health.heartbeat")
        for _ in range(100):
            if Heartbeat.objects.filter(name="worker").exists():
                break
            time.sleep(0.1)
    assert Heartbeat.objects.filter(name="worker").exists()
