"""The bounds every channel shares (helpdesk.validation): the date window in the desk's
time zone, the UTC offsets that exist, text that can be stored, integers of bounded
length; and the safety net that refuses NUL and lone surrogates on every page."""

import datetime

import pytest
import time_machine
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation

from helpdesk.middleware import UnstorableInputMiddleware
from helpdesk.validation import (
    BoundedDateTimeField,
    TextField,
    datetime_problem,
    parse_integer,
    require_datetime_in_range,
)

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _spanish():
    """Messages and dates as a Spanish request reads them, whatever a test before left active."""
    with translation.override("es"):
        yield


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # The earliest instant is 2000-01-01 00:00 at the desk (America/Mexico_City, UTC-6).
        ("2000-01-01T00:00:00-06:00", None),
        ("2000-01-01T06:00:00+00:00", None),
        ("2000-01-01T20:00:00+14:00", None),
        ("1999-12-31T23:59:59-06:00", "too_early"),
        ("2000-01-01T05:59:59+00:00", "too_early"),
        ("2000-01-01T00:00:00+00:00", "too_early"),  # midnight in UTC is still 1999 at the desk
        ("2000-01-01T00:00:00", None),  # naive: the desk's time
        ("1999-12-31T23:59:59", "too_early"),
        ("0001-01-01T00:00:00+14:00", "too_early"),  # before year 1 in UTC
        ("0001-01-01T00:00:00", "too_early"),
        # The latest is now plus a day.
        ("2026-06-16T12:00:00+00:00", None),
        ("2026-06-16T12:00:01+00:00", "too_late"),
        ("2026-06-17T01:59:00+14:00", None),
        ("9999-12-31T23:59:59-12:00", "too_late"),  # beyond year 9999 in UTC
        ("9999-12-31T23:59:59", "too_late"),
        # Offsets in use: -12:00 to +14:00, in quarter hours.
        ("2025-03-14T10:30:00-12:00", None),
        ("2025-03-14T10:30:00+14:00", None),
        ("2025-03-14T10:30:00+05:45", None),  # Nepal
        ("2025-03-14T10:30:00+12:45", None),  # Chatham Islands
        ("2025-03-14T10:30:00-03:30", None),  # Newfoundland
        ("2025-03-14T10:30:00+14:15", "offset"),
        ("2025-03-14T10:30:00-12:15", "offset"),
        ("2025-03-14T10:30:00+19:57", "offset"),
        ("2025-03-14T10:30:00+05:17", "offset"),
        ("2025-03-14T10:30:00+05:00:30", "offset"),
    ],
)
def test_dates_outside_the_window_or_with_offsets_that_do_not_exist_are_refused(value, code):
    problem = datetime_problem(at(value), now=NOW)

    assert (problem[0] if problem else None) == code


def test_the_window_starts_at_midnight_in_the_desks_own_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"

    assert datetime_problem(at("1999-12-31T15:00:00+00:00"), now=NOW) is None
    assert datetime_problem(at("1999-12-31T14:59:59+00:00"), now=NOW)[0] == "too_early"


@time_machine.travel(NOW, tick=False)
def test_the_field_words_each_refusal_in_spanish():
    field = BoundedDateTimeField(max_future=datetime.timedelta(minutes=5))

    def refusal(typed):
        with pytest.raises(Exception) as refused:
            field.clean(typed)
        return " ".join(refused.value.messages)

    assert refusal("1999-12-31 23:59") == "Escriba una fecha a partir del 1 de enero de 2000."
    assert refusal("2026-06-15T12:06:00+00:00").startswith("La fecha no puede ser posterior al 15 de junio de 2026")
    assert refusal("2025-03-14T10:30:00+19:57") == (
        "La diferencia con UTC +19:57 no existe: use una entre -12:00 y +14:00, en cuartos de hora "
        "(por ejemplo, -06:00)."
    )
    assert field.clean("2026-06-15T12:05:00+00:00") == NOW + datetime.timedelta(minutes=5)


def test_a_browser_date_picker_is_told_the_earliest_date():
    from django import forms

    field = BoundedDateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    assert field.widget.attrs["min"] == "2000-01-01T00:00"


def test_the_service_guard_names_the_field():
    with pytest.raises(Exception) as refused:
        require_datetime_in_range(at("0001-01-01T00:00:00+14:00"), field="occurred_at")

    assert refused.value.message_dict == {"occurred_at": ["Escriba una fecha a partir del 1 de enero de 2000."]}
    require_datetime_in_range(None, field="occurred_at")  # no date is fine


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Servidor sin respuesta", None),
        ("Servidor 🔥 ñandú", None),
        ("a\x00b", "null_characters_not_allowed"),
        ("\ud800", "surrogate"),
        ("abc\udfff", "surrogate"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_with_one_message(typed, code):
    field = TextField()
    if code is None:
        assert field.clean(typed) == typed
        return
    with pytest.raises(Exception) as refused:
        field.clean(typed)

    assert [error.code for error in refused.value.error_list] == [code]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12", 12),
        ("0", 0),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
        ("9" * 5000, None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),
        ("-1", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_integers_are_read_only_in_ascii_digits_of_bounded_length(typed, number):
    assert parse_integer(typed) == number


@pytest.mark.parametrize(
    "query",
    [{"q": "\ud800"}, {"q": "ok", "otro": "a\x00"}, {"cla\x00ve": "x"}],
)
def test_the_safety_net_refuses_unstorable_characters_in_any_parameter(db, query):
    request = RequestFactory().get("/mesa/")
    request.GET = QueryDict(mutable=True)
    for key, value in query.items():
        request.GET[key] = value
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    response = UnstorableInputMiddleware(lambda r: None).process_view(request, lambda r: None, (), {})

    assert response.status_code == 400
    assert "caracteres que no se admiten" in response.content.decode()


def test_the_safety_net_lets_ordinary_text_through(db):
    request = RequestFactory().get("/mesa/", {"q": "factura ñ 🔥"})

    assert UnstorableInputMiddleware(lambda r: None).process_view(request, lambda r: None, (), {}) is None
