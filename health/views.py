from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import checks


@never_cache
@require_GET
def health(request):
    """For a load balancer or uptime monitor: 200 when every dependency answers and the
    worker and beat have been heard from recently; 503 naming what is not ok otherwise."""
    report = checks.report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
