import datetime

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Heartbeat

# Beat sends the heartbeat every minute; three missed beats means the background is down.
STALE_AFTER = datetime.timedelta(minutes=3)


@never_cache
@require_GET
def health(request):
    """For a load balancer or uptime monitor: 200 when the database answers and the
    worker and beat have been heard from recently, 503 otherwise."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name="worker").first()
    age = (timezone.now() - beat.last_seen) if beat else None
    background_ok = age is not None and age <= STALE_AFTER
    body = {
        "database": "ok",
        "background": "ok" if background_ok else "stale",
        "worker_last_seen": beat.last_seen.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if background_ok else 503)
