"""What each figure of the reports is, for whoever shows one (the pages, the exports, the
weekly email): its name, its definition (docs/reports.md says the same at length), how to
read it from a reports.figures.Row, how to write it, which way is better, and the name of
the tickets behind it (reports.drilldown.FIGURES) when a list can show them.

A figure's value is None when there is nothing to measure (a share of no tickets, the
mean of no times): shown as "—", never as 0."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sla.display import duration_text
from tickets.models import Ticket

from .figures import Row


class Kind:
    COUNT = "count"
    SHARE = "share"  # 0…1, written as a percentage
    DURATION = "duration"  # seconds
    RATING = "rating"  # 1…5


@dataclasses.dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    read: Callable[[Row], float | int | None]
    kind: str = Kind.COUNT
    # +1: more is better, -1: less is better, 0: neither (volume).
    better: int = 0
    # The tickets behind the figure (reports.drilldown.FIGURES), or "" for none.
    tickets: str = ""
    group: str = ""

    def value(self, row: Row):
        return self.read(row)

    def text(self, row: Row) -> str:
        return format_value(self.kind, self.read(row))


def number(value, decimals: int) -> str:
    """`value` rounded to `decimals` in the active language ("66,7", "1.234"): Django's
    number_format cuts the digits after `decimals` rather than rounding (2/3 → "66,6")."""
    if decimals == 0 and formats.get_format("NUMBER_GROUPING") == 3:
        # The charts' tables write hundreds of whole numbers a page: Python groups them
        # by threes as number_format does, at a fraction of its cost.
        return f"{round(value):,}".replace(",", formats.get_format("THOUSAND_SEPARATOR"))
    return formats.number_format(round(value, decimals), decimals, use_l10n=True, force_grouping=True)


def format_value(kind: str, value) -> str:
    """A figure's value as a person reads it, in the active language: "1.234", "87,5 %",
    "2 h 10 min", "4,3"; "—" when there is nothing to measure."""
    if value is None:
        return "—"
    if kind == Kind.SHARE:
        return _("%(value)s %%") % {"value": number(value * 100, 1)}
    if kind == Kind.DURATION:
        return duration_text(datetime.timedelta(seconds=value))
    if kind == Kind.RATING:
        return number(value, 1)
    return number(value, 0)


@dataclasses.dataclass(frozen=True)
class Change:
    """A figure against the period before: the difference, its sign (↑/↓) and whether
    that is good news (+1), bad news (-1) or neither (0)."""

    figure: Figure
    current: float | int | None
    previous: float | int | None

    @property
    def difference(self):
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def direction(self) -> int:
        difference = self.difference
        if not difference:
            return 0
        return 1 if difference > 0 else -1

    @property
    def arrow(self) -> str:
        return {1: "↑", -1: "↓", 0: "="}[self.direction] if self.difference is not None else ""

    @property
    def verdict(self) -> int:
        return self.direction * self.figure.better

    @property
    def relative(self) -> float | None:
        """The change as a share of the previous value (counts and times)."""
        if self.difference is None or not self.previous:
            return None
        return self.difference / self.previous

    @property
    def text(self) -> str:
        """ "↑ 12 (+8,5 %)" for counts, "↓ 3,2 puntos" for shares, "↑ 25 min" for times."""
        difference = self.difference
        if difference is None:
            return str(_("sin periodo anterior comparable"))
        if not difference:
            return str(_("= igual que el periodo anterior"))
        kind = self.figure.kind
        if kind == Kind.SHARE:
            points = number(abs(difference) * 100, 1)
            return f"{self.arrow} " + str(_("%(points)s puntos") % {"points": points})
        if kind == Kind.DURATION:
            return f"{self.arrow} {duration_text(datetime.timedelta(seconds=abs(difference)))}"
        if kind == Kind.RATING:
            return f"{self.arrow} {number(abs(difference), 1)}"
        text = f"{self.arrow} {number(abs(difference), 0)}"
        if self.relative is not None:
            text += f" ({number(self.relative * 100, 1)} %)"
        return text

    @property
    def sentence(self) -> str:
        """For a screen reader and the email: "12 más que el periodo anterior (…)"."""
        difference = self.difference
        if difference is None:
            return str(_("No hay un periodo anterior comparable."))
        if not difference:
            return str(_("Igual que el periodo anterior."))
        previous = format_value(self.figure.kind, self.previous)
        if difference > 0:
            return str(_("Sube respecto al periodo anterior (%(previous)s).") % {"previous": previous})
        return str(_("Baja respecto al periodo anterior (%(previous)s).") % {"previous": previous})


def cancellation_label(reason: str) -> str:
    return Ticket.CancelReason(reason).label


G_VOLUME = _("Volumen")
G_TIMES = _("Tiempos")
G_SLA = _("Nivel de servicio")
G_RESOLUTION = _("Resolución")
G_SATISFACTION = _("Satisfacción")


def _times(clock: str, which: str, stat: str) -> Callable[[Row], float | None]:
    return lambda row: getattr(getattr(getattr(row, clock), which), stat)


FIGURES: list[Figure] = [
    # Volume
    Figure("created", _("Creados"), _("Tickets reportados en el periodo, por su fecha de creación."),
           lambda row: row.created, tickets="created", group=G_VOLUME),
    Figure("solved", _("Solucionados"), _("Tickets con una solución entregada en el periodo y no rechazada (Solucionado o Cerrado)."),
           lambda row: row.solved, tickets="solved", group=G_VOLUME),
    Figure("closed", _("Cerrados"), _("Tickets cerrados en el periodo: solución aceptada, sin respuesta en el plazo o cerrados por la mesa."),
           lambda row: row.closed, tickets="closed", group=G_VOLUME),
    Figure("backlog", _("Pendientes al cierre"), _("Tickets en curso (Abierto, En proceso, Pendiente usuario, Pendiente proveedor) al final del último día del periodo."),
           lambda row: row.backlog, better=-1, tickets="backlog", group=G_VOLUME),
    Figure("cancelled", _("Cancelados"), _("Tickets cancelados en el periodo, incluidos los que el filtro de admisión canceló al llegar."),
           lambda row: row.cancelled, tickets="cancelled", group=G_VOLUME),
    # Times
    Figure("fr_mean", _("Tiempo medio de primera respuesta"), _("Media de creación → primera respuesta (tomar el ticket o la primera respuesta pública), en horario hábil del calendario de su SLA; por el día de la primera respuesta."),
           _times("first_response", "business", "mean"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("fr_median", _("Mediana de primera respuesta"), _("La mitad de las primeras respuestas llegó antes de este tiempo hábil (de un histograma: dentro de un 12,2 %)."),
           _times("first_response", "business", "median"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("fr_p90", _("Percentil 90 de primera respuesta"), _("El 90 % de las primeras respuestas llegó antes de este tiempo hábil (de un histograma: dentro de un 12,2 %)."),
           _times("first_response", "business", "p90"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("fr_wall_mean", _("Primera respuesta, tiempo real (media)"), _("Media de creación → primera respuesta en tiempo de reloj, noches y festivos incluidos."),
           _times("first_response", "wall", "mean"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("res_mean", _("Tiempo medio de resolución"), _("Media de creación → la solución aceptada o cerrada sin respuesta, en horario hábil sin el tiempo en pausa; por el día de esa solución, una vez cerrado el ticket."),
           _times("resolution", "business", "mean"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
    Figure("res_median", _("Mediana de resolución"), _("La mitad de los tickets resueltos se resolvió antes de este tiempo hábil (de un histograma: dentro de un 12,2 %)."),
           _times("resolution", "business", "median"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
    Figure("res_p90", _("Percentil 90 de resolución"), _("El 90 % de los tickets resueltos se resolvió antes de este tiempo hábil (de un histograma: dentro de un 12,2 %)."),
           _times("resolution", "business", "p90"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
    Figure("res_wall_mean", _("Resolución, tiempo real (media)"), _("Media de creación → solución en tiempo de reloj, pausas, noches y festivos incluidos."),
           _times("resolution", "wall", "mean"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
    # Service level
    Figure("fr_within", _("Primera respuesta dentro del SLA"), _("Parte de las primeras respuestas dadas antes de su plazo, entre las que tienen plan de SLA."),
           lambda row: row.first_response.within_share, kind=Kind.SHARE, better=1, tickets="first_responses_met", group=G_SLA),
    Figure("fr_breached", _("Incumplimientos de primera respuesta"), _("Primeras respuestas dadas después de su plazo."),
           lambda row: row.first_response.breached, better=-1, tickets="first_responses_breached", group=G_SLA),
    Figure("res_within", _("Resolución dentro del SLA"), _("Parte de los tickets resueltos antes de su plazo de resolución, entre los que tienen plan de SLA."),
           lambda row: row.resolution.within_share, kind=Kind.SHARE, better=1, tickets="resolved_met", group=G_SLA),
    Figure("res_breached", _("Incumplimientos de resolución"), _("Tickets resueltos después de su plazo de resolución."),
           lambda row: row.resolution.breached, better=-1, tickets="resolved_breached", group=G_SLA),
    # Resolution
    Figure("resolved", _("Resueltos"), _("Tickets cerrados tras su solución, contados el día de esa solución."),
           lambda row: row.resolved, tickets="resolved", group=G_RESOLUTION),
    Figure("fcr", _("Resolución en el primer contacto"), _("Parte de los resueltos que se resolvieron en N1, sin escalar y sin reabrir."),
           lambda row: row.first_contact_share, kind=Kind.SHARE, better=1, tickets="first_contact", group=G_RESOLUTION),
    Figure("escalated", _("Resueltos con escalamiento"), _("Parte de los resueltos que se escalaron al menos una vez."),
           lambda row: row.escalated_share, kind=Kind.SHARE, better=-1, tickets="resolved_escalated", group=G_RESOLUTION),
    Figure("escalations_n2", _("Escalamientos a N2"), _("Escalamientos a N2 en el periodo, uno por escalamiento."),
           lambda row: row.escalations[2], tickets="escalations_n2", group=G_RESOLUTION),
    Figure("escalations_n3", _("Escalamientos a N3"), _("Escalamientos a N3 en el periodo, uno por escalamiento."),
           lambda row: row.escalations[3], tickets="escalations_n3", group=G_RESOLUTION),
    Figure("reopened", _("Resueltos con reapertura"), _("Parte de los resueltos cuya solución se rechazó al menos una vez."),
           lambda row: row.reopened_share, kind=Kind.SHARE, better=-1, tickets="resolved_reopened", group=G_RESOLUTION),
    Figure("reopenings", _("Reaperturas"), _("Soluciones rechazadas en el periodo, una por rechazo."),
           lambda row: row.reopenings, better=-1, tickets="reopenings", group=G_RESOLUTION),
    Figure("false_incidents", _("Falsas incidencias"), _("Tickets resueltos con el código «Falsa incidencia»."),
           lambda row: row.false_incidents, tickets="false_incidents", group=G_RESOLUTION),
    # Satisfaction
    Figure("rating", _("Calificación media"), _("Media de las calificaciones (1 a 5) de las encuestas enviadas en el periodo que se respondieron."),
           lambda row: row.satisfaction.mean, kind=Kind.RATING, better=1, tickets="surveys_answered", group=G_SATISFACTION),
    Figure("answer_rate", _("Tasa de respuesta"), _("Encuestas respondidas entre las enviadas en el periodo (una al cerrarse cada ticket)."),
           lambda row: row.satisfaction.answer_rate, kind=Kind.SHARE, better=1, tickets="surveys_sent", group=G_SATISFACTION),
    Figure("survey_solved", pgettext_lazy("survey", "¿Se resolvió? Sí"), _("Parte de las respuestas que dicen que el problema se resolvió."),
           lambda row: row.satisfaction.solved_share, kind=Kind.SHARE, better=1, tickets="survey_solved", group=G_SATISFACTION),
]
BY_KEY = {figure.key: figure for figure in FIGURES}

def _cancelled(reason: str):
    return lambda row: row.cancellations[reason]


def _rating(n: int):
    return lambda row: row.satisfaction.distribution[n]


# The figures the sections show besides FIGURES (not in the headline nor the table): the
# wall-clock median and 90th percentile, the cancellations by reason and the ratings'
# distribution, each with the name of its tickets.
TIMES_EXTRA = [
    Figure("fr_wall_median", _("Primera respuesta, tiempo real (mediana)"),
           _("La mitad de las primeras respuestas llegó antes de este tiempo de reloj (de un histograma: dentro de un 12,2 %)."),
           _times("first_response", "wall", "median"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("fr_wall_p90", _("Primera respuesta, tiempo real (percentil 90)"),
           _("El 90 % de las primeras respuestas llegó antes de este tiempo de reloj (de un histograma: dentro de un 12,2 %)."),
           _times("first_response", "wall", "p90"), kind=Kind.DURATION, better=-1, tickets="first_responses", group=G_TIMES),
    Figure("res_wall_median", _("Resolución, tiempo real (mediana)"),
           _("La mitad de los tickets resueltos se resolvió antes de este tiempo de reloj (de un histograma: dentro de un 12,2 %)."),
           _times("resolution", "wall", "median"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
    Figure("res_wall_p90", _("Resolución, tiempo real (percentil 90)"),
           _("El 90 % de los tickets resueltos se resolvió antes de este tiempo de reloj (de un histograma: dentro de un 12,2 %)."),
           _times("resolution", "wall", "p90"), kind=Kind.DURATION, better=-1, tickets="resolved", group=G_TIMES),
]


def cancellation_figures() -> list[Figure]:
    return [
        Figure(
            f"cancelled_{reason}",
            format_lazy(_("Cancelados: {reason}"), reason=cancellation_label(reason)),
            _("Tickets cancelados en el periodo con este motivo."),
            _cancelled(reason),
            tickets=f"cancelled_{reason}",
            group=G_RESOLUTION,
        )
        for reason in Ticket.CancelReason.values
    ]


def rating_figures() -> list[Figure]:
    return [
        Figure(
            f"rating_{n}",
            format_lazy(_("Calificación {n} de 5"), n=n),
            _("Encuestas enviadas en el periodo que se respondieron con esta calificación."),
            _rating(n),
            tickets=f"rating_{n}",
            group=G_SATISFACTION,
        )
        for n in range(1, 6)
    ]


# The detail figures by the group whose section shows them after its FIGURES.
DETAILS = {G_TIMES: TIMES_EXTRA, G_RESOLUTION: cancellation_figures(), G_SATISFACTION: rating_figures()}

# The figures at the top of a report and in the weekly email, against the period before.
HEADLINES = ["created", "solved", "backlog", "fr_mean", "res_mean", "fr_within", "res_within", "fcr", "rating"]

# The table of a breakdown: one row a value, these columns.
TABLE = [
    "created", "solved", "closed", "backlog", "fr_mean", "fr_p90", "res_mean", "res_p90",
    "fr_within", "res_within", "res_breached", "fcr", "escalated", "reopened", "false_incidents",
    "cancelled", "rating", "answer_rate",
]




def headlines(row: Row, previous: Row) -> list[Change]:
    return [Change(BY_KEY[key], BY_KEY[key].value(row), BY_KEY[key].value(previous)) for key in HEADLINES]
