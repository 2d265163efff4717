"""A ticket's reference (tickets/references.py): how the desk writes it and the three ways
it reads one: typed on purpose, typed in a search, written inside an email's subject."""

import pytest
from django.urls import resolve

from tickets.references import format_reference, parse_reference, references_in, search_references

WRITTEN = {
    "an incident": (("INC", 123), "INC-000123"),
    "a request": (("REQ", 124), "REQ-000124"),
    "lower-case prefix": (("inc", 7), "INC-000007"),
    "more than six digits": (("INC", 1234567), "INC-1234567"),
}


@pytest.mark.parametrize("arguments, expected", WRITTEN.values(), ids=WRITTEN.keys())
def test_a_reference_is_the_prefix_and_six_digits_at_least(arguments, expected):
    assert format_reference(*arguments) == expected


TYPED = {
    "as written": ("INC-000123", "INC-000123"),
    "lower case": ("inc-000123", "INC-000123"),
    "spaces instead of the hyphen": ("  INC 123 ", "INC-000123"),
    "no hyphen, no zeros": ("REQ124", "REQ-000124"),
    "hyphen between spaces": ("inc - 42", "INC-000042"),
    "too many zeros": ("INC-0000123", "INC-000123"),
    "no prefix": ("123", None),
    "a hash": ("#123", None),
    "another prefix": ("ABC-000123", None),
    "words": ("la de ayer", None),
    "two references": ("INC-1 INC-2", None),
    "thirteen digits": ("INC-1234567890123", None),
    "empty": ("", None),
}


@pytest.mark.parametrize("text, expected", TYPED.values(), ids=TYPED.keys())
def test_parse_reference_reads_one_reference_typed_on_purpose(text, expected):
    assert parse_reference(text) == expected


SEARCHED = {
    "a reference": ("inc-000123", ["INC-000123"]),
    "a request": ("REQ 9", ["REQ-000009"]),
    "a bare number names both kinds": ("123", ["INC-000123", "REQ-000123"]),
    "a hash and zeros": ("#000123", ["INC-000123", "REQ-000123"]),
    "words are not a reference": ("impresora 3", []),
    "a number in words": ("piso 3", []),
    "empty": ("", []),
}


@pytest.mark.parametrize("text, expected", SEARCHED.values(), ids=SEARCHED.keys())
def test_search_references_reads_what_a_search_may_mean(text, expected):
    assert search_references(text) == expected


SUBJECTS = {
    "in brackets after RE:": ("RE: [INC-000123] Sin red", ["INC-000123"]),
    "lower case": ("sobre inc-000123", ["INC-000123"]),
    "two, in order, each once": ("REQ-000200 y INC-000123 (REQ-000200)", ["REQ-000200", "INC-000123"]),
    "seven digits": ("INC-1234567", ["INC-1234567"]),
    "a leading zero too many, as the desk writes it": ("INC-0000123", ["INC-000123"]),
    "too few digits": ("INC-123", []),
    "a space instead of the hyphen": ("INC 000123", []),
    "glued to a word": ("XINC-000123", []),
    "followed by letters": ("INC-000123abc", []),
    "none": ("Sin red en el piso 3", []),
    "no subject": (None, []),
}


@pytest.mark.parametrize("subject, expected", SUBJECTS.values(), ids=SUBJECTS.keys())
def test_references_in_finds_the_references_written_in_a_subject(subject, expected):
    assert references_in(subject) == expected


URLS = {
    "a reference": ("/seguimiento/INC-000123/", "ticket"),
    "a request with seven digits": ("/seguimiento/REQ-1234567/", "ticket"),
    "lower case is a token": ("/seguimiento/inc-000123/", "open"),
    "another prefix is a token": ("/seguimiento/ABC-000123/", "open"),
}


@pytest.mark.parametrize("path, view", URLS.values(), ids=URLS.keys())
def test_a_url_takes_a_reference_as_the_desk_writes_it(path, view):
    assert resolve(path).url_name == view
