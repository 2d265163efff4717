"""Configuration that every report or page reads and coordinators rarely edit (the priority
matrix, SLA plans, their targets and calendars, who holds which permission), kept in each
process for a few seconds.

A `ProcessCache` forgets everything at once when this process saves or deletes a row of a
model it watches, or changes a many-to-many link it watches (and again when that
transaction commits). Other processes (the other
web workers, Celery) learn of the edit through a version stamp in the shared cache
(Redis when configured), which the editing process changes when its transaction commits
and which every read compares: an edit in the admin applies to the next report in every
process. The copies also expire after `seconds`, which covers what the stamp cannot: an
edit made without signals (`QuerySet.update()`, SQL by hand) or while the shared cache is
down (its reads then fail fast and count as "unknown", never as an error).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache as shared_cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0

_caches: list[ProcessCache] = []
# After the shared cache fails to answer, no cache asks it again until this monotonic
# time: a hung Redis costs one timeout per process every few seconds, not one per read.
_stamps_unavailable_until = 0.0


class ProcessCache:
    def __init__(self, name: str, *, seconds: float = DEFAULT_SECONDS):
        self.name = name
        self.seconds = seconds
        self._version_key = f"process-cache:{name}:version"
        self._values: dict[Hashable, tuple[float, Any, Any]] = {}
        _caches.append(self)

    def _shared_version(self, now: float) -> Any:
        """The stamp other processes changed on their last edit; None if unknown."""
        global _stamps_unavailable_until
        if now < _stamps_unavailable_until:
            return None
        try:
            return shared_cache.get(self._version_key)
        except Exception as error:  # noqa: BLE001 - the shared cache is down: rely on expiry
            _stamps_unavailable_until = now + self.seconds
            logger.warning("Process cache %s: no version stamp for %s s (%s)", self.name, self.seconds, error)
            return None

    def _bump_shared_version(self) -> None:
        try:
            shared_cache.set(self._version_key, uuid.uuid4().hex, None)
        except Exception as error:  # noqa: BLE001 - other processes see the edit on expiry
            logger.warning("Process cache %s: other processes see the edit within %s s (%s)", self.name, self.seconds, error)

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value kept under `key`, or `load()` kept from now on."""
        now = time.monotonic()
        version = self._shared_version(now)
        kept = self._values.get(key)
        if kept is not None and kept[0] > now and kept[2] == version:
            return kept[1]
        value = load()
        self._values[key] = (now + self.seconds, value, version)
        return value

    def clear(self, **_signal) -> None:
        self._values.clear()

    def _committed(self) -> None:
        self.clear()
        self._bump_shared_version()

    def _changed(self, **_signal) -> None:
        self.clear()
        # A read later in the same transaction may keep rows that are not committed yet;
        # other processes must not reload before the edit is visible to them.
        transaction.on_commit(self._committed)

    def watch(self, *models) -> None:
        """Forget everything when a row of one of these models is saved or deleted."""
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    self._changed,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"process_cache.{self.name}.{model._meta.label}.{signal is post_save}",
                )

    def watch_links(self, *through_models) -> None:
        """Forget everything when a many-to-many link changes (add, remove, clear, set), on
        these `through` models: e.g. `User.groups.through`."""
        for through in through_models:
            m2m_changed.connect(
                self._links_changed,
                sender=through,
                weak=False,
                dispatch_uid=f"process_cache.{self.name}.{through._meta.label}.links",
            )

    def _links_changed(self, action: str, **signal) -> None:
        if action.startswith("post_"):
            self._changed(**signal)


def clear_all() -> None:
    """Forget every process cache (tests: a rolled-back transaction sends no signal)."""
    global _stamps_unavailable_until
    _stamps_unavailable_until = 0.0
    for cache in _caches:
        cache.clear()
