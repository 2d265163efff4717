"""Beat's scheduler: django-celery-beat's, which also records beat's own heartbeat."""

import datetime
import logging
import socket

from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from .models import Heartbeat

logger = logging.getLogger(__name__)


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    """Every `heartbeat_every` seconds beat writes Heartbeat "beat": proof that the scheduler
    itself runs, whatever the broker and the workers do (the "worker" heartbeat, a task
    beat sends and a worker runs, proves the whole round trip)."""

    heartbeat_every = datetime.timedelta(seconds=30)  # beat ticks at least every 5 s

    def __init__(self, *args, **kwargs):
        self._heartbeat_at = None
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        now = timezone.now()
        if self._heartbeat_at is None or abs(now - self._heartbeat_at) >= self.heartbeat_every:
            try:
                close_old_connections()
                Heartbeat.objects.update_or_create(
                    name="beat", defaults={"last_seen": now, "hostname": socket.gethostname()}
                )
            except DatabaseError as error:  # the database is down: the tick still runs
                logger.warning("Beat could not record its heartbeat: %s", error)
            else:
                self._heartbeat_at = now
        return super().tick(*args, **kwargs)
