from celery import shared_task
from django.db import InterfaceError, OperationalError

from .refresh import reports_refresh
from .weekly import weekly_summary_send


# A refresh still queued when the next one is due is dropped: the next one does the same.
@shared_task(name="reports.refresh", ignore_result=True, soft_time_limit=240, time_limit=290)
def reports_refresh_task() -> None:
    reports_refresh()


# Once a week (beat, Monday 07:00 in the desk's zone). A run that finds its week sent does
# nothing, so a retry after the database failed is safe.
@shared_task(
    name="reports.weekly_summary",
    ignore_result=True,
    soft_time_limit=240,
    time_limit=290,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def weekly_summary_task() -> None:
    weekly_summary_send()
