"""Business-time arithmetic: pure functions over an immutable calendar value, no database.

Business time is real elapsed time (what a stopwatch measures) while the desk is open.
Opening hours are wall-clock times in the calendar's zone, so on a DST day a 09:00–18:00
range may last 8 or 10 real hours, and a range that crosses the jump loses or gains it.
The clock walks one local day at a time and skips closed days at once: a 48 h target on
a 9 h day is about eight steps, a year about 365.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import holidays

UTC = datetime.UTC
DAY_SECONDS = 24 * 60 * 60
ONE_DAY = datetime.timedelta(days=1)
ZERO = datetime.timedelta(0)
# More closed days in a row than this means the calendar has no business time at all
# (say every day of the year is a yearly holiday): fail instead of walking forever.
MAX_CLOSED_DAYS = 400

# A range of a day, in seconds since local midnight; the end may be 86400 (midnight).
Range = tuple[int, int]


@functools.lru_cache(maxsize=256)
def country_holidays(country: str, subdivision: str, year: int) -> frozenset[datetime.date]:
    """The public holidays of a country (and subdivision) in a year, from the `holidays`
    package. Deterministic for a package version, so caching it per process is safe."""
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def normalize_ranges(ranges) -> tuple[Range, ...]:
    """Sort a day's ranges and join touching ones; refuse empty, inverted or overlapping ranges."""
    result: list[Range] = []
    for start, end in sorted(ranges):
        if not 0 <= start < end <= DAY_SECONDS:
            raise ValueError(f"invalid business-hours range {start}–{end} (seconds since midnight)")
        if result and start < result[-1][1]:
            raise ValueError(f"overlapping business-hours ranges {result[-1]} and {(start, end)}")
        if result and start == result[-1][1]:
            result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return tuple(result)


@dataclasses.dataclass(frozen=True)
class BusinessCalendar:
    """When a desk is open. `weekly[0]` is Monday's ranges … `weekly[6]` Sunday's.

    A day is closed when it is a country holiday, a one-off closed date, or a yearly
    closed day (month, day) from its first year on, unless it is in `open_dates`
    (a holiday the desk works, with that weekday's usual hours).
    """

    time_zone: str
    always_open: bool = False
    weekly: tuple[tuple[Range, ...], ...] = ((),) * 7
    country: str = ""
    subdivision: str = ""
    closed_dates: frozenset[datetime.date] = frozenset()
    # (month, day) → the first year it applies
    closed_yearly: tuple[tuple[tuple[int, int], int], ...] = ()
    open_dates: frozenset[datetime.date] = frozenset()

    def __post_init__(self):
        if len(self.weekly) != 7:
            raise ValueError("weekly needs one tuple of ranges per weekday, Monday first")
        object.__setattr__(self, "weekly", tuple(normalize_ranges(day) for day in self.weekly))
        object.__setattr__(self, "zone", ZoneInfo(self.time_zone))
        object.__setattr__(self, "_yearly", dict(self.closed_yearly))
        if not self.always_open and not any(self.weekly):
            raise ValueError(f"calendar {self.time_zone!r} has no business hours and is not 24×7")

    @classmethod
    def around_the_clock(cls, time_zone: str = "UTC") -> BusinessCalendar:
        return cls(time_zone=time_zone, always_open=True)

    def is_closed_day(self, day: datetime.date) -> bool:
        """A holiday (country, one-off or yearly) that the desk does not work."""
        if day in self.open_dates:
            return False
        if day in self.closed_dates:
            return True
        first_year = self._yearly.get((day.month, day.day))
        if first_year is not None and day.year >= first_year:
            return True
        return bool(self.country) and day in country_holidays(self.country, self.subdivision, day.year)

    def ranges_on(self, day: datetime.date) -> tuple[Range, ...]:
        """The wall-clock ranges the desk is open on a local date."""
        ranges = self.weekly[day.weekday()]
        if not ranges or self.is_closed_day(day):
            return ()
        return ranges

    def open_intervals(self, since: datetime.datetime) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Open intervals as aware UTC (start, end) pairs, in order, disjoint, from the
        local day of `since` on (the first ones may end before `since`). Endless."""
        zone = self.zone
        day = since.astimezone(zone).date()
        previous_end = None
        closed_days = 0
        while True:
            ranges = self.ranges_on(day)
            if not ranges:
                closed_days += 1
                if closed_days > MAX_CLOSED_DAYS:
                    raise ValueError(f"no business time in the {MAX_CLOSED_DAYS} days before {day}")
            else:
                closed_days = 0
                midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
                for start, end in ranges:
                    # Wall-clock arithmetic, then the offset in force at that wall time.
                    opens = (midnight + datetime.timedelta(seconds=start)).astimezone(UTC)
                    closes = (midnight + datetime.timedelta(seconds=end)).astimezone(UTC)
                    # A range that touches a DST gap can map onto its neighbour: keep them disjoint.
                    if previous_end is not None and opens < previous_end:
                        opens = previous_end
                    if opens < closes:
                        yield opens, closes
                        previous_end = closes
            day += ONE_DAY


def _require_aware(value: datetime.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def add_business_time(
    start: datetime.datetime, duration: datetime.timedelta, calendar: BusinessCalendar
) -> datetime.datetime:
    """The first instant at which `duration` of business time has passed since `start`.

    Outside business hours the clock starts at the next opening; a duration that ends
    exactly at a closing gives that closing (the deadline is met until then). A zero
    duration gives `start`. The result is in `start`'s time zone.
    """
    _require_aware(start, "start")
    if duration < ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if duration == ZERO:
        return start
    if calendar.always_open:
        return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
    since = start.astimezone(UTC)
    remaining = duration
    for opens, closes in calendar.open_intervals(since):
        if closes <= since:
            continue
        opens = max(opens, since)
        available = closes - opens
        if remaining <= available:
            return (opens + remaining).astimezone(start.tzinfo)
        remaining -= available
    raise AssertionError("open_intervals is endless")  # pragma: no cover


def business_time_between(
    start: datetime.datetime, end: datetime.datetime, calendar: BusinessCalendar
) -> datetime.timedelta:
    """The business time from `start` to `end`; zero when `end` is not after `start`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    since, until = start.astimezone(UTC), end.astimezone(UTC)
    if until <= since:
        return ZERO
    if calendar.always_open:
        return until - since
    elapsed = ZERO
    for opens, closes in calendar.open_intervals(since):
        if opens >= until:
            return elapsed
        if closes > since:
            elapsed += min(closes, until) - max(opens, since)
    raise AssertionError("open_intervals is endless")  # pragma: no cover
