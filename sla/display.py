"""How a ticket's service level reads for people: the traffic light, with words, and the
time left. Pure functions of the ticket's stored columns: a list shows them for every row
without a query.

The time left is wall-clock time to the deadline ("vence en 2 h 10 min"), the instant
itself beside it in the desk's time zone: on a Friday evening a deadline on Monday at
10:30 reads "vence en 2 d 16 h", which is when it will be due. The business time used
(the SLA's own measure) is shown on the ticket page once a clock has stopped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tickets.models import SLAState, Ticket
from tickets.sla_rules import deadline_met

from .models import SLAEvent

# The light's colour, for the CSS class (the words carry the meaning too).
COLOURS = {SLAState.ON_TIME: "green", SLAState.AT_RISK: "yellow", SLAState.BREACHED: "red"}


@dataclass(frozen=True)
class Light:
    state: str  # an SLAState, "met" / "missed" once solved, "" when there is no light
    colour: str  # "green", "yellow", "red", or "" (no light)
    label: str  # the state in words: "En tiempo", "En riesgo", "Vencido", …
    detail: str = ""  # which deadline and how far: "Resolución: vence en 2 h 10 min"
    due: datetime.datetime | None = None
    paused: bool = False

    # The deadline in the current time zone, written here rather than by template filters
    # on each of a queue page's rows, and only when a page prints it (not when the queue's
    # refresh compares what it would show): ISO 8601 for <time>, and in words.
    @cached_property
    def due_iso(self) -> str:
        return timezone.localtime(self.due).isoformat() if self.due else ""

    @cached_property
    def due_title(self) -> str:
        if self.due is None:
            return ""
        return _("Plazo: %(due)s") % {"due": formats.date_format(timezone.localtime(self.due), "DATETIME_FORMAT")}

    def __html__(self) -> str:
        """The light as pages print it (`{{ light }}`): the coloured dot and its words, then
        which deadline and how far, with the instant in a <time>. Written here rather than
        by a template included on each of a queue page's rows, where the include cost more
        than the rest of the row."""
        light = format_html(
            '<span class="sla-light sla-{}{}" data-sla="{}"><span class="sla-dot" aria-hidden="true"></span>'
            '<span class="sla-label">{}</span></span>',
            self.colour or "none",
            " sla-paused" if self.paused else "",
            self.state,
            self.label,
        )
        if not self.detail:
            return light
        if self.due is None:
            return format_html('{}<span class="sub sla-detail">{}</span>', light, self.detail)
        return format_html(
            '{}<span class="sub sla-detail"><time datetime="{}" title="{}">{}</time></span>',
            light,
            self.due_iso,
            self.due_title,
            self.detail,
        )

    def __str__(self) -> str:  # templates print str(value), then its __html__
        return self.__html__()


def _light(state: str, colour: str, label: str, detail: str = "", due=None, paused: bool = False) -> Light:
    return Light(state, colour, label, detail, due, paused)


def duration_text(value: datetime.timedelta) -> str:
    """A wall-clock span, rounded down: "35 min", "2 h 10 min", "3 d 4 h"."""
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("menos de 1 min")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours} if hours else _("%(days)d d") % {"days": days}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes} if minutes else _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


def business_duration_text(value: datetime.timedelta) -> str:
    """Business time in hours and minutes, as targets are written: "48 h", "1 h 30 min"."""
    minutes = max(0, int(value.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


def deadline_sentence(due: datetime.datetime, now: datetime.datetime) -> str:
    """A deadline as the ticket page's SLA card writes it, in the current time zone:
    "Vence el 16 de junio de 2025 a las 16:30" until it (included), "Venció el …" after
    it: the rule of the traffic light's words (deadline_met, as in _detail)."""
    when = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
    if not deadline_met(now, due):
        return _("Venció el %(due)s") % {"due": when}
    return _("Vence el %(due)s") % {"due": when}


def _detail(clock: str, due: datetime.datetime, now: datetime.datetime) -> str:
    if deadline_met(now, due):
        left = duration_text(due - now)
        if clock == "first_response":
            return _("Primera respuesta: vence en %(time)s") % {"time": left}
        return _("Resolución: vence en %(time)s") % {"time": left}
    late = duration_text(now - due)
    if clock == "first_response":
        return _("Primera respuesta: venció hace %(time)s") % {"time": late}
    return _("Resolución: venció hace %(time)s") % {"time": late}


def sla_light(ticket: Ticket, now: datetime.datetime) -> Light:
    """The light of a ticket at `now`: its state against the deadline that matters (the
    first response's while owed, else the resolution's) and the time to it; a paused
    ticket keeps the light it had when its clock stopped and says it is paused; a solved
    or closed ticket shows whether it was solved in time."""
    state = ticket.sla_state(now)
    if state is not None:
        clock, _warn_at, due = ticket.sla_deadline()
        label = SLAState(state).label
        if ticket.sla_clock_stopped:
            return _light(state, COLOURS[state], str(label), _("Resolución en pausa"), due, paused=True)
        return _light(state, COLOURS[state], str(label), _detail(clock, due, now), due)
    if ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED) and ticket.resolution_met is not None:
        if ticket.resolution_met:
            return _light("met", "green", _("Resuelto a tiempo"), due=ticket.resolution_due)
        return _light("missed", "red", _("Resuelto fuera de plazo"), due=ticket.resolution_due)
    return _light("", "", _("Sin plazo"))


def sla_event_sentence(event: SLAEvent) -> str:
    """The one sentence that says what an SLAEvent was (the ticket's timeline and the
    alert emails both write it), with its deadline in the current time zone:
    "Venció el plazo de resolución: 16 de junio de 2025 a las 16:30."."""
    due = formats.date_format(timezone.localtime(event.due), "DATETIME_FORMAT")
    first_response = event.clock == SLAEvent.Clock.FIRST_RESPONSE
    if event.kind == SLAEvent.Kind.BREACH:
        if first_response:
            return _("Venció el plazo de primera respuesta: %(due)s.") % {"due": due}
        return _("Venció el plazo de resolución: %(due)s.") % {"due": due}
    if first_response:
        return _("El plazo de primera respuesta vence el %(due)s.") % {"due": due}
    return _("El plazo de resolución vence el %(due)s.") % {"due": due}
