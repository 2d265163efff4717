"""How the figures read: Spanish numbers, percentages and times, "—" where there is
nothing to measure, and the change against the period before with its arrow and verdict."""

import pytest
from django.utils import translation

from reports.catalog import BY_KEY, FIGURES, HEADLINES, TABLE, Change, Kind, format_value


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (Kind.COUNT, 0, "0"),
        (Kind.COUNT, 1234567, "1\xa0234\xa0567"),  # a (non-breaking) space groups thousands
        (Kind.SHARE, 2 / 3, "66,7 %"),
        (Kind.SHARE, 1.0, "100,0 %"),
        (Kind.SHARE, None, "—"),
        (Kind.DURATION, 45, "menos de 1 min"),
        (Kind.DURATION, 2 * 3600 + 10 * 60 + 59, "2 h 10 min"),
        (Kind.DURATION, 3 * 86400 + 4 * 3600, "3 d 4 h"),
        (Kind.DURATION, None, "—"),
        (Kind.RATING, 4.25, "4,2"),  # half to even
        (Kind.RATING, 4.26, "4,3"),
    ],
)
def test_a_value_reads_in_spanish(kind, value, text):
    assert format_value(kind, value) == text


def test_in_english_the_separators_are_english():
    with translation.override("en"):
        assert format_value(Kind.COUNT, 1234567) == "1,234,567"
        assert format_value(Kind.SHARE, 2 / 3) == "66.7%"


@pytest.mark.parametrize(
    ("key", "current", "previous", "arrow", "verdict", "text"),
    [
        # More tickets created: neither good nor bad news.
        ("created", 120, 100, "↑", 0, "↑ 20 (20,0 %)"),
        # A longer first response is bad news; a shorter one good.
        ("fr_mean", 3600, 2700, "↑", -1, "↑ 15 min"),
        ("fr_mean", 2700, 3600, "↓", 1, "↓ 15 min"),
        # Shares change by points, not by percent of themselves.
        ("res_within", 0.9, 0.75, "↑", 1, "↑ 15,0 puntos"),
        ("backlog", 30, 30, "=", 0, "= igual que el periodo anterior"),
        ("rating", 4.5, None, "", 0, "sin periodo anterior comparable"),
        ("created", 5, 0, "↑", 0, "↑ 5"),  # no percentage of nothing
    ],
)
def test_a_change_says_which_way_and_whether_it_is_good_news(key, current, previous, arrow, verdict, text):
    change = Change(BY_KEY[key], current, previous)
    assert (change.arrow, change.verdict, change.text) == (arrow, verdict, text)


def test_every_figure_named_for_the_pages_exists_and_has_its_tickets():
    assert set(HEADLINES) <= set(BY_KEY) and set(TABLE) <= set(BY_KEY)
    assert len(BY_KEY) == len(FIGURES)
    for figure in FIGURES:
        assert figure.tickets, f"{figure.key} has no list of tickets behind it"
        assert str(figure.label) and str(figure.definition)
