from celery import shared_task

from .sweep import sla_sweep


# acks_late: a sweep whose worker died is delivered again; a batch it had not committed is
# simply done by the next sweep (see sla.sweep). The soft limit lands well after the
# sweep's own time budget, and a killed batch rolls back whole.
@shared_task(name="sla.sweep", acks_late=True, ignore_result=True, soft_time_limit=55, time_limit=75)
def sla_sweep_task() -> None:
    sla_sweep()
