from celery import shared_task

from .refresh import reports_refresh


# A refresh still queued when the next one is due is dropped: the next one does the same.
@shared_task(name="reports.refresh", ignore_result=True, soft_time_limit=240, time_limit=290)
def reports_refresh_task() -> None:
    reports_refresh()
