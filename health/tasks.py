import socket

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(name="health.heartbeat", ignore_result=True, soft_time_limit=20, time_limit=30)
def heartbeat():
    """Sent by beat every minute and run by a worker: its timestamp proves that both
    the scheduler and a worker are alive (shown on /salud/)."""
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
    )
