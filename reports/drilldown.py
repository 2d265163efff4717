"""Which tickets are behind each figure (reports.catalog names them): for a report's query
(its period, its dimension) and a value of that dimension, the TicketFacts the figure counts,
their columns and the words that say what the list is (docs/reports.md, «The tickets behind
a figure»).

A list reads the same facts and the same days as the daily rollup (reports.facts.day_counts):
its length is the figure of reports.figures.period_figures for the same period and value.
The figures that count events (escalations to N2 / N3, reopenings) list each ticket once,
with the number of its events in the period; their total is the figure. The dated lists of
the facts are read from their rows (reports.models.FactEvent), through indexes."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Callable

from django.db import connection
from django.db.models import BooleanField, Count, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from sla.display import duration_text
from tickets.models import Priority, Ticket

from . import labels
from .figures import Row, period_figures
from .models import Dimension, FactEvent, TicketFacts
from .query import ReportQuery, period_text

PAGE_SIZE = 50


class DrillError(ValueError):
    """A request for a list that does not exist: its message is for the person (400)."""


# Columns ------------------------------------------------------------------------------

class Show:
    TEXT = "text"
    REFERENCE = "reference"  # links to the ticket's page
    INSTANT = "instant"
    DAY = "day"
    DURATION = "duration"  # seconds
    VERDICT = "verdict"  # True / False / None
    NUMBER = "number"


@functools.lru_cache(maxsize=64)
def _choice_labels(choices, language: str) -> dict:
    return {value: str(label) for value, label in choices.choices}


def _choice(choices) -> Callable[[object], str | None]:
    """A code → its label in the active language (translated once per language, not per row)."""
    return lambda value: _choice_labels(choices, translation.get_language() or "").get(value)


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of the list: the row's `fields` it reads (the list is read with values(),
    a dict per ticket), how it turns them into a value and how that value is shown."""

    header: str
    fields: tuple[str, ...]
    show: str = Show.TEXT
    read: Callable[..., object] | None = None  # the fields' values → the column's (default: the one field)

    def value(self, row: dict):
        values = [row[field] for field in self.fields]
        return self.read(*values) if self.read else values[0]

    @property
    def export_header(self) -> str:
        if self.show == Show.DURATION:
            return str(_("%(header)s (horas)") % {"header": self.header})
        return str(self.header)

    def export_value(self, row: dict):
        """What an export's cell holds: durations in hours, verdicts as Sí / No."""
        value = self.value(row)
        if value is not None and self.show == Show.DURATION:
            return round(value / 3600, 2)
        return value

    def text(self, row: dict) -> str:
        """The cell as the page shows it, in the desk's time zone and the active language."""
        value = self.value(row)
        if value is None or value == "":
            return "—"
        if self.show == Show.INSTANT:
            return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if self.show == Show.DAY:
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if self.show == Show.DURATION:
            return duration_text(datetime.timedelta(seconds=value))
        if self.show == Show.VERDICT:
            return str(_("Sí") if value else _("No"))
        if self.show == Show.NUMBER:
            return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
        return str(value)


def _name(first: str | None, last: str | None, username: str | None) -> str | None:
    """An agent as labels.labels names one: the full name, else the username."""
    if username is None:
        return None
    return f"{first or ''} {last or ''}".strip() or username


