"""Every rate limit and lockout of the desk, in one place.

Request limits (the public form per client address, the monitoring API per integration)
are django-ratelimit's fixed windows in the cache: one atomic increment per request
decides, so N requests at once get exactly the limit through. A cache that cannot
answer (Redis down) lets the request through and logs a warning: a limiter never costs
a report.

The sign-in lockout is django-axes with its database handler (it does not depend on
Redis): failures per identity (the user name normalized as Django's sign-in form does,
then casefolded) and per client address across identities, each with its own limit.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from contextlib import contextmanager

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import UsernameField
from django.db import connection, transaction
from django.db.models import Sum
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# AccessAttempt.username's length: a longer identity is cut, never refused.
_IDENTITY_MAX_LENGTH = 255


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


# Sign-in lockout ----------------------------------------------------------------------


def login_identity(username: str | None) -> str | None:
    """The identity the sign-in lockout counts for a typed user name: stripped and NFKC
    as Django's sign-in form does before it checks the password (so "ａgente４" is
    "agente4"), then casefolded, so that every spelling of one account shares one counter."""
    if username is None:
        return None
    normalized = UsernameField().to_python(username)
    return unicodedata.normalize("NFKC", normalized.casefold())[:_IDENTITY_MAX_LENGTH]


@contextmanager
def login_serialized(identity: str | None):
    """One sign-in per identity at a time, on PostgreSQL (a transaction-level advisory
    lock): the lockout check and the failure it records are never raced by a burst of
    guesses, so a burst gets no more password checks than guesses one after another.
    SQLite (development) serializes every write already."""
    if not identity or connection.vendor != "postgresql":
        yield
        return
    digest = hashlib.blake2b(f"sign-in:{identity}".encode(), digest_size=8).digest()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])
        yield


def axes_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the identity of the credentials being checked, or of the
    user name posted."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return login_identity(username)


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with two limits: AXES_FAILURE_LIMIT failures per identity,
    HELPDESK_LOGIN_ADDRESS_FAILURE_LIMIT per client address across identities (one
    address guessing many names), both within AXES_COOLOFF_TIME."""

    def _recent_failures(self, request, **lookup) -> int:
        attempts = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request), **lookup)
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The identity's failures: axes compares them with AXES_FAILURE_LIMIT."""
        return self._recent_failures(request, username=get_client_username(request, credentials))

    def address_locked(self, request) -> bool:
        failures = self._recent_failures(request, ip_address=request.axes_ip_address)
        return failures >= settings.HELPDESK_LOGIN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes answers the failure that reaches the identity's limit with the lockout
        # page; the one that reaches the address' limit likewise.
        if request is not None and not request.axes_locked_out and self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful sign-in clears that identity's failures only: clearing its
        address' too would let anyone with one account reset the brake on their address."""
        identity = get_client_username(request, credentials)
        if not identity:  # axes' reset with no name would clear every attempt
            return 0
        return self.reset_attempts(username=identity)


class SignInLockoutBackend(AxesStandaloneBackend):
    """Axes' backend (refuses a locked-out sign-in before the password is checked). A
    sign-in from code rather than a page (a script, the test client) has no client
    address to count and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
