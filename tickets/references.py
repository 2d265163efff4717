"""A ticket's reference, INC-000123 / REQ-000124: how it is written and every way the
desk reads one.

The format is the type's prefix, a hyphen and the ticket's number with at least six
digits (`format_reference`, which `Ticket.build_reference` uses). People type it less
carefully, so each reader accepts what its place needs and answers with the reference
as the desk writes it:

- `parse_reference`: one reference typed on purpose (the original of a duplicate): the
  prefix is required; case, spaces, the hyphen and leading zeros are not.
- `search_references`: a queue search that may be a reference: also a bare number or
  "#123", which may name an incident or a request.
- `references_in`: references written inside a text (an email's subject), as the desk
  writes them: the prefix and the hyphen, six digits or more, in any case.
- `ReferenceConverter`: the URL form, `<reference:…>` (tickets/converters.py)."""

from __future__ import annotations

import re

# The type's prefix, by Ticket.Kind value ("incident", "request").
PREFIXES = {"incident": "INC", "request": "REQ"}
NUMBER_DIGITS = 6
# An agent types at most this many digits: a longer number is not a ticket of the desk.
MAX_TYPED_DIGITS = 12

_PREFIX = "|".join(PREFIXES.values())
# "INC-000123", "inc 123", "INC123".
TYPED = re.compile(rf"^\s*({_PREFIX})\s*-?\s*(\d{{1,{MAX_TYPED_DIGITS}}})\s*$", re.IGNORECASE)
# As TYPED, or without the prefix: "123", "#000123".
SEARCHED = re.compile(rf"^\s*(?:({_PREFIX})\s*-?\s*)?#?\s*(\d{{1,{MAX_TYPED_DIGITS}}})\s*$", re.IGNORECASE)
# Inside a text: "RE: [INC-000123] Sin red".
WRITTEN = re.compile(rf"\b({_PREFIX})-(\d{{{NUMBER_DIGITS},}})\b", re.IGNORECASE)
# In a URL: what ReferenceConverter matches.
URL_PATTERN = rf"(?:{_PREFIX})-[0-9]{{{NUMBER_DIGITS},}}"


def format_reference(prefix: str, number: int) -> str:
    """The reference as the desk writes it: INC-000123."""
    return f"{prefix.upper()}-{int(number):0{NUMBER_DIGITS}d}"


def parse_reference(text: str) -> str | None:
    """The reference `text` names (prefix required), or None if it is not one."""
    match = TYPED.match(text or "")
    return format_reference(*match.groups()) if match else None


def search_references(text: str) -> list[str]:
    """The references a search text may mean, or [] if it is not a reference: a bare
    number names both an incident and a request."""
    match = SEARCHED.match(text or "")
    if not match:
        return []
    prefix, number = match.groups()
    prefixes = [prefix] if prefix else list(PREFIXES.values())
    return [format_reference(p, number) for p in prefixes]


def references_in(text: str) -> list[str]:
    """The references written in `text`, in order of appearance, each once."""
    found = (format_reference(prefix, number) for prefix, number in WRITTEN.findall(text or ""))
    return list(dict.fromkeys(found))