COMMON = (
    Column(_("Referencia"), ("ticket__reference",), Show.REFERENCE),
    Column(_("Asunto"), ("ticket__subject",)),
    Column(_("Estado"), ("state",), read=_choice(Ticket.State)),
    Column(_("Prioridad"), ("priority",), read=_choice(Priority)),
    Column(_("Módulo"), ("module__name",)),
    Column(_("Agente"), ("agent__first_name", "agent__last_name", "agent__username"), read=_name),
    Column(_("Organización"), ("organization__name",)),
    Column(_("Creado"), ("created_at",), Show.INSTANT),
)
FIRST_RESPONSE = (
    Column(_("Primera respuesta"), ("first_response_at",), Show.INSTANT),
    Column(_("Tiempo hábil"), ("first_response_business",), Show.DURATION),
    Column(_("Tiempo real"), ("first_response_wall",), Show.DURATION),
    Column(_("Dentro del SLA"), ("first_response_met",), Show.VERDICT),
)
SOLVED = (Column(_("Solucionado"), ("solved_at",), Show.INSTANT),)
RESOLUTION = (
    *SOLVED,
    Column(_("Resolución, tiempo hábil"), ("resolution_business",), Show.DURATION),
    Column(_("Resolución, tiempo real"), ("resolution_wall",), Show.DURATION),
    Column(_("Dentro del SLA"), ("resolution_met",), Show.VERDICT),
    Column(_("Código de resolución"), ("resolution_code",), read=_choice(Ticket.ResolutionCode)),
)
CLOSED = (Column(_("Cerrado"), ("ticket__closed_at",), Show.INSTANT),)
CANCELLED = (
    Column(_("Cancelado"), ("ticket__cancelled_at",), Show.INSTANT),
    Column(_("Motivo"), ("cancel_reason",), read=_choice(Ticket.CancelReason)),
)
SURVEY = (
    Column(_("Encuesta enviada"), ("ticket__survey__sent_at",), Show.INSTANT),
    Column(_("Calificación"), ("survey_rating",), Show.NUMBER),
    Column(
        _("¿Se resolvió?"), ("survey_answered", "survey_solved"), Show.VERDICT,
        read=lambda answered, solved: solved if answered else None,
    ),
    # The requester's own words (never an internal note): staff read them in the admin too.
    Column(_("Comentario"), ("ticket__survey_answer__comment",)),
)
BACKLOG = (Column(_("En curso desde"), ("in_course_since",), Show.DAY),)


def _event_columns(count_header, last_header):
    return (
        Column(count_header, ("events_in_period",), Show.NUMBER),
        Column(last_header, ("last_event",), Show.DAY),
    )


# Figures ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class DrillFigure:
    """The tickets behind one figure: those of the facts whose `day` falls in the period
    and that meet `where`; or, for `events`, those with events of that kind (and level) in
    the period; or, for the backlog, those in course at the end of the period's last day."""

    name: str
    count_text: object  # ngettext_lazy: %(number)s shown, "count" chooses the plural
    slug: str  # the export's file name
    columns: tuple[Column, ...]
    order: tuple[str, ...]
    day: str = ""
    where: Q = dataclasses.field(default_factory=Q)
    events: tuple[str, int | None] | None = None  # (FactEvent.Kind, level)
    backlog: bool = False
    words: dict = dataclasses.field(default_factory=dict)  # the sentence's other names (a reason, a rating)

    def count_sentence(self, count: int) -> str:
        shown = formats.number_format(count, 0, use_l10n=True, force_grouping=True)
        return str(self.count_text % {"count": count, "number": shown, **self.words})


RESOLVED = Q(resolved=True)
SOLVED_ORDER = ("-solved_day", "-solved_at", "-pk")
SURVEY_ORDER = ("-survey_day", "-ticket__survey__sent_at", "-pk")


