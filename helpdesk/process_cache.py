"""Configuration that every report reads and coordinators rarely edit (the priority matrix,
SLA plans, their targets and calendars), kept in each process for a few seconds.

A `ProcessCache` forgets everything at once when this process saves or deletes a row of a
model it watches (and again when that transaction commits); other processes (the other
web workers, Celery) see the edit when their copy expires, `seconds` later at most. That
is the same as the report having arrived a moment earlier. An edit made without signals
(`QuerySet.update()`, SQL by hand) is also seen once the copies expire.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

DEFAULT_SECONDS = 5.0

_caches: list[ProcessCache] = []


class ProcessCache:
    def __init__(self, name: str, *, seconds: float = DEFAULT_SECONDS):
        self.name = name
        self.seconds = seconds
        self._values: dict[Hashable, tuple[float, Any]] = {}
        _caches.append(self)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value kept under `key`, or `load()` kept from now on."""
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and kept[0] > now:
            return kept[1]
        value = load()
        self._values[key] = (now + self.seconds, value)
        return value

    def clear(self, **_signal) -> None:
        self._values.clear()

    def _changed(self, **_signal) -> None:
        self.clear()
        # A read later in the same transaction may keep rows that are not committed yet.
        transaction.on_commit(self.clear)

    def watch(self, *models) -> None:
        """Forget everything when a row of one of these models is saved or deleted here."""
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=model, weak=False,
                               dispatch_uid=f"process_cache.{self.name}.{model._meta.label}.{signal is post_save}")


def clear_all() -> None:
    """Forget every process cache (tests: a rolled-back transaction sends no signal)."""
    for cache in _caches:
        cache.clear()
