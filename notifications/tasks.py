import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import services

logger = logging.getLogger(__name__)


# acks_late: a message whose worker died comes back; the claim in the service makes a
# second delivery harmless. Failed sends are retried by the service's backoff and the
# beat sweep, not by Celery retries (no long ETAs in Redis); the only Celery retries are
# the short ones (at most 30 s) while the database is away.
@shared_task(
    bind=True,
    name=services.SEND_TASK,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=services.SEND_SOFT_TIME_LIMIT,
    time_limit=services.SEND_TIME_LIMIT,
    max_retries=services.CLAIM_RETRIES,
)
def email_send_task(self, email_id: int, previous_claim: str = "") -> None:
    try:
        services.email_send(email_id=email_id, previous_claim=previous_claim)
    except services.ClaimUnconfirmed as unconfirmed:
        # Nothing was sent. Soon, take this attempt's claim over (if it committed) and send.
        raise self.retry(
            # Given whole: the retry replaces both (the first call passed the id positionally).
            args=(),
            kwargs={"email_id": email_id, "previous_claim": unconfirmed.claim_token},
            countdown=services.retry_countdown(self.request.retries),
            exc=unconfirmed,
        ) from unconfirmed
    except services.OutcomeDeferred:
        pass  # the provider was called once; the record task writes what happened


@shared_task(
    bind=True,
    name=services.RECORD_TASK,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=services.RECORD_SOFT_TIME_LIMIT,
    time_limit=services.RECORD_TIME_LIMIT,
    max_retries=services.RECORD_RETRIES,
)
def email_record_task(self, email_id: int, claim_token: str, outcome: dict) -> None:
    """Write the outcome of a send whose sender lost the database, as soon as it is back."""
    try:
        services.email_record_outcome(email_id=email_id, claim_token=claim_token, outcome=outcome)
    except (*services.DATABASE_ERRORS, SoftTimeLimitExceeded) as error:
        if self.request.retries >= self.max_retries:
            logger.error(
                "Email %s: outcome %s never recorded; the row stays sending until its lease ends and may then be"
                " sent again",
                email_id,
                outcome.get("status"),
            )
            return
        raise self.retry(countdown=services.retry_countdown(self.request.retries), exc=error) from error


@shared_task(
    name="notifications.flush_outbox",
    ignore_result=True,
    soft_time_limit=services.FLUSH_SOFT_TIME_LIMIT,
    time_limit=services.FLUSH_TIME_LIMIT,
)
def email_flush_task() -> None:
    services.email_flush_due()