def _figures() -> dict[str, DrillFigure]:
    figures = [
        DrillFigure("created", ngettext_lazy("%(number)s ticket creado", "%(number)s tickets creados", "count"), "creados",
                    (), ("-created_day", "-created_at", "-pk"), day="created_day"),
        DrillFigure("solved", ngettext_lazy("%(number)s ticket solucionado", "%(number)s tickets solucionados", "count"),
                    "solucionados", SOLVED, SOLVED_ORDER, day="solved_day"),
        DrillFigure("closed", ngettext_lazy("%(number)s ticket cerrado", "%(number)s tickets cerrados", "count"), "cerrados",
                    CLOSED, ("-closed_day", "-ticket__closed_at", "-pk"), day="closed_day"),
        DrillFigure("backlog", ngettext_lazy("%(number)s ticket pendiente al cierre", "%(number)s tickets pendientes al cierre", "count"),
                    "pendientes", BACKLOG, ("-created_day", "-created_at", "-pk"), backlog=True),
        DrillFigure("cancelled", ngettext_lazy("%(number)s ticket cancelado", "%(number)s tickets cancelados", "count"),
                    "cancelados", CANCELLED, ("-cancelled_day", "-ticket__cancelled_at", "-pk"), day="cancelled_day"),
        DrillFigure("first_responses", ngettext_lazy("%(number)s primera respuesta", "%(number)s primeras respuestas", "count"),
                    "primeras-respuestas", FIRST_RESPONSE, ("-first_response_day", "-first_response_at", "-pk"),
                    day="first_response_day"),
        DrillFigure("first_responses_met",
                    ngettext_lazy("%(number)s primera respuesta dentro del SLA", "%(number)s primeras respuestas dentro del SLA", "count"),
                    "primeras-respuestas-dentro-sla", FIRST_RESPONSE, ("-first_response_day", "-first_response_at", "-pk"),
                    day="first_response_day", where=Q(first_response_met=True)),
        DrillFigure("first_responses_breached",
                    ngettext_lazy("%(number)s incumplimiento de primera respuesta", "%(number)s incumplimientos de primera respuesta", "count"),
                    "incumplimientos-primera-respuesta", FIRST_RESPONSE, ("-first_response_day", "-first_response_at", "-pk"),
                    day="first_response_day", where=Q(first_response_met=False)),
        DrillFigure("resolved", ngettext_lazy("%(number)s ticket resuelto", "%(number)s tickets resueltos", "count"), "resueltos",
                    RESOLUTION, SOLVED_ORDER, day="solved_day", where=RESOLVED),
        DrillFigure("resolved_met",
                    ngettext_lazy("%(number)s resolución dentro del SLA", "%(number)s resoluciones dentro del SLA", "count"),
                    "resoluciones-dentro-sla", RESOLUTION, SOLVED_ORDER, day="solved_day", where=RESOLVED & Q(resolution_met=True)),
        DrillFigure("resolved_breached",
                    ngettext_lazy("%(number)s incumplimiento de resolución", "%(number)s incumplimientos de resolución", "count"),
                    "incumplimientos-resolucion", RESOLUTION, SOLVED_ORDER, day="solved_day",
                    where=RESOLVED & Q(resolution_met=False)),
        DrillFigure("first_contact",
                    ngettext_lazy("%(number)s ticket resuelto en el primer contacto", "%(number)s tickets resueltos en el primer contacto", "count"),
                    "resueltos-primer-contacto", RESOLUTION, SOLVED_ORDER, day="solved_day",
                    where=RESOLVED & Q(first_contact_resolution=True)),
        DrillFigure("resolved_escalated",
                    ngettext_lazy("%(number)s ticket resuelto con escalamiento", "%(number)s tickets resueltos con escalamiento", "count"),
                    "resueltos-con-escalamiento",
                    (*RESOLUTION, Column(_("Escalamientos"), ("escalation_count",), Show.NUMBER)), SOLVED_ORDER,
                    day="solved_day", where=RESOLVED & Q(escalation_count__gt=0)),
        DrillFigure("escalations_n2", ngettext_lazy("%(number)s escalamiento a N2", "%(number)s escalamientos a N2", "count"),
                    "escalamientos-n2", _event_columns(_("Escalamientos a N2 en el periodo"), _("Último escalamiento")),
                    ("-last_event", "-pk"), events=(FactEvent.Kind.ESCALATION, 2)),
        DrillFigure("escalations_n3", ngettext_lazy("%(number)s escalamiento a N3", "%(number)s escalamientos a N3", "count"),
                    "escalamientos-n3", _event_columns(_("Escalamientos a N3 en el periodo"), _("Último escalamiento")),
                    ("-last_event", "-pk"), events=(FactEvent.Kind.ESCALATION, 3)),
        DrillFigure("resolved_reopened",
                    ngettext_lazy("%(number)s ticket resuelto con reapertura", "%(number)s tickets resueltos con reapertura", "count"),
                    "resueltos-con-reapertura",
                    (*RESOLUTION, Column(_("Reaperturas"), ("reopen_count",), Show.NUMBER)), SOLVED_ORDER,
                    day="solved_day", where=RESOLVED & Q(reopen_count__gt=0)),
        DrillFigure("reopenings", ngettext_lazy("%(number)s reapertura", "%(number)s reaperturas", "count"), "reaperturas",
                    _event_columns(_("Reaperturas en el periodo"), _("Última reapertura")), ("-last_event", "-pk"),
                    events=(FactEvent.Kind.REOPENING, None)),
        DrillFigure("false_incidents", ngettext_lazy("%(number)s falsa incidencia", "%(number)s falsas incidencias", "count"),
                    "falsas-incidencias", RESOLUTION, SOLVED_ORDER, day="solved_day", where=RESOLVED & Q(false_incident=True)),
        DrillFigure("surveys_sent", ngettext_lazy("%(number)s encuesta enviada", "%(number)s encuestas enviadas", "count"),
                    "encuestas-enviadas", SURVEY, SURVEY_ORDER, day="survey_day"),
        DrillFigure("surveys_answered", ngettext_lazy("%(number)s encuesta respondida", "%(number)s encuestas respondidas", "count"),
                    "encuestas-respondidas", SURVEY, SURVEY_ORDER, day="survey_day", where=Q(survey_answered=True)),
        DrillFigure("survey_solved",
                    ngettext_lazy("%(number)s respuesta «se resolvió: sí»", "%(number)s respuestas «se resolvió: sí»", "count"),
                    "encuestas-resuelto-si", SURVEY, SURVEY_ORDER, day="survey_day",
                    where=Q(survey_answered=True, survey_solved=True)),
    ]
    for reason in Ticket.CancelReason:
        figures.append(DrillFigure(
            f"cancelled_{reason.value}",
            ngettext_lazy("%(number)s ticket cancelado por «%(reason)s»", "%(number)s tickets cancelados por «%(reason)s»", "count"),
            f"cancelados-{slugify(reason.value.replace('_', '-'))}",
            CANCELLED, ("-cancelled_day", "-ticket__cancelled_at", "-pk"), day="cancelled_day",
            where=Q(cancel_reason=reason.value), words={"reason": reason.label},
        ))
    for rating in range(1, 6):
        figures.append(DrillFigure(
            f"rating_{rating}",
            ngettext_lazy("%(number)s respuesta con calificación %(rating)s", "%(number)s respuestas con calificación %(rating)s", "count"),
            f"calificacion-{rating}",
            SURVEY, SURVEY_ORDER, day="survey_day", where=Q(survey_answered=True, survey_rating=rating),
            words={"rating": rating},
        ))
    return {figure.name: figure for figure in figures}


