from celery import shared_task

from . import answers


# Beat runs it every few minutes (CELERY_BEAT_SCHEDULE). Two runs at once close each
# ticket once: the service locks each ticket and rechecks its confirmation.
@shared_task(name="surveys.close_unconfirmed", ignore_result=True, soft_time_limit=240, time_limit=300)
def confirmation_expire_due_task() -> None:
    answers.confirmation_expire_due()
