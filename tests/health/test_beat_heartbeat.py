"""Beat proves it runs by itself: its scheduler writes the "beat" heartbeat as it ticks,
at most every 30 seconds, even when the broker is down."""

import datetime

import pytest
import time_machine

from health.models import Heartbeat
from health.schedulers import HeartbeatDatabaseScheduler
from helpdesk.celery import app

T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def test_beat_runs_the_heartbeat_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "health.schedulers:HeartbeatDatabaseScheduler"


@pytest.mark.django_db(transaction=True)
def test_each_beat_tick_records_beat_at_most_every_30_seconds(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # down: what beat sends fails
    with time_machine.travel(T0, tick=False) as traveller:
        scheduler = HeartbeatDatabaseScheduler(app=app, lazy=True)
        scheduler.tick()
        assert Heartbeat.objects.get(name="beat").last_seen == T0
        traveller.shift(datetime.timedelta(seconds=29))
        scheduler.tick()
        assert Heartbeat.objects.get(name="beat").last_seen == T0
        traveller.shift(datetime.timedelta(seconds=1))
        scheduler.tick()
        assert Heartbeat.objects.get(name="beat").last_seen == T0 + datetime.timedelta(seconds=30)
    assert not Heartbeat.objects.filter(name="worker").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seen_ago", "fresh"),
    [(datetime.timedelta(seconds=30), True), (datetime.timedelta(minutes=4), False), (None, False)],
    ids=["fresh", "stale", "never"],
)
def test_the_liveness_probe_exits_1_when_beat_was_not_heard_from(seen_ago, fresh):
    from django.core.management import CommandError, call_command

    if seen_ago is not None:
        Heartbeat.objects.create(name="beat", last_seen=T0 - seen_ago)
    with time_machine.travel(T0, tick=False):
        if fresh:
            call_command("heartbeat_fresh", "beat")
        else:
            with pytest.raises(CommandError, match="beat is stale"):
                call_command("heartbeat_fresh", "beat")