FIGURES: dict[str, DrillFigure] = _figures()


# Values of a dimension ----------------------------------------------------------------

FIELD = {
    Dimension.MODULE: "module_id",
    Dimension.AGENT: "agent_id",
    Dimension.ORGANIZATION: "organization_id",
    Dimension.LEVEL: "level",
    Dimension.PRIORITY: "priority",
    Dimension.CHANNEL: "channel",
    Dimension.KIND: "kind",
}
NUMBERED = {Dimension.MODULE, Dimension.AGENT, Dimension.ORGANIZATION, Dimension.LEVEL, Dimension.PRIORITY}
CHOSEN = {Dimension.CHANNEL: Ticket.Channel.values, Dimension.KIND: Ticket.Kind.values}
DIGITS = re.compile(r"[0-9]{1,18}")


def clean_value(dimension: str, value: str) -> str:
    """A value of the dimension as the rollup keeps it ("" for none), or DrillError."""
    if dimension == Dimension.ALL:
        raise DrillError(_("Un valor («valor») necesita un desglose («por»)."))
    if value == "" and dimension in labels.NONE_LABELS:
        return value
    if value == "":
        raise DrillError(
            _("El desglose por %(dimension)s no tiene tickets sin valor.") % {"dimension": str(Dimension(dimension).label).lower()}
        )
    if (dimension in NUMBERED and not DIGITS.fullmatch(value)) or (dimension in CHOSEN and value not in CHOSEN[dimension]):
        raise DrillError(
            _("«%(value)s» no es un valor del desglose por %(dimension)s.")
            % {"value": value[:40], "dimension": str(Dimension(dimension).label).lower()}
        )
    return value


def scope(dimension: str, value: str | None, prefix: str = "") -> Q:
    """The facts of one value of the dimension (None: all of them)."""
    if dimension == Dimension.ALL or value is None:
        return Q()
    field = prefix + FIELD[Dimension(dimension)]
    if value == "":  # no module, agent or organization (clean_value allows no other)
        return Q(**{f"{field}__isnull": True})
    return Q(**{field: int(value) if dimension in NUMBERED else value})


# The list -------------------------------------------------------------------------------

def in_course_on(day: datetime.date, value: Q | None = None) -> QuerySet:
    """The stretches in course at the end of `day`: entered by then, not left by then; of
    one value (`value`, on the stretches' own module, agent or organization) or all. For
    all, on PostgreSQL, a containment of their range, which its GiST index serves and its
    statistics estimate (the two inequalities' rows are estimated a hundred times too
    many); one value's are few, found from its B-tree index."""
    stretches = FactEvent.objects.filter(kind=FactEvent.Kind.COURSE)
    if value is None and connection.vendor == "postgresql":
        return stretches.filter(
            RawSQL("daterange(day, until, '[)') @> %s::date", [day], output_field=BooleanField())
        )
    return stretches.filter(value or Q(), Q(day__lte=day), Q(until__gt=day) | Q(until__isnull=True))


