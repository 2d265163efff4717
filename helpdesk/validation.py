"""Bounds on what people and tools send, shared by every channel (the public form, the
monitoring API, the phone registration, the agents' forms and searches) and by the
service that opens tickets, so that no stored row can later break a page:

- dates within the desk's window, with a UTC offset that exists;
- text without NUL (PostgreSQL cannot store or even compare it) nor lone surrogates
  (half of a UTF-16 pair: it cannot be encoded as UTF-8, so it cannot be stored or sent);
- integers of a bounded number of digits (Python refuses to convert more than 4,300).

Depends on Django only: every app may import it."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# The earliest date the desk accepts, in its own time zone. A help desk hears of what
# happened in the last days or months; anything before 2000 is a typo (0025 for 2025) or
# a tool's zero value (0001-01-01), and year 1 in a zone ahead of UTC is before year 1 in
# UTC: PostgreSQL stores it "BC" and the driver then cannot read the row back.
EARLIEST = datetime.datetime(2000, 1, 1)
# How far ahead of now a stored date may be: a day absorbs any clock or time zone mix-up
# of a caller that skipped the forms. The channels ask more of an incident's date (it
# cannot have happened in the future, give or take CLOCK_SKEW).
MAX_FUTURE = datetime.timedelta(days=1)
# A browser's or a monitoring server's clock a little ahead of ours is not "the future".
CLOCK_SKEW = datetime.timedelta(minutes=5)
# Every UTC offset in use runs from -12:00 (Baker Island) to +14:00 (Line Islands), in
# quarter hours (+05:45 Nepal, +12:45 Chatham). PostgreSQL refuses beyond ±15:59.
MIN_OFFSET = datetime.timedelta(hours=-12)
MAX_OFFSET = datetime.timedelta(hours=14)
OFFSET_STEP = datetime.timedelta(minutes=15)
# Digits of an integer the desk reads from a request: ids fit in 18 (a PostgreSQL bigint
# holds 19), far below Python's limit for converting text to int.
MAX_DIGITS = 18

UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
INTEGER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")

DATETIME_MESSAGES = {
    "too_early": _("Escriba una fecha a partir del %(earliest)s."),
    "too_late": _("La fecha no puede ser posterior al %(latest)s."),
    "offset": _(
        "La diferencia con UTC %(offset)s no existe: use una entre -12:00 y +14:00, en cuartos de hora "
        "(por ejemplo, -06:00)."
    ),
}
TEXT_MESSAGES = {
    "null_characters_not_allowed": _(
        "El texto contiene un carácter nulo (U+0000), que no se puede guardar: bórrelo y vuelva a intentarlo."
    ),
    "surrogate": _(
        "El texto contiene un sustituto UTF-16 sin su pareja (entre U+D800 y U+DFFF), que no es un carácter "
        "válido: corrija la codificación del texto."
    ),
}


# Dates ------------------------------------------------------------------------


def earliest_datetime() -> datetime.datetime:
    """EARLIEST in the desk's time zone (TIME_ZONE)."""
    return timezone.make_aware(EARLIEST, timezone.get_default_timezone())


def _format_offset(offset: datetime.timedelta) -> str:
    sign = "-" if offset < datetime.timedelta(0) else "+"
    minutes = abs(offset) // datetime.timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def datetime_problem(
    value: datetime.datetime, *, max_future: datetime.timedelta = MAX_FUTURE, now: datetime.datetime | None = None
) -> tuple[str, dict] | None:
    """Why a date falls outside the desk's window, as (code, params) for DATETIME_MESSAGES,
    or None when it is fine. A naive date is taken in the desk's time zone."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    now = now or timezone.now()
    latest = now + max_future
    try:
        instant = value.astimezone(datetime.UTC)
    except OverflowError:  # before year 1 or after 9999 once in UTC
        instant = (datetime.datetime.min if value.year < 5000 else datetime.datetime.max).replace(tzinfo=datetime.UTC)
    if instant < earliest_datetime():
        return "too_early", {"earliest": formats.date_format(EARLIEST.date(), "DATE_FORMAT")}
    if instant > latest:
        return "too_late", {"latest": formats.date_format(timezone.localtime(latest), "DATETIME_FORMAT")}
    offset = value.utcoffset()
    if not MIN_OFFSET <= offset <= MAX_OFFSET or offset % OFFSET_STEP:
        return "offset", {"offset": _format_offset(offset)}
    return None


def require_datetime_in_range(value: datetime.datetime | None, *, field: str) -> None:
    """The last line of defence of a service that stores a date: ValidationError on `field`
    when it is outside the window (MAX_FUTURE ahead), whatever the caller checked."""
    if value is None:
        return
    problem = datetime_problem(value)
    if problem is not None:
        code, params = problem
        raise ValidationError({field: ValidationError(DATETIME_MESSAGES[code], code=code, params=params)})


class BoundedDateTimeField(forms.DateTimeField):
    """A DateTimeField that refuses dates outside the window and offsets that do not exist.
    `max_future` is how far ahead of now it accepts (CLOCK_SKEW for "not in the future");
    error_messages may reword "too_early", "too_late" and "offset". Its widget is told the
    earliest value, so that a browser's date picker starts there."""

    default_error_messages = DATETIME_MESSAGES

    def __init__(self, *, max_future: datetime.timedelta = MAX_FUTURE, **kwargs):
        self.max_future = max_future
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if widget.attrs.get("type", getattr(widget, "input_type", "")) == "datetime-local":
            attrs["min"] = EARLIEST.strftime("%Y-%m-%dT%H:%M")
        return attrs

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        problem = datetime_problem(value, max_future=self.max_future)
        if problem is not None:
            code, params = problem
            raise ValidationError(self.error_messages[code], code=code, params=params)


# Text ------------------------------------------------------------------------


class ProhibitUnstorableCharactersValidator(ProhibitNullCharactersValidator):
    """Django's NUL check, extended to lone surrogates, with the desk's messages."""

    def __call__(self, value):
        found = unstorable_character(str(value))
        if found == "\x00":
            raise ValidationError(TEXT_MESSAGES[self.code], code=self.code)
        if found:
            raise ValidationError(TEXT_MESSAGES["surrogate"], code="surrogate")


def unstorable_character(text: str) -> str | None:
    """The first NUL or lone surrogate in the text, or None. A surrogate pair written as
    two escapes in JSON is joined by the parser into one character and is fine."""
    match = UNSTORABLE_CHARACTERS.search(text)
    return match.group() if match else None


class TextField(forms.CharField):
    """A CharField whose text can be stored and sent: no NUL, no lone surrogates."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            ProhibitUnstorableCharactersValidator() if isinstance(v, ProhibitNullCharactersValidator) else v
            for v in self.validators
        ]


# Numbers -----------------------------------------------------------------------


def parse_integer(text: str | None) -> int | None:
    """A non-negative integer written in ASCII digits, at most MAX_DIGITS of them, or None.
    (`str.isdigit` accepts "²", which `int` refuses.)"""
    if text is None or not INTEGER.fullmatch(text):
        return None
    return int(text)
