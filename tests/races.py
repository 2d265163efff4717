"""Real threads against PostgreSQL: what the race tests share."""

import threading

import pytest
from django.db import connection

# Row locks, SKIP LOCKED and real concurrent commits need PostgreSQL; threads commit for
# real, so the test database is flushed after each test.
POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT ... FOR NO KEY UPDATE) only exist on PostgreSQL; set DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 20  # seconds; a deadlock fails the test instead of hanging the run


def race(*jobs):
    """Run each job in its own thread, all released at once; return what each returned
    or raised, in order. `prepare` (if given) runs before the barrier, e.g. to load a stale copy."""
    barrier = threading.Barrier(len(jobs), timeout=TIMEOUT)
    outcomes = [None] * len(jobs)

    def run(index, prepare, act):
        try:
            prepared = prepare() if prepare else None
            barrier.wait()
            outcomes[index] = act(prepared)
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running: deadlock?"
    return outcomes