# The dimensions an event carries itself (FactEvent's columns of the same names).
EVENT_DIMENSIONS = {Dimension.MODULE, Dimension.AGENT, Dimension.ORGANIZATION}


@dataclasses.dataclass
class TicketList:
    """The tickets behind `figure` for `query` and one `value` of its dimension (None: the
    whole row the query shows). An agent's own query is always that agent's facts."""

    figure: DrillFigure
    query: ReportQuery
    value: str | None = None

    def __post_init__(self):
        if self.query.own:
            self.value = str(self.query.agent.pk)
        elif self.value is not None:
            self.value = clean_value(self.query.dimension, self.value)

    @property
    def dimension(self) -> str:
        return str(self.query.dimension)

    def _scope(self, prefix: str = "") -> Q:
        return scope(self.dimension, self.value, prefix)

    def _event_scope(self) -> Q | None:
        """The value as a condition on the events' own columns, when they carry it."""
        if self.scoped and self.dimension in EVENT_DIMENSIONS:
            return scope(self.dimension, self.value)
        return None

    def _events_of_value(self) -> Q:
        """The value as a condition on the events: their own column, or their facts'."""
        own = self._event_scope()
        return own if own is not None else self._scope("facts__")

    def _events(self) -> QuerySet:
        kind, level = self.figure.events
        events = FactEvent.objects.filter(kind=kind, day__gte=self.query.start, day__lte=self.query.end)
        return events if level is None else events.filter(level=level)

    @property
    def scoped(self) -> bool:
        """Whether the list is one value's (else the whole desk's)."""
        return self.value is not None and self.dimension != Dimension.ALL

    def matching(self) -> QuerySet:
        """The facts the figure counts, without what the columns read (for counting)."""
        figure, query = self.figure, self.query
        facts = TicketFacts.objects.filter(self._scope())
        if figure.events:
            return facts.filter(ticket_id__in=self._events().filter(self._event_scope() or Q()).values("facts_id"))
        if figure.backlog:
            return facts.filter(ticket_id__in=in_course_on(query.end, self._event_scope()).values("facts_id"))
        return facts.filter(figure.where, **{f"{figure.day}__gte": query.start, f"{figure.day}__lte": query.end})

    def count(self) -> int:
        """How many tickets: the figure itself, except for an events figure (event_total).
        The figure is read from the rollup (a few milliseconds whatever the period), which
        the refresh keeps in the same transaction as the facts this list reads: counting
        a year of the whole desk's facts took 130 ms at a million tickets."""
        if self.figure.events:
            return self.ordered().count()
        return rollup_count(self.figure.name, self._rollup_row())

    def _rollup_row(self) -> Row:
        query = self.query
        if query.own:
            report = period_figures(query.start, query.end, agent=query.agent)
        elif self.scoped:
            report = period_figures(query.start, query.end, breakdown=self.dimension)
        else:
            report = period_figures(query.start, query.end)
        value = self.value if self.scoped or query.own else ""
        return next((row for row in report.rows if row.value == value), Row.of(value, {}, 0))

    def _fields(self) -> list[str]:
        return list(dict.fromkeys(["pk", *(field for column in self.columns for field in column.fields)]))

    def ordered(self) -> QuerySet:
        """What pages are cut from, newest figure instant first: the rows themselves (a dict
        a ticket of what the columns read, "pk" its id, joined in one query); for an events
        figure, a ticket's events grouped (facts_id, events_in_period, last_event), which
        `complete` turns into rows: sorting by the last event reads only the events."""
        if self.figure.events:
            return (
                self._events()
                .filter(self._events_of_value())
                .values("facts_id")
                .annotate(events_in_period=Count("pk"), last_event=Max("day"))
                .order_by("-last_event", "-facts_id")
            )
        facts = self.matching()
        if self.figure.backlog:
            # Each ticket in course has one stretch that holds the day: when it entered it.
            stretch = in_course_on(self.query.end, self._event_scope()).filter(facts=OuterRef("pk"))
            facts = facts.annotate(in_course_since=Subquery(stretch.values("day")[:1]))
        return facts.order_by(*self.figure.order).values(*self._fields())

    def complete(self, items) -> list[dict]:
        """The rows of a slice of `ordered()` (one more query for an events figure)."""
        items = list(items)
        if not self.figure.events:
            return items
        fields = [field for field in self._fields() if field not in ("events_in_period", "last_event")]
        found = {row["pk"]: row for row in TicketFacts.objects.filter(ticket_id__in=[i["facts_id"] for i in items]).values(*fields)}
        return [
            {**found[item["facts_id"]], "events_in_period": item["events_in_period"], "last_event": item["last_event"]}
            for item in items
            if item["facts_id"] in found
        ]

    def event_total(self) -> int | None:
        """The figure itself for an events figure (escalations, reopenings): its events of
        the period, which may be more than its tickets. None for the others."""
        if not self.figure.events:
            return None
        return self._events().filter(self._events_of_value()).count()

    def value_label(self) -> str | None:
        if self.value is None or self.dimension == Dimension.ALL:
            return None
        return labels.label(self.dimension, self.value)

    def heading(self, count: int) -> str:
        """"12 incumplimientos de resolución — Módulo: Nómina — 1 – 30 de noviembre de 2026"."""
        figure = self.figure.count_sentence(count)
        period = period_text(self.query.start, self.query.end)
        value = self.value_label()
        if value is None:
            return str(_("%(figure)s — %(period)s") % {"figure": figure, "period": period})
        return str(
            _("%(figure)s — %(dimension)s: %(value)s — %(period)s")
            % {"figure": figure, "dimension": Dimension(self.dimension).label, "value": value, "period": period}
        )

    @property
    def columns(self) -> tuple[Column, ...]:
        return (*COMMON, *self.figure.columns)

    def filename(self) -> str:
        """"tickets-incumplimientos-resolucion-2026-11-01-2026-11-30" (a value's name after the figure's)."""
        value = self.value_label()
        parts = ["tickets", self.figure.slug]
        if value is not None and not self.query.own:
            parts.append(slugify(value) or "valor")
        parts += [self.query.start.isoformat(), self.query.end.isoformat()]
        return "-".join(parts)

    def headers(self) -> list[str]:
        return [column.export_header for column in self.columns]

    def rows(self):
        """Every ticket of the list as export values (the whole list, not a page), read in
        chunks."""
        columns = self.columns
        if self.figure.events:
            items = list(self.ordered())
            chunks = (self.complete(items[start : start + 2000]) for start in range(0, len(items), 2000))
            source = (row for chunk in chunks for row in chunk)
        else:
            source = self.ordered().iterator(chunk_size=2000)
        # A streamed export is read after the view returned: in the language it was asked in.
        language = translation.get_language()
        for row in source:
            with translation.override(language):
                values = [column.export_value(row) for column in columns]
            yield values


