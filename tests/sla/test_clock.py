"""The business clock: deadlines count only the desk's open hours, in its time zone,
skipping weekends and holidays; 24×7 calendars count plain elapsed time."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from sla.clock import BusinessCalendar, add_business_time, business_time_between

MEXICO = ZoneInfo("America/Mexico_City")
NEW_YORK = ZoneInfo("America/New_York")
MADRID = ZoneInfo("Europe/Madrid")
UTC = datetime.UTC
H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)


def hours(*ranges):
    """[(9, 18)] → [(32400, 64800)]; fractional hours allowed."""
    return tuple((int(start * 3600), int(end * 3600)) for start, end in ranges)


def weekdays(*ranges, weekend=()):
    return (hours(*ranges),) * 5 + (hours(*weekend),) * 2


# The default calendar (docs/process.md, «SLA»): Mon–Fri 09:00–18:00, Mexico City, Mexican holidays.
OFFICE = BusinessCalendar(time_zone="America/Mexico_City", weekly=weekdays((9, 18)), country="MX")
LUNCH_BREAK = BusinessCalendar(time_zone="America/Mexico_City", weekly=weekdays((9, 14), (15, 18)), country="MX")
# 12 de diciembre every year since 2020, a one-off closing, and 16 de septiembre 2025 worked.
WITH_MANUAL_DAYS = BusinessCalendar(
    time_zone="America/Mexico_City",
    weekly=weekdays((9, 18)),
    country="MX",
    closed_yearly=(((12, 12), 2020),),
    closed_dates=frozenset({datetime.date(2025, 7, 4)}),
    open_dates=frozenset({datetime.date(2025, 9, 16)}),
)
NEW_YORK_OFFICE = BusinessCalendar(time_zone="America/New_York", weekly=weekdays((9, 18)))
MADRID_OFFICE = BusinessCalendar(time_zone="Europe/Madrid", weekly=weekdays((9, 18)))
# Open all day every day, but not marked 24×7: the clock still reads it through wall clocks.
MADRID_ALL_DAY = BusinessCalendar(time_zone="Europe/Madrid", weekly=(hours((0, 24)),) * 7)
MADRID_NIGHT_SHIFT = BusinessCalendar(time_zone="Europe/Madrid", weekly=(hours((0, 6), (22, 24)),) * 7)
AROUND_THE_CLOCK = BusinessCalendar.around_the_clock("America/Mexico_City")


def mx(*args):
    return datetime.datetime(*args, tzinfo=MEXICO)


# (calendar, start, business duration, deadline)
DEADLINES = [
    # A ticket opened on Friday 17:30 with a 4 h target is due Monday 12:30.
    pytest.param(OFFICE, mx(2025, 3, 21, 17, 30), 4 * H, mx(2025, 3, 24, 12, 30), id="friday-1730-plus-4h-monday-1230"),
    pytest.param(OFFICE, mx(2025, 3, 14, 17, 30), 4 * H, mx(2025, 3, 18, 12, 30), id="long-weekend-benito-juarez-monday"),
    pytest.param(OFFICE, mx(2025, 3, 24, 10, 0), 1 * H, mx(2025, 3, 24, 11, 0), id="inside-hours"),
    pytest.param(OFFICE, mx(2025, 3, 24, 9, 0), 1 * H, mx(2025, 3, 24, 10, 0), id="exactly-at-opening"),
    pytest.param(OFFICE, mx(2025, 3, 24, 18, 0), 1 * H, mx(2025, 3, 25, 10, 0), id="exactly-at-closing"),
    pytest.param(OFFICE, mx(2025, 3, 24, 17, 0), 1 * H, mx(2025, 3, 24, 18, 0), id="ends-exactly-at-closing"),
    pytest.param(OFFICE, mx(2025, 3, 24, 7, 15), 1 * H, mx(2025, 3, 24, 10, 0), id="before-opening"),
    pytest.param(OFFICE, mx(2025, 3, 24, 23, 59), 1 * H, mx(2025, 3, 25, 10, 0), id="late-night"),
    pytest.param(OFFICE, mx(2025, 3, 22, 10, 0), 1 * H, mx(2025, 3, 24, 10, 0), id="saturday"),
    pytest.param(OFFICE, mx(2025, 3, 23, 23, 0), 30 * MIN, mx(2025, 3, 24, 9, 30), id="sunday-night"),
    pytest.param(OFFICE, mx(2025, 3, 24, 10, 0), 9 * H, mx(2025, 3, 25, 10, 0), id="a-full-business-day"),
    pytest.param(OFFICE, mx(2025, 3, 24, 9, 0), 48 * H, mx(2025, 3, 31, 12, 0), id="48h-is-five-days-and-three-hours"),
    pytest.param(OFFICE, mx(2025, 9, 15, 17, 0), 2 * H, mx(2025, 9, 17, 10, 0), id="16-september"),
    pytest.param(OFFICE, mx(2025, 12, 24, 17, 0), 4 * H, mx(2025, 12, 26, 12, 0), id="christmas"),
    pytest.param(OFFICE, mx(2025, 12, 31, 17, 0), 2 * H, mx(2026, 1, 2, 10, 0), id="new-year-crosses-the-year"),
    pytest.param(OFFICE, mx(2025, 12, 25, 11, 0), 1 * H, mx(2025, 12, 26, 10, 0), id="opened-on-a-holiday"),
    pytest.param(OFFICE, mx(2025, 12, 11, 17, 0), 2 * H, mx(2025, 12, 12, 10, 0), id="guadalupe-not-official"),
    pytest.param(WITH_MANUAL_DAYS, mx(2025, 12, 11, 17, 0), 2 * H, mx(2025, 12, 15, 10, 0), id="guadalupe-every-year"),
    pytest.param(WITH_MANUAL_DAYS, mx(2019, 12, 11, 17, 0), 2 * H, mx(2019, 12, 12, 10, 0), id="every-year-from-its-year"),
    pytest.param(WITH_MANUAL_DAYS, mx(2025, 7, 3, 17, 0), 2 * H, mx(2025, 7, 7, 10, 0), id="one-off-closed-date"),
    pytest.param(WITH_MANUAL_DAYS, mx(2025, 9, 15, 17, 0), 2 * H, mx(2025, 9, 16, 10, 0), id="worked-holiday"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 13, 30), 1 * H, mx(2025, 3, 24, 15, 30), id="lunch-break-skipped"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 14, 0), 1 * H, mx(2025, 3, 24, 16, 0), id="at-lunch-start"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 14, 30), 30 * MIN, mx(2025, 3, 24, 15, 30), id="during-lunch"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 13, 0), 1 * H, mx(2025, 3, 24, 14, 0), id="ends-at-lunch"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 17, 0), 8 * H, mx(2025, 3, 25, 17, 0), id="lunch-a-full-day"),
    pytest.param(AROUND_THE_CLOCK, mx(2025, 3, 21, 17, 30), 4 * H, mx(2025, 3, 21, 21, 30), id="24x7-friday-evening"),
    pytest.param(AROUND_THE_CLOCK, mx(2025, 12, 24, 23, 0), 48 * H, mx(2025, 12, 26, 23, 0), id="24x7-ignores-holidays"),
    # New York springs forward on Sunday 9 March 2025: Friday is EST (-5), Monday EDT (-4).
    pytest.param(
        NEW_YORK_OFFICE,
        datetime.datetime(2025, 3, 7, 17, 0, tzinfo=NEW_YORK),
        2 * H,
        datetime.datetime(2025, 3, 10, 10, 0, tzinfo=NEW_YORK),
        id="new-york-weekend-of-the-jump",
    ),
    # Madrid falls back on Sunday 26 October 2025: Friday CEST (+2), Monday CET (+1).
    pytest.param(
        MADRID_OFFICE,
        datetime.datetime(2025, 10, 24, 17, 0, tzinfo=MADRID),
        2 * H,
        datetime.datetime(2025, 10, 27, 10, 0, tzinfo=MADRID),
        id="madrid-weekend-of-the-fall-back",
    ),
    # On the jump days themselves, a range that spans 02:00–03:00 is an hour shorter or longer.
    pytest.param(
        MADRID_ALL_DAY,
        datetime.datetime(2025, 3, 29, 12, 0, tzinfo=MADRID),
        24 * H,
        datetime.datetime(2025, 3, 30, 13, 0, tzinfo=MADRID),
        id="madrid-spring-forward-day-has-23h",
    ),
    pytest.param(
        MADRID_ALL_DAY,
        datetime.datetime(2025, 10, 25, 12, 0, tzinfo=MADRID),
        24 * H,
        datetime.datetime(2025, 10, 26, 11, 0, tzinfo=MADRID),
        id="madrid-fall-back-day-has-25h",
    ),
    pytest.param(
        MADRID_NIGHT_SHIFT,
        datetime.datetime(2025, 3, 30, 0, 0, tzinfo=MADRID),
        5 * H,
        datetime.datetime(2025, 3, 30, 6, 0, tzinfo=MADRID),
        id="madrid-night-shift-loses-an-hour",
    ),
    pytest.param(
        MADRID_NIGHT_SHIFT,
        datetime.datetime(2025, 3, 30, 0, 0, tzinfo=MADRID),
        6 * H,
        datetime.datetime(2025, 3, 30, 23, 0, tzinfo=MADRID),
        id="madrid-night-shift-continues-at-22",
    ),
]


@pytest.mark.parametrize(("calendar", "start", "duration", "deadline"), DEADLINES)
def test_deadline(calendar, start, duration, deadline):
    assert add_business_time(start, duration, calendar) == deadline


@pytest.mark.parametrize(("calendar", "start", "duration", "deadline"), DEADLINES)
def test_business_time_up_to_the_deadline_is_the_duration(calendar, start, duration, deadline):
    assert business_time_between(start, deadline, calendar) == duration


# (calendar, start, end, business time between)
ELAPSED = [
    pytest.param(OFFICE, mx(2025, 3, 24, 10, 0), mx(2025, 3, 24, 12, 30), 150 * MIN, id="same-morning"),
    pytest.param(OFFICE, mx(2025, 3, 21, 17, 30), mx(2025, 3, 24, 9, 0), 30 * MIN, id="over-the-weekend"),
    pytest.param(OFFICE, mx(2025, 3, 22, 8, 0), mx(2025, 3, 23, 20, 0), 0 * H, id="all-weekend"),
    pytest.param(OFFICE, mx(2025, 3, 24, 6, 0), mx(2025, 3, 24, 22, 0), 9 * H, id="whole-day-and-more"),
    pytest.param(OFFICE, mx(2025, 3, 24, 12, 0), mx(2025, 3, 24, 11, 0), 0 * H, id="end-before-start"),
    pytest.param(OFFICE, mx(2025, 3, 24, 12, 0), mx(2025, 3, 24, 12, 0), 0 * H, id="same-instant"),
    pytest.param(OFFICE, mx(2025, 9, 15, 9, 0), mx(2025, 9, 17, 9, 0), 9 * H, id="16-september-not-counted"),
    # 2025 has 261 weekdays, 7 of them Mexican holidays: 254 days of 9 h.
    pytest.param(OFFICE, mx(2025, 1, 1), mx(2026, 1, 1), 254 * 9 * H, id="a-whole-year"),
    pytest.param(LUNCH_BREAK, mx(2025, 3, 24, 13, 0), mx(2025, 3, 24, 16, 0), 2 * H, id="lunch-not-counted"),
    pytest.param(AROUND_THE_CLOCK, mx(2025, 12, 24, 9, 0), mx(2025, 12, 26, 9, 0), 48 * H, id="24x7-wall-time"),
    pytest.param(
        MADRID_ALL_DAY,
        datetime.datetime(2025, 3, 30, 0, 0, tzinfo=MADRID),
        datetime.datetime(2025, 3, 31, 0, 0, tzinfo=MADRID),
        23 * H,
        id="madrid-spring-forward-day",
    ),
    pytest.param(
        MADRID_NIGHT_SHIFT,
        datetime.datetime(2025, 10, 26, 0, 0, tzinfo=MADRID),
        datetime.datetime(2025, 10, 26, 12, 0, tzinfo=MADRID),
        7 * H,
        id="madrid-night-shift-gains-an-hour",
    ),
    pytest.param(
        NEW_YORK_OFFICE,
        datetime.datetime(2025, 3, 7, 17, 0, tzinfo=NEW_YORK),
        datetime.datetime(2025, 3, 10, 10, 0, tzinfo=NEW_YORK),
        2 * H,
        id="new-york-weekend-of-the-jump",
    ),
    # "Closed 02:30–03:00" does not exist on the day 02:00–03:00 is skipped: open 00:00–06:00 is 5 h.
    pytest.param(
        BusinessCalendar(time_zone="Europe/Madrid", weekly=(hours((0, 2.5), (3, 6)),) * 7),
        datetime.datetime(2025, 3, 30, 0, 0, tzinfo=MADRID),
        datetime.datetime(2025, 3, 30, 12, 0, tzinfo=MADRID),
        5 * H,
        id="madrid-break-inside-the-skipped-hour",
    ),
]


@pytest.mark.parametrize(("calendar", "start", "end", "elapsed"), ELAPSED)
def test_business_time_between(calendar, start, end, elapsed):
    assert business_time_between(start, end, calendar) == elapsed


def test_four_weeks_of_business_time_end_on_the_fourth_friday_at_closing():
    # 4 weeks × 5 days × 9 h, from a Monday's opening, in a June without holidays.
    deadline = add_business_time(mx(2025, 6, 2, 9, 0), 4 * 5 * 9 * H, OFFICE)

    assert deadline == mx(2025, 6, 27, 18, 0)


# Time zones ---------------------------------------------------------------


def test_utc_input_gives_utc_output_counted_in_the_calendars_zone():
    # Friday 21 March 2025 17:30 in Mexico City (UTC-6, no DST since 2022) is 23:30 UTC.
    start = datetime.datetime(2025, 3, 21, 23, 30, tzinfo=UTC)

    deadline = add_business_time(start, 4 * H, OFFICE)

    assert deadline == datetime.datetime(2025, 3, 24, 18, 30, tzinfo=UTC)
    assert deadline.tzinfo is UTC


def test_result_is_in_the_zone_of_the_input():
    start = datetime.datetime(2025, 3, 22, 0, 30, tzinfo=MADRID)  # Friday 17:30 in Mexico City

    deadline = add_business_time(start, 4 * H, OFFICE)

    assert deadline.tzinfo is MADRID
    assert deadline == mx(2025, 3, 24, 12, 30)
    assert (deadline.hour, deadline.minute) == (19, 30)


def test_mexico_city_keeps_utc_minus_six_all_year_since_2022():
    summer = add_business_time(datetime.datetime(2025, 7, 14, 15, 0, tzinfo=UTC), 1 * H, OFFICE)
    winter = add_business_time(datetime.datetime(2025, 1, 13, 15, 0, tzinfo=UTC), 1 * H, OFFICE)

    assert (summer.hour, winter.hour) == (16, 16)  # 09:00 local opening + 1 h, both 16:00 UTC


def test_new_york_opens_at_a_different_utc_hour_after_the_jump():
    friday = add_business_time(datetime.datetime(2025, 3, 7, 12, 0, tzinfo=UTC), MIN, NEW_YORK_OFFICE)
    monday = add_business_time(datetime.datetime(2025, 3, 10, 12, 0, tzinfo=UTC), MIN, NEW_YORK_OFFICE)

    # 09:00 EST is 14:00 UTC; 09:00 EDT is 13:00 UTC.
    assert friday == datetime.datetime(2025, 3, 7, 14, 1, tzinfo=UTC)
    assert monday == datetime.datetime(2025, 3, 10, 13, 1, tzinfo=UTC)


# Edges ---------------------------------------------------------------------


def test_zero_duration_is_the_start_itself():
    saturday = mx(2025, 3, 22, 10, 0)

    assert add_business_time(saturday, datetime.timedelta(0), OFFICE) == saturday


@pytest.mark.parametrize("calendar", [OFFICE, AROUND_THE_CLOCK], ids=["office", "24x7"])
def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError, match="aware"):
        add_business_time(datetime.datetime(2025, 3, 24, 10, 0), H, calendar)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(mx(2025, 3, 24, 10, 0), datetime.datetime(2025, 3, 24, 11, 0), calendar)


def test_negative_durations_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(mx(2025, 3, 24, 10, 0), -H, OFFICE)


def test_a_calendar_without_business_hours_fails_at_once():
    with pytest.raises(ValueError, match="no business hours"):
        BusinessCalendar(time_zone="America/Mexico_City", weekly=((),) * 7)


def test_a_calendar_closed_every_day_fails_instead_of_walking_forever():
    leap_year = [datetime.date(2024, 1, 1) + datetime.timedelta(days=n) for n in range(366)]
    closed_yearly = tuple(((day.month, day.day), 2000) for day in leap_year)
    always_closed = BusinessCalendar(time_zone="America/Mexico_City", weekly=weekdays((9, 18)), closed_yearly=closed_yearly)

    with pytest.raises(ValueError, match="no business time"):
        add_business_time(mx(2025, 3, 24, 10, 0), H, always_closed)
    with pytest.raises(ValueError, match="no business time"):
        business_time_between(mx(2025, 3, 24, 10, 0), mx(2027, 3, 24, 10, 0), always_closed)


@pytest.mark.parametrize(
    "weekly",
    [
        pytest.param(weekdays((9, 14), (13, 18)), id="overlapping"),
        pytest.param(weekdays((18, 9)), id="inverted"),
        pytest.param(weekdays((9, 25)), id="past-midnight"),
        pytest.param((hours((9, 18)),) * 6, id="six-days"),
    ],
)
def test_malformed_weekly_hours_are_refused(weekly):
    with pytest.raises(ValueError):
        BusinessCalendar(time_zone="America/Mexico_City", weekly=weekly)


def test_touching_ranges_count_as_one():
    split = BusinessCalendar(time_zone="America/Mexico_City", weekly=weekdays((9, 13), (13, 18)))

    assert add_business_time(mx(2025, 3, 24, 12, 0), 2 * H, split) == mx(2025, 3, 24, 14, 0)
    assert split.weekly == OFFICE.weekly
