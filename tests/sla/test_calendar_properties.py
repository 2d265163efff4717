"""Laws of the business clock, checked on generated calendars, instants and durations:
adding then measuring gives the duration back, deadlines move forward with the start and
the duration, adding in two steps is adding once, and elapsed business time is never
negative nor more than the wall time."""

import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sla.clock import BusinessCalendar, add_business_time, business_time_between

UTC = datetime.UTC
# Zones with and without DST, one jumping at midnight (Santiago), one by 30 minutes (Lord Howe).
ZONES = [
    "America/Mexico_City",
    "America/New_York",
    "Europe/Madrid",
    "America/Santiago",
    "Australia/Lord_Howe",
    "UTC",
]
QUARTER = 15 * 60  # range boundaries on a quarter-hour grid, seconds
ONE_MICROSECOND = datetime.timedelta(microseconds=1)


@st.composite
def day_ranges(draw):
    """A day's ranges: sorted, disjoint, possibly touching, possibly none."""
    marks = draw(st.lists(st.integers(0, 96), unique=True, max_size=6).map(sorted))
    if len(marks) % 2:
        marks = marks[:-1]
    return tuple((marks[i] * QUARTER, marks[i + 1] * QUARTER) for i in range(0, len(marks), 2))


@st.composite
def business_calendars(draw):
    weekly = draw(st.lists(day_ranges(), min_size=7, max_size=7).filter(any))
    closed = draw(st.frozensets(st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)), max_size=20))
    opened = draw(st.frozensets(st.sampled_from(sorted(closed)), max_size=3)) if closed else frozenset()
    yearly = draw(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 28)), unique=True, max_size=3))
    return BusinessCalendar(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly=tuple(weekly),
        country=draw(st.sampled_from(["", "MX", "ES", "US"])),
        closed_dates=closed,
        closed_yearly=tuple((day, 2024) for day in yearly),
        open_dates=opened,
    )


def offset_changes(zone_name: str) -> list[datetime.date]:
    """The local days of 2023–2027 on which a zone's UTC offset changes (DST jumps)."""
    zone = ZoneInfo(zone_name)
    day, days = datetime.date(2023, 1, 1), []
    while day.year < 2028:
        midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
        if midnight.utcoffset() != (midnight + datetime.timedelta(days=1)).utcoffset():
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


JUMP_DAYS = sorted({day for zone in ZONES for day in offset_changes(zone)})

calendars = business_calendars() | st.sampled_from(ZONES).map(BusinessCalendar.around_the_clock)
# Any instant of five years, or one within a day or two of some zone's DST jump.
instants = st.datetimes(
    min_value=datetime.datetime(2023, 1, 1), max_value=datetime.datetime(2027, 12, 31), timezones=st.just(UTC)
) | st.sampled_from(JUMP_DAYS).flatmap(
    lambda day: st.datetimes(
        min_value=datetime.datetime.combine(day, datetime.time()) - datetime.timedelta(days=1),
        max_value=datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(days=2),
        timezones=st.just(UTC),
    )
)
durations = st.timedeltas(min_value=datetime.timedelta(0), max_value=datetime.timedelta(hours=300))

# The holidays package builds a country's year on first use; that is not the clock's speed.
laws = settings(deadline=None, max_examples=150)


@laws
@given(calendars, instants, durations)
def test_adding_then_measuring_gives_the_duration_back(calendar, start, duration):
    deadline = add_business_time(start, duration, calendar)

    assert business_time_between(start, deadline, calendar) == duration
    assert deadline >= start
    assert deadline.tzinfo is start.tzinfo


@laws
@given(calendars, instants, durations, durations)
def test_deadline_grows_with_the_duration(calendar, start, duration, more):
    assert add_business_time(start, duration, calendar) <= add_business_time(start, duration + more, calendar)


@laws
@given(calendars, instants, instants, durations)
def test_deadline_grows_with_the_start(calendar, start, other, duration):
    earlier, later = sorted([start, other])

    assert add_business_time(earlier, duration, calendar) <= add_business_time(later, duration, calendar)


@laws
@given(calendars, instants, durations, durations)
def test_adding_in_two_steps_is_adding_once(calendar, start, first, second):
    in_two_steps = add_business_time(add_business_time(start, first, calendar), second, calendar)

    assert in_two_steps == add_business_time(start, first + second, calendar)


@laws
@given(calendars, instants, instants)
def test_elapsed_is_never_negative_nor_more_than_wall_time(calendar, start, end):
    elapsed = business_time_between(start, end, calendar)

    assert datetime.timedelta(0) <= elapsed <= max(end - start, datetime.timedelta(0))
    if calendar.always_open:
        assert elapsed == max(end - start, datetime.timedelta(0))


@laws
@given(calendars, instants, instants, instants)
def test_elapsed_adds_up_over_consecutive_spans(calendar, a, b, c):
    first, middle, last = sorted([a, b, c])

    whole = business_time_between(first, last, calendar)

    assert whole == business_time_between(first, middle, calendar) + business_time_between(middle, last, calendar)


@laws
@given(calendars, instants, instants)
def test_measuring_up_to_an_open_instant_then_adding_lands_on_it(calendar, start, end):
    """For an end inside business hours, the deadline of the elapsed time is the end itself."""
    elapsed = business_time_between(start, end, calendar)
    inside = business_time_between(end - ONE_MICROSECOND, end + ONE_MICROSECOND, calendar) == 2 * ONE_MICROSECOND
    if elapsed and inside:
        assert add_business_time(start, elapsed, calendar) == end


@laws
@given(business_calendars(), instants, durations)
def test_the_zone_of_the_input_does_not_change_the_instant(calendar, start, duration):
    in_utc = add_business_time(start, duration, calendar)
    in_zone = add_business_time(start.astimezone(ZoneInfo("Asia/Tokyo")), duration, calendar)

    assert in_zone == in_utc
    assert in_zone.tzinfo == ZoneInfo("Asia/Tokyo")