def rollup_count(name: str, row: Row) -> int:
    """The figure `name` of FIGURES (not an events figure) as the rollup counts it."""
    counts = {
        "created": row.created,
        "solved": row.solved,
        "closed": row.closed,
        "backlog": row.backlog,
        "cancelled": row.cancelled,
        "first_responses": row.first_response.wall.count,
        "first_responses_met": row.first_response.met,
        "first_responses_breached": row.first_response.breached,
        "resolved": row.resolved,
        "resolved_met": row.resolution.met,
        "resolved_breached": row.resolution.breached,
        "first_contact": row.first_contact,
        "resolved_escalated": row.resolved_escalated,
        "resolved_reopened": row.resolved_reopened,
        "false_incidents": row.false_incidents,
        "surveys_sent": row.satisfaction.sent,
        "surveys_answered": row.satisfaction.answered,
        "survey_solved": row.satisfaction.solved,
        **{f"cancelled_{reason}": n for reason, n in row.cancellations.items()},
        **{f"rating_{rating}": n for rating, n in row.satisfaction.distribution.items()},
    }
    return counts[name]


def ticket_list(query: ReportQuery, figure: str, value: str | None) -> TicketList:
    """The list a query string asks for, or DrillError."""
    if figure not in FIGURES:
        raise DrillError(_("La cifra «%(figure)s» no existe.") % {"figure": (figure or "")[:40]})
    if value is not None and not query.own and query.dimension == Dimension.ALL:
        raise DrillError(_("Un valor («valor») necesita un desglose («por»)."))
    return TicketList(FIGURES[figure], query, value)
