"""The placeholders of a canned reply (docs/workspace.md, «Canned replies»): `{nombre}`,
`{referencia}`, `{agente}`, `{modulo}` and `{asunto}`, filled from a ticket and the agent
who inserts the reply.

Plain text only: one pass of a regular expression replaces each known name with its value,
nothing is evaluated and a value is never read again for placeholders (a requester named
"{agente}" stays "{agente}"). A name in braces that is not one of these is left as it is,
and `unknown_placeholders` lists it (the editor refuses to save such a text). Capitals and
accents do not count: `{Módulo}` is `{modulo}`."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A name in braces: letters, digits or "_", up to 40 of them (so that "{ }", "{}" or a
# sentence in braces are text, not placeholders).
PLACEHOLDER = re.compile(r"\{(\w{1,40})\}")

# name: what it becomes (the editor's help and docs/workspace.md show this table).
PLACEHOLDERS = {
    "nombre": gettext_lazy("el nombre de pila del solicitante («Lucía» de «Lucía Ortega»)"),
    "referencia": gettext_lazy("la referencia del ticket (INC-000123)"),
    "agente": gettext_lazy("el nombre del agente que inserta la respuesta"),
    "modulo": gettext_lazy("el módulo del ticket («sin módulo» si no lo tiene)"),
    "asunto": gettext_lazy("el asunto del ticket"),
}


def _key(name: str) -> str:
    """`{Módulo}` and `{modulo}` are one placeholder: no accents, lower case."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def first_name(full_name: str) -> str:
    """The first word of a name that is not a title ending in a period ("Ing. Pablo Ruiz"
    → "Pablo"); empty when there is none."""
    for word in full_name.split():
        if not word.endswith("."):
            return word
    return ""


def values_for(ticket, agent) -> dict[str, str]:
    """What each placeholder becomes for `ticket` (its requester and module read) and
    `agent` (a user)."""
    module = ticket.module.name if ticket.module_id else _("sin módulo")
    return {
        "nombre": first_name(ticket.requester.name) or _("usuario"),
        "referencia": ticket.reference or "",
        "agente": agent.get_full_name() or agent.get_username(),
        "modulo": module,
        "asunto": ticket.subject,
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value (values_for); unknown ones
    stay as they are."""

    def replace(match: re.Match) -> str:
        value = values.get(_key(match.group(1)))
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)


def unknown_placeholders(text: str) -> list[str]:
    """The names in braces of `text` that are not placeholders, as written, once each."""
    seen: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        if _key(match.group(1)) not in PLACEHOLDERS and match.group(0) not in seen:
            seen.append(match.group(0))
    return seen
