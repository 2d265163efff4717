"""Tests against PostgreSQL (real threads, other processes): what they share."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction


def postgres_only(reason: str) -> list:
    """The marks of a module whose tests need PostgreSQL, `reason` saying why (skipped on
    SQLite). Their statements commit for real, so the test database is flushed after each."""
    return [
        pytest.mark.postgres,
        pytest.mark.skipif(connection.vendor != "postgresql", reason=reason),
        pytest.mark.django_db(transaction=True),
    ]


# Row locks, SKIP LOCKED and real concurrent commits need PostgreSQL.
POSTGRES_ONLY = postgres_only(
    "row locks (SELECT ... FOR NO KEY UPDATE) only exist on PostgreSQL; set DATABASE_URL=postgres://…"
)

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


@contextmanager
def row_locked(model, pk):
    """Another connection holds the row's lock (SELECT … FOR NO KEY UPDATE, as a service
    does) for as long as the block runs, then lets it go."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update(no_key=True).get(pk=pk)
                locked.set()
                release.wait(TIMEOUT)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(TIMEOUT), "the other connection never got the lock"
        yield
    finally:
        release.set()
        holder.join(TIMEOUT)
