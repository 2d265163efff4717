"""URL converter of a ticket's reference (INC-000123, the format of tickets/references.py),
so that a reference and a link's token never take each other's route. Registered once,
here: `<reference:…>` in URLconfs that import REFERENCE."""

from django.urls import register_converter

from .references import URL_PATTERN


class ReferenceConverter:
    regex = URL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


REFERENCE = "reference"
register_converter(ReferenceConverter, REFERENCE)
