from celery import shared_task

from . import services


# acks_late: a message whose worker died comes back; the claim in the service makes a
# second delivery harmless. Failed sends are retried by the service's backoff and the
# beat sweep, not by Celery retries (no long ETAs in Redis).
@shared_task(name="notifications.send_email", acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def email_send_task(email_id: int) -> None:
    services.email_send(email_id=email_id)


@shared_task(name="notifications.flush_outbox", ignore_result=True, soft_time_limit=240, time_limit=300)
def email_flush_task() -> None:
    services.email_flush_due()
