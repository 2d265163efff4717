"""Every rate limit and lockout of the desk, in one place.

Request limits (the public form per client address, the monitoring API per integration)
are django-ratelimit's fixed windows in the cache: one atomic increment per request
decides, so N requests at once get exactly the limit through. A cache that cannot
answer (Redis down) lets the request through and logs a warning: a limiter never costs
a report.
"""

from __future__ import annotations

import logging

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


# Request limits -----------------------------------------------------------------------


def _usage(*, group: str, key: str, rate: tuple[int, int], increment: bool) -> dict | None:
    """django-ratelimit's usage of `key` in `group` (None: no limit applies, or the cache
    did not answer and the request goes through)."""
    try:
        # The key is computed here, so the library never reads a request.
        return get_usage(None, group=group, key=lambda _group, _request: key, rate=tuple(rate), increment=increment)
    except Exception as error:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("Rate limit %s not applied: the cache did not answer (%s)", group, error)
        return None


def limit_hit(*, group: str, key: str, rate: tuple[int, int]) -> int:
    """Count one request of `key` against `rate` = (requests, seconds) in one atomic cache
    increment. 0 when it is within the limit; else the seconds until the window ends
    (for Retry-After)."""
    usage = _usage(group=group, key=key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return 0
    return max(1, usage["time_left"])


def limit_reached(*, group: str, key: str, rate: tuple[int, int]) -> bool:
    """Whether the next request of `key` would be over the limit, without counting it
    (to refuse early; `limit_hit` still decides)."""
    usage = _usage(group=group, key=key, rate=rate, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]
