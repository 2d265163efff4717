"""The benchmarks' synthetic desk (`manage.py generate_dataset --tickets 1000000`): a
large dataset to measure the agents' workspace and the SLA sweep at realistic sizes
(benchmarks/README.md).

What it makes, for N tickets:
- the demo's catalog (specialties and modules, demo/content.py), several organizations
  with a policy in force and one without any, hundreds of contacts (a few unauthorized),
  ~30 agents with profiles (levels N1–N3, specialties) in the Agente group and two
  coordinators;
- N tickets spread over years of created_at (more in recent years, business hours,
  weekdays), exactly 10 % not final (open, in progress, pending user/vendor, solved: the
  recent ones mostly) and the rest closed or cancelled; priorities weighted like a real
  desk (few critical, many low and medium); texts, solutions and vendors from the demo's
  stories; references as Ticket.build_reference makes them;
- 1–6 messages per ticket (public replies, internal notes, requester messages) and the
  history rows (TicketChange) the services would have written for the ticket's state;
- the requester's loop, as surveys.records and surveys.answers would have written it: a
  SolutionConfirmation for each solution delivered, due after the plan's business days (a
  reopened ticket's first one rejected with the requester's reason; a solved ticket's
  pending; a closed ticket's accepted through its link, closed by the desk when the
  assignee closed for a requester who thanked by message, or expired when the beat job
  closed it after the window), with its ConfirmationChange row once settled; and each
  closed ticket's Survey (sent as it closed, open for SurveySettings' days), about 35 %
  answered (mostly 4–5 stars, lower after a reopening; a short comment for some).

One Python planner decides every row (seeded: the same tickets on every run, dated back
from the day it runs). PostgreSQL receives them by COPY in one transaction, written by a
second thread while the next chunk is planned (1M tickets, ~3M messages, ~6M history
rows and ~2.8M rows of confirmations and surveys in about 6 minutes on 2 cores); other
databases by executemany (small N only).
Tables and columns come from the models' _meta, so columns added by later migrations
(nullable or with a default) are filled with their defaults. It ends with ANALYZE
(VACUUM ANALYZE on PostgreSQL, which also sets the visibility map).

A test tool, never for production data: the tickets' state is written directly, bypassing
the state machine (FSMField protected=True) and the services; it refuses to run unless
DEBUG=1 or --yes, and refuses a database that already has tickets unless --append.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
import time
import unicodedata
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone, translation

from accounts.models import AGENT_GROUP, COORDINATOR_GROUP, AgentProfile, SupportLevel, User
from customers.models import Contact, Organization, SupportPolicy
from demo.content import (
    CUSTOMERS,
    ESCALATE_N2,
    ESCALATE_N3,
    FIRST_REPLIES,
    FOLLOW_UPS,
    GENERIC_QUESTION,
    MONITORING_TEMPLATES,
    NEW_PEOPLE,
    OPEN_NOTES,
    OTHER_CANCEL_NOTES,
    PROGRESS_REPLIES,
    REOPEN_MESSAGES,
    SECOND_SOLUTION,
    SPECIALTIES,
    TEMPLATES,
    THANKS,
    VENDOR_BACK_NOTES,
    WITHDRAW_MESSAGES,
    WORK_NOTES,
    load_catalog,
)
from sla.services import business_calendar_of, sla_plan_for
from surveys.models import ConfirmationChange, SolutionConfirmation, Survey, SurveyAnswer, SurveySettings
from surveys.records import business_days_after
from tickets.models import (
    DEFAULT_PRIORITY_MATRIX,
    Impact,
    Message,
    Priority,
    PriorityRule,
    Ticket,
    TicketChange,
    Urgency,
)
from tickets.services import ticket_admission

SEED = 20250401
CHUNK = 25_000  # tickets planned and written at a time
STAFF_PREFIX = "bench."  # usernames of the dataset's staff: bench.agente01, bench.coordinador1

State = Ticket.State
Reason = Ticket.CancelReason
Outcome = SolutionConfirmation.Outcome
# How the summary names each outcome.
CONFIRMATION_OUTCOMES = {
    Outcome.PENDING: "pendientes",
    Outcome.ACCEPTED: "aceptadas",
    Outcome.REJECTED: "rechazadas",
    Outcome.EXPIRED: "vencidas",
    Outcome.CLOSED_BY_DESK: "cerradas por la mesa",
    Outcome.SUPERSEDED: "sin efecto",
}

# Exactly this share of the tickets is not final; the rest is closed or cancelled.
NOT_FINAL_SHARE = 0.10
NOT_FINAL_WEIGHTS = {
    State.OPEN: 20,
    State.IN_PROGRESS: 35,
    State.PENDING_USER: 15,
    State.PENDING_VENDOR: 10,
    State.SOLVED: 20,
}
CANCELLED_SHARE_OF_FINAL = 0.09
CANCEL_REASON_WEIGHTS = {
    Reason.DUPLICATE: 30,
    Reason.UNAUTHORIZED_CONTACT: 14,
    Reason.NO_POLICY: 8,
    Reason.WITHDRAWN: 36,
    Reason.OTHER: 12,
}
# The priority a story is picked for (urgency and impact then come from the story, so
# unassessed impact and the requester's own urgency move a few tickets between classes).
PRIORITY_WEIGHTS = {1: 34, 2: 36, 3: 19, 4: 8, 5: 3}
CHANNEL_WEIGHTS = {Ticket.Channel.WEB: 47, Ticket.Channel.EMAIL: 37, Ticket.Channel.PHONE: 16}
MONITORING_SHARE = 0.03
LEVEL_WEIGHTS = {SupportLevel.N1: 76, SupportLevel.N2: 18, SupportLevel.N3: 6}
IMPACT_ASSESSED = {"worked": 0.6, "open": 0.15}
REOPENED_SHARE = 0.05
AUTO_CLOSED_SHARE = 0.45
# Mean first response and mean resolution work (hours) by priority.
RESPONSE_HOURS = {5: 0.3, 4: 1, 3: 3, 2: 6, 1: 8}
RESOLUTION_HOURS = {5: 3, 4: 10, 3: 30, 2: 60, 1: 90}
CONFIRMATION_WINDOW = 3 * 86400  # a solved ticket closes by itself after about 3 days
AUTO_CLOSE_NOTE = "Cerrado automáticamente: el solicitante no respondió a tiempo."  # as ticket_close writes it
WITHDRAWN_NOTE = "El solicitante retiró el reporte."
DUPLICATE_NOTE = "Duplicado de {reference}: se da seguimiento en el ticket original."
DUPLICATE_PREFIXES = ["Lo reporto de nuevo porque es urgente. ", "En nuestra área tenemos el mismo problema. "]
INTAKE_NOTES = [
    "Se informó al solicitante el motivo; su organización tramitará el alta del contacto.",
    "El solicitante llamó para preguntar por su reporte; se le explicó el motivo de la cancelación.",
    "Se avisó al ejecutivo de cuenta para ofrecer la renovación de la póliza.",
]
# The requester's loop (surveys): each solution's confirmation and the survey of a closed ticket.
BEAT_INTERVAL = 300  # how often surveys-close-unconfirmed runs (CELERY_BEAT_SCHEDULE)
DESK_CLOSE_SHARE = 0.5  # of the requesters who thank by message, the agent closes for them
ANSWER_SHARE = {Outcome.ACCEPTED: 0.49, Outcome.CLOSED_BY_DESK: 0.49, Outcome.EXPIRED: 0.19}  # ~35 % overall
ANSWER_HOURS = 10  # mean delay of a survey's answer
RATING_WEIGHTS = {5: 52, 4: 29, 3: 10, 2: 5, 1: 4}
RATING_WEIGHTS_REOPENED = {5: 24, 4: 30, 3: 22, 2: 13, 1: 11}  # its first solution did not work
SOLVED_SHARE = {5: 0.97, 4: 0.93, 3: 0.7, 2: 0.35, 1: 0.15}  # answers "se resolvió", by rating
COMMENT_SHARE = {5: 0.25, 4: 0.2, 3: 0.35, 2: 0.6, 1: 0.7}
GOOD_COMMENTS = ["Muy rápida la atención, gracias.", "El técnico fue muy amable y explicó todo con claridad.",
                 "Excelente servicio, como siempre.", "Lo resolvieron el mismo día, muchas gracias.",
                 "Buena atención; nos avisaron en cada paso."]
FAIR_COMMENTS = ["Se resolvió, pero tardaron en contestar el primer correo.",
                 "Bien, aunque tuvimos que insistir por teléfono.",
                 "Funciona, pero nos gustaría saber qué lo provocó."]
BAD_COMMENTS = ["Tardaron demasiado y la tienda estuvo detenida.", "Tuvimos que reportarlo dos veces.",
                "Nadie nos avisó del avance; preguntamos varias veces.",
                "El problema volvió al día siguiente."]
SURVEY_COMMENTS = {5: GOOD_COMMENTS, 4: GOOD_COMMENTS, 3: FAIR_COMMENTS, 2: BAD_COMMENTS, 1: BAD_COMMENTS}
CLASSIFY_NOTE = "Evaluación del agente."
OPEN_CLASSIFY_NOTE = "Evaluación inicial del coordinador."

ORG_PREFIXES = ["Comercializadora", "Grupo", "Distribuidora", "Servicios Integrales", "Industrias", "Transportes",
                "Farmacias", "Constructora", "Alimentos", "Agroindustrias"]
ORG_CORES = ["del Bajío", "Tapatío", "Regiomontano", "del Pacífico", "Peninsular", "Huasteco", "del Golfo",
             "Poblano", "Queretano", "del Sureste", "Norteño", "Mexiquense"]
PLACES = ["León Centro", "Irapuato", "Celaya", "Querétaro", "Aguascalientes", "San Luis Potosí", "Zapopan",
          "Tlaquepaque", "Monterrey Centro", "Apodaca", "Guadalupe", "Mérida", "Cancún", "Veracruz", "Xalapa",
          "Puebla Angelópolis", "Toluca", "Morelia", "Culiacán", "Hermosillo", "Saltillo", "Torreón",
          "Chihuahua", "Oaxaca", "Tuxtla Gutiérrez", "Villahermosa", "Pachuca", "Tepic", "Colima", "Zacatecas"]
FIRST_NAMES = ["Alejandra", "Roberto", "Patricia", "Héctor", "Claudia", "Ernesto", "Gabriela", "Javier", "Adriana",
               "Luis", "Brenda", "Iván", "Karla", "Omar", "María José", "Juan Carlos", "Guadalupe", "Fernando",
               "Mónica", "Arturo", "Daniela", "Ricardo", "Sofía", "Diego", "Lucía", "Jorge", "Verónica", "Raúl",
               "Itzel", "Miguel Ángel", "Paola", "Eduardo", "Rocío", "Sergio", "Alma", "Francisco", "Leticia",
               "Óscar", "Norma", "Andrés"]
SURNAMES = ["Méndez", "Aguilar", "Lozano", "Jiménez", "Romero", "Vargas", "Orozco", "Íñiguez", "Garza", "Cantú",
            "Saldaña", "Castillo", "Domínguez", "Velázquez", "Hernández", "Martínez", "Ríos", "Villaseñor",
            "Navarro", "Torres", "Ibarra", "Esparza", "Quiroz", "Treviño", "Elizondo", "Leal", "Reyes", "Ponce",
            "Rosas", "Paredes", "Ortiz", "Galván", "Bermúdez", "Estrada", "Zamora", "Cisneros", "Salazar",
            "Guerrero", "Medina", "Cervantes"]
JOB_TITLES = ["Gerente de Administración", "Contador general", "Jefa de Recursos Humanos", "Encargado de sistemas",
              "Gerente de tienda", "Supervisor de tiendas", "Auxiliar contable", "Coordinadora de compras",
              "Ejecutivo de ventas", "Jefe de almacén", "Tesorera", "Asistente de Dirección"]


class Person(NamedTuple):
    id: int
    first_name: str
    display: str  # str(user), as history rows show it


class Requester(NamedTuple):
    id: int
    organization_id: int | None
    first_name: str
    places: tuple
    domain: str


class Story(NamedTuple):
    module: str
    template: dict
    priority: int  # by the desk's matrix, with the story's urgency and impact
    monitoring: bool


@dataclass
class Cast:
    """The reference data the tickets point at (ids and what their texts need)."""

    modules: dict  # module name → id
    specialty_of: dict  # module name → specialty id
    coordinators: list
    agents: dict  # level → [Person]
    agents_for: dict  # (level, specialty id) → [Person]
    served: list  # authorized contacts of organizations with a policy in force
    colleagues: dict  # organization id → its authorized contacts
    unauthorized: list
    without_policy: list
    monitors: list
    explanation: dict  # contact id → why intake cancels their reports
    matrix: dict  # (urgency, impact) → priority
    windows: dict  # organization id (None: none) → (business days, BusinessCalendar) to confirm a solution
    survey_days: int  # how long a survey stays open (SurveySettings)
    counts: dict = field(default_factory=dict)


def allocate(total: int, weights: dict) -> dict:
    """`total` split by `weights` in whole numbers that add up (largest remainder)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: exact[key] - shares[key], reverse=True)
    for key in by_remainder[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _ReferenceOf:
    """Just what Ticket.build_reference reads, so references are made by the model's own rule."""

    __slots__ = ("kind", "pk")
    REFERENCE_PREFIX = Ticket.REFERENCE_PREFIX


class Writer:
    """Rows of one model, in the order of `attnames`, into its table: COPY on PostgreSQL,
    executemany elsewhere. Concrete columns the planner does not know (added by a later
    migration) get their field's default; one without a default or NULL stops the command."""

    def __init__(self, model, attnames: list[str]):
        meta = model._meta
        known = [meta.get_field(name) for name in attnames]
        rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in attnames and not f.primary_key and not getattr(f, "generated", False)
            and not f.has_db_default()
        ]
        for f in rest:
            if not f.null and not f.has_default():
                raise CommandError(
                    f"La columna {meta.db_table}.{f.column} no admite NULL ni tiene valor por omisión: "
                    "actualice generate_dataset para llenarla."
                )
        self.fields = known + rest
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        connection.ensure_connection()
        # PostgreSQL: the raw psycopg connection (thread-safe), so that a second thread can
        # COPY into this transaction while the next chunk is planned.
        self.psycopg = connection.connection if connection.vendor == "postgresql" else None

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        defaults = self.defaults
        if self.psycopg is not None:
            with self.psycopg.cursor() as cursor, cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + defaults)
            return
        fields = self.fields
        placeholders = ", ".join(["%s"] * len(fields))
        prepared = [
            tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row + defaults, strict=True))
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})", prepared)


def _instant(stamp: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(stamp, datetime.UTC)


@dataclass(slots=True)
class Rows:
    """The rows of one chunk, by table, each in its Writer's column order (*_FIELDS)."""

    tickets: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    confirmations: list = field(default_factory=list)
    confirmation_changes: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    answers: list = field(default_factory=list)


@dataclass(slots=True)
class Draft:
    """One ticket while the planner decides it (times as timestamps): what its steps have
    decided so far, and the rows it adds to the chunk's messages and history."""

    id: int
    created: float
    state: str
    avail: float  # room between creation and a minute ago (at least two minutes)
    messages: list
    changes: list
    reason: str = ""  # why a cancelled ticket was cancelled
    original: dict | None = None  # the earlier ticket a duplicate repeats
    monitoring: bool = False  # whether the monitoring tool reports it
    requester: Requester | None = None
    intake_cancel: bool = False
    story: Story | None = None
    context: dict | None = None  # the values of the story's placeholders
    subject: str = ""
    description: str = ""
    urgency: int = 0
    kind: str = ""
    channel: str = ""
    specialty: int = 0
    module_id: int | None = None
    occurred_at: float | None = None
    worked: bool = False  # whether an agent took it
    level: int = SupportLevel.N1
    impact: int = Impact.UNASSESSED
    first_priority: int = 0  # before the impact is assessed
    priority: int = 0
    reopened: bool = False
    vendor_hop: bool = False  # waited for a vendor on its way to the solution
    solved_first: float | None = None  # a reopened ticket's first solution, which the requester rejected
    reopened_at: float = 0.0
    reopen_message: str = ""  # the requester's reason, their message and the rejection's comment
    solved: float | None = None  # the solution it has now (solved_at)
    closing: str = ""  # how the last confirmation ended when the ticket closed (an Outcome)
    reference: str = ""
    coordinator: Person | None = None
    last: float = 0.0  # updated_at
    n_messages: int = 0
    columns: dict = field(default_factory=lambda: {
        "solution": "", "resolution_code": "", "cancel_reason": "", "cancel_note": "", "duplicate_of_id": None,
        "vendor_name": "", "vendor_reference": "", "assignee_id": None, "first_response_at": None,
        "solved_at": None, "closed_at": None, "cancelled_at": None,
    })  # fmt: skip

    def message(self, kind, author: Person | None, body: str, at: float) -> None:
        self.n_messages += 1
        self.messages.append((self.id, str(kind), author.id if author else None, body, _instant(at)))

    def change(
        self, at: float, actor: Person | None, field_, old, new, old_display, new_display, note="", gatekeeping=False
    ) -> None:
        self.changes.append((self.id, _instant(at), actor.id if actor else None, str(field_), str(old), str(new),
                             old_display, new_display, note, gatekeeping))  # fmt: skip

    def row(self) -> tuple:
        """The ticket's row, in the order of TICKET_FIELDS."""
        columns, level = self.columns, int(self.level)
        return (
            self.id, self.reference, str(self.kind), str(self.channel), self.requester.id,
            self.requester.organization_id, self.module_id, self.subject, self.description,
            _instant(self.occurred_at) if self.occurred_at else None, int(self.urgency), int(self.impact),
            int(self.priority), str(self.state), columns["assignee_id"], level, columns["solution"],
            str(columns["resolution_code"]), str(columns["cancel_reason"]), columns["cancel_note"],
            columns["duplicate_of_id"], columns["vendor_name"], columns["vendor_reference"], int(self.reopened),
            level - 1, _instant(self.created), _instant(self.last), columns["first_response_at"],
            columns["solved_at"], columns["closed_at"], columns["cancelled_at"],
        )  # fmt: skip


@dataclass(slots=True)
class Work:
    """The agents' work on one ticket (timestamps): who, and when each step happens."""

    assignee: Person  # who has it at the end
    first_agent: Person  # the N1 agent who took it
    middle_agent: Person | None  # the N2 agent between, for a ticket that ends at N3
    first_response: float
    gap: float  # from the first response to `end`
    end: float  # the work's last step (the solution, the wait, the cancellation); then the closing
    escalated_at: float | None
    escalated_again_at: float | None
    closed_at: float | None
    auto_close: bool
    confirm: float  # from the solution to the closing

    def agent_at(self, at: float) -> Person:
        if self.escalated_at is None or at < self.escalated_at:
            return self.first_agent
        if self.escalated_again_at is None or at < self.escalated_again_at:
            return self.middle_agent or self.assignee
        return self.assignee


TICKET_FIELDS = [
    "id", "reference", "kind", "channel", "requester_id", "organization_id", "module_id", "subject", "description",
    "occurred_at", "urgency", "impact", "priority", "state", "assignee_id", "level", "solution", "resolution_code",
    "cancel_reason", "cancel_note", "duplicate_of_id", "vendor_name", "vendor_reference", "reopen_count",
    "escalation_count", "created_at", "updated_at", "first_response_at", "solved_at", "closed_at", "cancelled_at",
]  # fmt: skip
MESSAGE_FIELDS = ["ticket_id", "kind", "author_id", "body", "created_at"]
CONFIRMATION_FIELDS = ["id", "ticket_id", "solved_at", "business_days", "due_at", "outcome", "answered_at", "comment"]
CONFIRMATION_CHANGE_FIELDS = ["confirmation_id", "at", "actor_id", "old_outcome", "new_outcome", "note"]
SURVEY_FIELDS = ["id", "ticket_id", "sent_at", "expires_at", "closed_automatically"]
ANSWER_FIELDS = ["survey_id", "ticket_id", "rating", "solved", "comment", "answered_at"]
CHANGE_FIELDS = [
    "ticket_id", "at", "actor_id", "field", "old_value", "new_value", "old_display", "new_display", "note",
    "gatekeeping",
]  # fmt: skip


class Planner:
    """Decides every row of N tickets: first when each was created and in which state it
    is (exact shares), then, ticket by ticket, its story, messages and history."""

    def __init__(self, cast: Cast, rng: random.Random, *, now: float, years: float, not_final_share: float):
        self.cast, self.rng, self.now = cast, rng, now
        self.years, self.not_final_share = years, not_final_share
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.recent = deque(maxlen=300)  # tickets a duplicate may repeat
        self.stories = self._stories()
        self.made = Counter()
        with translation.override(settings.LANGUAGE_CODE):
            self.state_label = {value: str(label) for value, label in State.choices}
            self.channel_label = {value: str(label) for value, label in Ticket.Channel.choices}
            self.impact_label = {value: str(label) for value, label in Impact.choices}
            self.level_label = {value: str(label) for value, label in SupportLevel.choices}
            self.priority_display = {value: f"{value} · {label}" for value, label in Priority.choices}
            self.code_label = {value: str(label) for value, label in Ticket.ResolutionCode.choices}
            self.reason_label = {value: str(label) for value, label in Reason.choices}
        self.reasons, self.reason_cumulative = self._cumulative(CANCEL_REASON_WEIGHTS)
        self.channels, self.channel_cumulative = self._cumulative(CHANNEL_WEIGHTS)
        self.levels, self.level_cumulative = self._cumulative(LEVEL_WEIGHTS)
        self.priorities, self.priority_cumulative = self._cumulative(PRIORITY_WEIGHTS)
        self.ratings = {reopened: self._cumulative(RATING_WEIGHTS_REOPENED if reopened else RATING_WEIGHTS)
                        for reopened in (False, True)}  # fmt: skip
        # The last id written of the tables whose rows others point at (set by the generator).
        self.last_id = {"confirmation": 0, "survey": 0}
        self.window = ((None, None), None)  # the last confirmation window computed

    @staticmethod
    def _cumulative(weights: dict):
        keys = list(weights)
        return keys, list(itertools.accumulate(weights[key] for key in keys))

    def _weighted(self, keys, cumulative):
        return keys[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]

    def _stories(self) -> dict:
        """The demo's stories grouped by (monitoring, priority)."""
        groups, vendor = {}, []
        for monitoring, templates in ((False, TEMPLATES), (True, MONITORING_TEMPLATES)):
            for module, stories in templates.items():
                for template in stories:
                    story = Story(module, template, self.cast.matrix[(template["u"], template["i"])], monitoring)
                    groups.setdefault((monitoring, story.priority), []).append(story)
                    if "v" in template and not monitoring:
                        vendor.append(story)
        groups["vendor"] = vendor
        return groups

    def _story(self, priority: int, monitoring: bool, vendor: bool) -> Story:
        if vendor:
            return self.rng.choice(self.stories["vendor"])
        for distance in range(5):  # the nearest priority that has stories
            for candidate in (priority - distance, priority + distance):
                stories = self.stories.get((monitoring, candidate))
                if stories:
                    return self.rng.choice(stories)
        raise CommandError("No hay historias para generar tickets.")

    # Phase 1: when each ticket was created, and its state -----------------------------------

    def timeline(self, n: int) -> tuple[list[float], list[str]]:
        """N creation times (sorted, as timestamps) over the last `years`: more recent years
        busier, weekdays and business hours mostly; and each ticket's state, exactly
        `not_final_share` not final, picked so that recent tickets are the unfinished ones:
        the smallest age × √Exp(1) (at 10 %, about 3/4 of them from the last 90 days and a
        few forgotten ones over a year old)."""
        rng, now = self.rng, self.now
        today = timezone.localtime(datetime.datetime.fromtimestamp(now, datetime.UTC), self.tz).date()
        span = max(1, round(self.years * 365))
        first = today - datetime.timedelta(days=span)
        midnights = [
            datetime.datetime.combine(first + datetime.timedelta(days=d), datetime.time(0), self.tz).timestamp()
            for d in range(span + 2)
        ]
        weekdays = [(first + datetime.timedelta(days=d)).weekday() for d in range(span + 2)]
        created = []
        for _ in range(n):
            day = int(span * rng.random() ** 0.8)  # density grows towards today
            if weekdays[day] >= 5 and rng.random() < 0.85:
                day += -1 if weekdays[day] == 5 else 1  # a weekend report waits for Friday or Monday
            # Most in business hours, the rest at any time of day.
            seconds = 9 * 3600 + rng.random() * 9 * 3600 if rng.random() < 0.88 else rng.random() * 86400
            stamp = midnights[day] + seconds
            while stamp > now - 120:
                stamp -= 7 * 86400  # today's later hours: the same hour a week before
            created.append(stamp)
        created.sort()

        keys = [(now - stamp) * math.sqrt(rng.expovariate(1.0)) for stamp in created]
        order = sorted(range(n), key=keys.__getitem__)
        not_final = allocate(round(n * self.not_final_share), NOT_FINAL_WEIGHTS)
        states = [State.CLOSED] * n
        unfinished = order[: sum(not_final.values())]
        # The freshest of them nobody has taken yet; the others anywhere in the backlog.
        for index in unfinished[: not_final[State.OPEN]]:
            states[index] = State.OPEN
        working = unfinished[not_final[State.OPEN] :]
        rng.shuffle(working)
        position = 0
        for state in (State.IN_PROGRESS, State.PENDING_USER, State.PENDING_VENDOR, State.SOLVED):
            for index in working[position : position + not_final[state]]:
                states[index] = state
            position += not_final[state]
        finished = order[len(unfinished) :]
        for index in rng.sample(finished, round(len(finished) * CANCELLED_SHARE_OF_FINAL)):
            states[index] = State.CANCELLED
        return created, states

    # Phase 2: one ticket's story ---------------------------------------------------------------

    def agent_for(self, level: int, specialty: int) -> Person:
        return self.rng.choice(self.cast.agents_for.get((level, specialty)) or self.cast.agents[level])

    def plan(self, ticket_id: int, created: float, state: str, rows: Rows) -> None:
        """One ticket's row and the rows that hang from it (messages, history, the
        requester's confirmations and survey), added to `rows`.

        The steps draw from one random generator in a fixed order: a step that draws
        more, or earlier, changes every later ticket (the same seed must give the same
        dataset)."""
        draft = Draft(ticket_id, created, state, avail=max(self.now - 60 - created, 120.0), messages=rows.messages,
                      changes=rows.changes)  # fmt: skip
        self._decide_cancel_reason(draft)
        self._choose_requester(draft)
        self._write_report(draft)
        self._route(draft)
        self._assess(draft)
        self._record_creation(draft)
        if draft.worked:
            work = self._schedule_work(draft)
            self._take(draft, work)
            self._classify(draft, work)
            self._escalate(draft, work)
            self._wait_for_vendor(draft, work)
            self._solve_and_reopen(draft, work)
            self._converse(draft, work)
            self._finish_work(draft, work)
            self._close(draft, work)
            self._confirm_and_survey(draft, work, rows)
            draft.columns["assignee_id"] = work.assignee.id
            draft.last = work.end
        elif state == State.OPEN:
            self._wait_open(draft)
        elif draft.intake_cancel:
            self._cancel_at_intake(draft)
        else:
            self._cancel_before_work(draft)
        self._remember_for_duplicates(draft)
        self.made[state] += 1
        self.made[f"priority:{draft.priority}"] += 1
        rows.tickets.append(draft.row())

    # Who reports what ------------------------------------------------------------------

    def _decide_cancel_reason(self, draft: Draft) -> None:
        """A cancelled ticket's reason; a duplicate picks the recent ticket it repeats."""
        if draft.state != State.CANCELLED:
            return
        draft.reason = self._weighted(self.reasons, self.reason_cumulative)
        if draft.reason == Reason.DUPLICATE:
            if self.recent:
                draft.original = self.rng.choice(self.recent)
            else:
                draft.reason = Reason.WITHDRAWN  # nothing earlier to repeat yet

    def _choose_requester(self, draft: Draft) -> None:
        """Who reports it: someone the desk serves, or, for a cancellation at intake,
        someone it does not; the monitoring tool for a few alerts."""
        rng, r, cast, state, reason = self.rng, self.rng.random, self.cast, draft.state, draft.reason
        # The monitoring tool asks nobody and waits for nobody: only open, worked or finished alerts.
        draft.monitoring = (
            state not in (State.PENDING_USER, State.PENDING_VENDOR, State.CANCELLED)
            and r() < MONITORING_SHARE
            and bool(cast.monitors)
        )
        if reason == Reason.UNAUTHORIZED_CONTACT and cast.unauthorized:
            requester = rng.choice(cast.unauthorized)
        elif reason == Reason.NO_POLICY and cast.without_policy:
            requester = rng.choice(cast.without_policy)
        elif draft.original is not None:
            colleagues = cast.colleagues.get(draft.original["organization_id"])
            requester = draft.original["requester"] if r() < 0.3 or not colleagues else rng.choice(colleagues)
        elif draft.monitoring:
            requester = rng.choice(cast.monitors)
        else:
            requester = cast.served[int(len(cast.served) * r() ** 1.7)]  # some people report a lot
        draft.requester = requester
        draft.intake_cancel = state == State.CANCELLED and requester.id in cast.explanation
        if state == State.CANCELLED and reason in (Reason.UNAUTHORIZED_CONTACT, Reason.NO_POLICY) and (
            not draft.intake_cancel
        ):
            draft.reason = Reason.WITHDRAWN  # the desk has no such contact: a withdrawn report instead

    def _write_report(self, draft: Draft) -> None:
        """The story, and the subject and description the requester writes (a duplicate's
        repeat its original's)."""
        rng, r, original = self.rng, self.rng.random, draft.original
        if original is not None:
            draft.story, draft.context = original["story"], original["context"]
            draft.subject = original["subject"]
            draft.description = rng.choice(DUPLICATE_PREFIXES) + original["description"]
            draft.urgency = original["urgency"]
            return
        priority_wanted = self._weighted(self.priorities, self.priority_cumulative)
        story = self._story(priority_wanted, draft.monitoring, vendor=draft.state == State.PENDING_VENDOR)
        requester = draft.requester
        context = {
            "lugar": rng.choice(requester.places),
            "caja": int(r() * 6) + 1,
            "hora": f"{8 + int(r() * 5)}:{rng.choice(['00', '15', '20', '30', '45'])}",
            "folio": f"A-{10000 + int(r() * 90000)}",
            "cliente": rng.choice(CUSTOMERS),
            "nuevo": rng.choice(NEW_PEOPLE),
            "dominio": requester.domain,
            "nombre": requester.first_name,
        }
        draft.story, draft.context = story, context
        draft.subject = story.template["s"].format_map(context)
        draft.description = story.template["d"].format_map(context)
        urgency = story.template["u"]
        if not story.monitoring and r() < 0.2:
            urgency = min(Urgency.HIGH, max(Urgency.LOW, urgency + rng.choice((-1, 1))))
        draft.urgency = urgency

    def _route(self, draft: Draft) -> None:
        """Kind, channel and module of the report, and when the incident occurred."""
        r, story = self.rng.random, draft.story
        draft.kind = Ticket.Kind.REQUEST if story.template.get("request") else Ticket.Kind.INCIDENT
        if story.monitoring:
            draft.channel = Ticket.Channel.MONITORING
        else:
            draft.channel = self._weighted(self.channels, self.channel_cumulative)
        draft.specialty = self.cast.specialty_of[story.module]
        draft.module_id = self.cast.modules[story.module]
        if draft.state == State.OPEN and draft.channel == Ticket.Channel.WEB and r() < 0.08:
            draft.module_id = None  # "no sé": the agent will classify it
        draft.occurred_at = draft.created - 300 - r() * 10_500 if draft.kind == Ticket.Kind.INCIDENT else None

    def _assess(self, draft: Draft) -> None:
        """Whether agents worked on it, at which level it ends, its impact and priority,
        and whether it was reopened or waited for a vendor on the way."""
        r, state, reason, kind = self.rng.random, draft.state, draft.reason, draft.kind
        worked = state in (State.IN_PROGRESS, State.PENDING_USER, State.PENDING_VENDOR, State.SOLVED, State.CLOSED) or (
            state == State.CANCELLED and reason in (Reason.WITHDRAWN, Reason.OTHER) and r() < 0.4
        )
        level = SupportLevel.N1
        if worked:
            level = (SupportLevel.N1 if r() < 0.95 else SupportLevel.N2) if kind == Ticket.Kind.REQUEST else (
                self._weighted(self.levels, self.level_cumulative)
            )
        impact = Impact.UNASSESSED
        if (worked and r() < IMPACT_ASSESSED["worked"]) or (state == State.OPEN and r() < IMPACT_ASSESSED["open"]):
            impact = draft.story.template["i"]
        draft.worked, draft.level, draft.impact = worked, level, impact
        draft.first_priority = self.cast.matrix[(draft.urgency, Impact.MEDIUM)]
        draft.priority = self.cast.matrix[(draft.urgency, impact or Impact.MEDIUM)]
        reopened = worked and state in (State.IN_PROGRESS, State.SOLVED, State.CLOSED) and (
            kind == Ticket.Kind.INCIDENT and not draft.story.monitoring and r() < REOPENED_SHARE
        )
        draft.vendor_hop = state in (State.SOLVED, State.CLOSED) and "v" in draft.story.template
        draft.reopened = reopened and not draft.vendor_hop  # at most six messages

    def _record_creation(self, draft: Draft) -> None:
        """The reference, the history's first row, and the coordinator who handles it."""
        rng = self.rng
        reference = _ReferenceOf()
        reference.kind, reference.pk = draft.kind, draft.id
        draft.reference = Ticket.build_reference(reference)
        registered_by = rng.choice(self.cast.agents[SupportLevel.N1]) if draft.channel == Ticket.Channel.PHONE else None
        draft.change(draft.created, registered_by, TicketChange.Field.CREATED, "", State.OPEN, "—",
                     self.state_label[State.OPEN], self.channel_label[draft.channel])  # fmt: skip
        draft.last = draft.created
        draft.coordinator = rng.choice(self.cast.coordinators)

    # The agents' work --------------------------------------------------------------------

    def _schedule_work(self, draft: Draft) -> Work:
        """Who works on it and when: first response, escalations, the end of the work and
        the closing, fitted between creation and now."""
        rng, r, now, created, avail = self.rng, self.rng.random, self.now, draft.created, draft.avail
        state, level, priority = draft.state, draft.level, draft.priority
        assignee = self.agent_for(level, draft.specialty)
        first_agent = self.agent_for(SupportLevel.N1, draft.specialty) if level > SupportLevel.N1 else assignee
        middle_agent = self.agent_for(SupportLevel.N2, draft.specialty) if level == SupportLevel.N3 else None
        response = RESPONSE_HOURS[priority] * 3600 * rng.expovariate(1.0)
        closed_at, auto_close, confirm = None, False, 0.0
        if state in (State.CLOSED, State.CANCELLED):
            work = 600 + RESOLUTION_HOURS[priority] * 3600 * rng.expovariate(1.0) * (2 if draft.vendor_hop else 1)
            auto_close = r() < AUTO_CLOSED_SHARE
            if state == State.CLOSED:
                confirm = CONFIRMATION_WINDOW + r() * 7200 if auto_close else 1800 + r() * 100_000
            else:
                work *= 0.5
            total = response + work + confirm
            if total > avail:  # a recent ticket: the same story, faster
                response, work, confirm = (part * avail / total for part in (response, work, confirm))
            end = created + response + work
            if state == State.CLOSED:
                closed_at, auto_close = self._closing_time(draft, end, end + confirm, auto_close)
                confirm = closed_at - end
        elif state == State.SOLVED:
            end = now - 60 - r() * min(CONFIRMATION_WINDOW, avail * 0.9)  # still in the confirmation window
            response = min(response, (end - created) * 0.3)
        else:
            end = created + avail * (0.2 + 0.78 * r())  # the last thing that happened
            response = min(response, (end - created) * 0.3)
        first_response = created + response
        gap = end - first_response
        escalated_at = first_response + gap * (0.1 + 0.1 * r()) if level >= SupportLevel.N2 else None
        escalated_again_at = first_response + gap * (0.25 + 0.1 * r()) if level == SupportLevel.N3 else None
        return Work(assignee, first_agent, middle_agent, first_response, gap, end, escalated_at, escalated_again_at,
                    closed_at, auto_close, confirm)  # fmt: skip

    def _window(self, draft: Draft, solved: float) -> tuple[int, float]:
        """(business days, due instant) of a solution delivered at `solved`, as
        surveys.records.confirmation_window computes them (the plan of the organization)."""
        key = (draft.requester.organization_id, solved)
        if key != self.window[0]:  # a closed ticket's last solution is asked for twice in a row
            days, calendar = self.cast.windows.get(key[0]) or self.cast.windows[None]
            self.window = (key, (days, business_days_after(_instant(solved), days, calendar).timestamp()))
        return self.window[1]

    def _closing_time(self, draft: Draft, solved: float, closed_at: float, auto_close: bool) -> tuple[float, bool]:
        """When a solved ticket closed, and whether automatically: the beat job's first run
        after the confirmation window ended (if that has come: else the requester accepted
        meanwhile), or the requester's or agent's close, which comes before it."""
        _days, due = self._window(draft, solved)
        if auto_close:
            automatic = due + self.rng.random() * BEAT_INTERVAL
            if automatic <= self.now - 60:
                return automatic, True
        return min(closed_at, due - 60), False

    def _take(self, draft: Draft, work: Work) -> None:
        """Taken by the agent or assigned by a coordinator: the first response."""
        rng, at, agent = self.rng, work.first_response, work.first_agent
        actor = agent if rng.random() < 0.7 else draft.coordinator
        draft.change(at, actor, TicketChange.Field.STATE, State.OPEN, State.IN_PROGRESS,
                     self.state_label[State.OPEN], self.state_label[State.IN_PROGRESS])  # fmt: skip
        draft.change(at, actor, TicketChange.Field.ASSIGNEE, "", str(agent.id), "—", agent.display)
        if draft.story.monitoring:
            draft.message(Message.Kind.INTERNAL_NOTE, agent, rng.choice(WORK_NOTES), at)
        else:
            body = rng.choice(FIRST_REPLIES).format_map({**draft.context, "agente": agent.first_name})
            draft.message(Message.Kind.PUBLIC_REPLY, agent, body, at)
        draft.columns["first_response_at"] = _instant(at)

    def _classify(self, draft: Draft, work: Work) -> None:
        """The first agent's assessment of the impact, which may change the priority."""
        if not draft.impact:
            return
        at, agent = work.first_response + min(600.0, work.gap * 0.05), work.first_agent
        self._impact_rows(draft, at, agent, CLASSIFY_NOTE)

    def _impact_rows(self, draft: Draft, at: float, actor: Person, note: str) -> None:
        draft.change(at, actor, TicketChange.Field.IMPACT, "0", str(draft.impact),
                     self.impact_label[Impact.UNASSESSED], self.impact_label[draft.impact], note)  # fmt: skip
        if draft.priority != draft.first_priority:
            draft.change(at, actor, TicketChange.Field.PRIORITY, str(draft.first_priority), str(draft.priority),
                         self.priority_display[draft.first_priority], self.priority_display[draft.priority],
                         note)  # fmt: skip

    def _escalate(self, draft: Draft, work: Work) -> None:
        """To N2 and on to N3, each with its reason."""
        rng, first_agent, middle_agent, assignee = self.rng, work.first_agent, work.middle_agent, work.assignee
        if work.escalated_at is not None:
            to = middle_agent or assignee
            note = rng.choice(ESCALATE_N2)
            draft.change(work.escalated_at, first_agent, TicketChange.Field.LEVEL, "1", "2", self.level_label[1],
                         self.level_label[2], note)  # fmt: skip
            draft.change(work.escalated_at, first_agent, TicketChange.Field.ASSIGNEE, str(first_agent.id),
                         str(to.id), first_agent.display, to.display, note)  # fmt: skip
        if work.escalated_again_at is not None:
            note = rng.choice(ESCALATE_N3)
            draft.change(work.escalated_again_at, middle_agent, TicketChange.Field.LEVEL, "2", "3",
                         self.level_label[2], self.level_label[3], note)  # fmt: skip
            draft.change(work.escalated_again_at, middle_agent, TicketChange.Field.ASSIGNEE, str(middle_agent.id),
                         str(assignee.id), middle_agent.display, assignee.display, note)  # fmt: skip

    def _wait_for_vendor(self, draft: Draft, work: Work) -> None:
        """A vendor's case: still waiting for it, or waited and back to work."""
        if not (draft.state == State.PENDING_VENDOR or draft.vendor_hop):
            return
        rng, r, columns = self.rng, self.rng.random, draft.columns
        vendor_name, vendor_message, prefix = draft.story.template["v"]
        columns["vendor_name"] = vendor_name
        columns["vendor_reference"] = f"{prefix}{100000 + int(r() * 900000)}"
        vendor_note = f"Proveedor: {vendor_name}, referencia {columns['vendor_reference']}"
        waited_at = work.end if draft.state == State.PENDING_VENDOR else work.first_response + work.gap * (
            0.4 + 0.05 * r()
        )
        draft.change(waited_at, work.agent_at(waited_at), TicketChange.Field.STATE, State.IN_PROGRESS,
                     State.PENDING_VENDOR, self.state_label[State.IN_PROGRESS],
                     self.state_label[State.PENDING_VENDOR], vendor_note)  # fmt: skip
        draft.message(Message.Kind.PUBLIC_REPLY, work.agent_at(waited_at), vendor_message, waited_at)
        if draft.vendor_hop:
            resumed_at = work.first_response + work.gap * (0.55 + 0.05 * r())
            draft.change(resumed_at, work.agent_at(resumed_at), TicketChange.Field.STATE, State.PENDING_VENDOR,
                         State.IN_PROGRESS, self.state_label[State.PENDING_VENDOR],
                         self.state_label[State.IN_PROGRESS])  # fmt: skip
            draft.message(Message.Kind.INTERNAL_NOTE, work.agent_at(resumed_at), rng.choice(VENDOR_BACK_NOTES),
                          resumed_at)  # fmt: skip

    def _solve_and_reopen(self, draft: Draft, work: Work) -> None:
        """The solution's text; a reopened ticket was solved once, and the requester said
        it was not (its final solution says it was looked at again)."""
        rng, r, columns, template = self.rng, self.rng.random, draft.columns, draft.story.template
        if draft.state in (State.SOLVED, State.CLOSED) or draft.reopened:
            columns["solution"] = template["sol"].format_map(draft.context)
            columns["resolution_code"] = template["code"]
        if not draft.reopened:
            return
        solved_first = work.first_response + work.gap * (0.65 + 0.05 * r())
        reopened_at = work.first_response + work.gap * (0.75 + 0.05 * r())
        _days, due = self._window(draft, solved_first)
        if reopened_at > due - 60:  # the requester rejects within the window (after it, the ticket closes)
            reopened_at = solved_first + 60 + (due - 120 - solved_first) * r()
        why = rng.choice(REOPEN_MESSAGES)
        draft.solved_first, draft.reopened_at, draft.reopen_message = solved_first, reopened_at, why
        draft.change(solved_first, work.agent_at(solved_first), TicketChange.Field.STATE, State.IN_PROGRESS,
                     State.SOLVED, self.state_label[State.IN_PROGRESS], self.state_label[State.SOLVED],
                     self.code_label[template["code"]])  # fmt: skip
        draft.message(Message.Kind.PUBLIC_REPLY, work.agent_at(solved_first), columns["solution"], solved_first)
        draft.change(reopened_at, None, TicketChange.Field.STATE, State.SOLVED, State.IN_PROGRESS,
                     self.state_label[State.SOLVED], self.state_label[State.IN_PROGRESS], why)  # fmt: skip
        draft.message(Message.Kind.FROM_REQUESTER, None, why, reopened_at)
        if draft.state != State.IN_PROGRESS:
            columns["solution"] = SECOND_SOLUTION + columns["solution"]

    def _converse(self, draft: Draft, work: Work) -> None:
        """The conversation in between: questions, notes, follow-ups (six messages at most)."""
        rng, r, template, monitoring = self.rng, self.rng.random, draft.story.template, draft.story.monitoring
        closing_messages = 1 + (draft.state == State.CLOSED)
        room = max(0, 6 - draft.n_messages - closing_messages)
        middle = min(room, int(r() * (4 if draft.state == State.IN_PROGRESS else 3)))
        notes = [template["n"]] if "n" in template else []
        for at in sorted(work.first_response + work.gap * (0.1 + 0.85 * r()) for _ in range(middle)):
            roll = r()
            if roll < 0.4 and not monitoring:
                draft.message(Message.Kind.FROM_REQUESTER, None, rng.choice(FOLLOW_UPS), at)
            elif roll < 0.75 or monitoring:
                draft.message(Message.Kind.INTERNAL_NOTE, work.agent_at(at),
                              notes.pop() if notes else rng.choice(WORK_NOTES), at)  # fmt: skip
            else:
                draft.message(Message.Kind.PUBLIC_REPLY, work.agent_at(at),
                              rng.choice(PROGRESS_REPLIES).format_map(draft.context), at)  # fmt: skip

    def _finish_work(self, draft: Draft, work: Work) -> None:
        """Where the work stands at its end: asking the requester, solved, or cancelled."""
        rng, columns, state, end, assignee = self.rng, draft.columns, draft.state, work.end, work.assignee
        if state == State.PENDING_USER:
            question = draft.story.template.get("q", GENERIC_QUESTION).format_map(draft.context)
            draft.change(end, assignee, TicketChange.Field.STATE, State.IN_PROGRESS, State.PENDING_USER,
                         self.state_label[State.IN_PROGRESS], self.state_label[State.PENDING_USER])  # fmt: skip
            draft.message(Message.Kind.PUBLIC_REPLY, assignee, question, end)
        elif state in (State.SOLVED, State.CLOSED):
            draft.change(end, assignee, TicketChange.Field.STATE, State.IN_PROGRESS, State.SOLVED,
                         self.state_label[State.IN_PROGRESS], self.state_label[State.SOLVED],
                         self.code_label[draft.story.template["code"]])  # fmt: skip
            draft.message(Message.Kind.PUBLIC_REPLY, assignee, columns["solution"], end)
            columns["solved_at"], draft.solved = _instant(end), end
        elif state == State.CANCELLED:
            if draft.reason == Reason.WITHDRAWN:
                columns["cancel_note"], actor = WITHDRAWN_NOTE, None
                draft.message(Message.Kind.FROM_REQUESTER, None, rng.choice(WITHDRAW_MESSAGES), end - 1)
            else:
                columns["cancel_note"], actor = rng.choice(OTHER_CANCEL_NOTES), draft.coordinator
                draft.message(Message.Kind.INTERNAL_NOTE, draft.coordinator, columns["cancel_note"], end - 1)
            draft.change(end, actor, TicketChange.Field.STATE, State.IN_PROGRESS, State.CANCELLED,
                         self.state_label[State.IN_PROGRESS], self.state_label[State.CANCELLED],
                         columns["cancel_note"])  # fmt: skip
            columns["cancel_reason"], columns["cancelled_at"] = draft.reason, _instant(end)

    def _close(self, draft: Draft, work: Work) -> None:
        """A closed ticket: accepted by the requester through the solution's link, closed
        by the assignee when the requester thanked by message, or closed by itself."""
        if work.closed_at is None:
            return
        rng, r, closed_at = self.rng, self.rng.random, work.closed_at
        thanked = not work.auto_close and r() < 0.6
        if thanked:
            thanked_at = closed_at - r() * min(3600, work.confirm / 2)
            draft.message(Message.Kind.FROM_REQUESTER, None, rng.choice(THANKS), thanked_at)
        if work.auto_close:
            draft.closing, actor = Outcome.EXPIRED, None
        elif thanked and r() < DESK_CLOSE_SHARE:
            draft.closing, actor = Outcome.CLOSED_BY_DESK, work.assignee  # recording the acceptance
        else:
            draft.closing, actor = Outcome.ACCEPTED, None
        draft.change(closed_at, actor, TicketChange.Field.STATE, State.SOLVED, State.CLOSED,
                     self.state_label[State.SOLVED], self.state_label[State.CLOSED],
                     AUTO_CLOSE_NOTE if work.auto_close else "")  # fmt: skip
        draft.columns["closed_at"] = _instant(closed_at)
        work.end = closed_at

    # The requester's loop: confirmations and the survey ------------------------------------

    def _confirm_and_survey(self, draft: Draft, work: Work, rows: Rows) -> None:
        """What surveys.records and surveys.answers would have written: one confirmation
        per solution delivered (a reopened ticket's first one rejected with the
        requester's reason; the last one pending while Solucionado, settled as the ticket
        closed), and a closed ticket's survey, which some requesters answer."""
        if draft.solved_first is not None:
            self._confirmation(draft, rows, draft.solved_first, Outcome.REJECTED, draft.reopened_at, None,
                               draft.reopen_message)  # fmt: skip
        if draft.state == State.SOLVED:
            self._confirmation(draft, rows, draft.solved, Outcome.PENDING)
        elif draft.state == State.CLOSED:
            actor = work.assignee if draft.closing == Outcome.CLOSED_BY_DESK else None
            self._confirmation(draft, rows, draft.solved, draft.closing, work.closed_at, actor)
            self._survey(draft, work.closed_at, rows)

    def _confirmation(self, draft: Draft, rows: Rows, solved: float, outcome: str, at: float = 0.0,
                      actor: Person | None = None, comment: str = "") -> None:  # fmt: skip
        """One round and, once settled, its history row (confirmation_change writes none
        when the round opens)."""
        days, due = self._window(draft, solved)
        self.last_id["confirmation"] += 1
        confirmation = self.last_id["confirmation"]
        answered = _instant(at) if outcome in (Outcome.ACCEPTED, Outcome.REJECTED) else None
        rows.confirmations.append(
            (confirmation, draft.id, _instant(solved), days, _instant(due), str(outcome), answered, comment)
        )
        if outcome != Outcome.PENDING:
            rows.confirmation_changes.append(
                (confirmation, _instant(at), actor.id if actor else None, str(Outcome.PENDING), str(outcome), comment)
            )
        self.made[f"confirmation:{outcome}"] += 1

    def _survey(self, draft: Draft, closed_at: float, rows: Rows) -> None:
        """The survey sent as the ticket closed and, for some, the requester's answer
        within its days: rated mostly 4–5 (lower when the first solution failed)."""
        rng, r = self.rng, self.rng.random
        expires_at = closed_at + self.cast.survey_days * 86400
        self.last_id["survey"] += 1
        survey = self.last_id["survey"]
        rows.surveys.append(
            (survey, draft.id, _instant(closed_at), _instant(expires_at), draft.closing == Outcome.EXPIRED)
        )
        self.made["surveys"] += 1
        if r() >= ANSWER_SHARE[draft.closing]:
            return
        answered_at = closed_at + 60 + rng.expovariate(1.0) * ANSWER_HOURS * 3600
        if answered_at >= min(expires_at, self.now - 60):
            return  # not answered in time, or not yet
        rating = self._weighted(*self.ratings[draft.reopened])
        # After "Sí, quedó resuelto" the answer says solved (surveys.answers.survey_answer).
        solved = r() < SOLVED_SHARE[rating] or draft.closing == Outcome.ACCEPTED
        comment = rng.choice(SURVEY_COMMENTS[rating]) if r() < COMMENT_SHARE[rating] else ""
        rows.answers.append((survey, draft.id, rating, solved, comment, _instant(answered_at)))
        self.made["answers"] += 1
        self.made[f"rating:{rating}"] += 1

    # Tickets nobody worked on --------------------------------------------------------------

    def _wait_open(self, draft: Draft) -> None:
        """Still open: perhaps assessed by a coordinator; a follow-up or a note while it waits."""
        rng, r, created, avail = self.rng, self.rng.random, draft.created, draft.avail
        if draft.impact:
            draft.last = created + min(avail * 0.1, 900.0)
            self._impact_rows(draft, draft.last, draft.coordinator, OPEN_CLASSIFY_NOTE)
        for at in sorted(created + avail * 0.5 * r() for _ in range(1 + (r() < 0.3))):
            if r() < 0.7 and not draft.story.monitoring:
                draft.message(Message.Kind.FROM_REQUESTER, None, rng.choice(FOLLOW_UPS), at)
            else:
                draft.message(Message.Kind.INTERNAL_NOTE, draft.coordinator, rng.choice(OPEN_NOTES), at)

    def _cancel_at_intake(self, draft: Draft) -> None:
        """ticket_open cancels it at once: no service for this contact or organization."""
        r, created = self.rng.random, draft.created
        note = self.cast.explanation[draft.requester.id]
        draft.change(created, None, TicketChange.Field.STATE, State.OPEN, State.CANCELLED,
                     self.state_label[State.OPEN], self.state_label[State.CANCELLED], note,
                     gatekeeping=True)  # as ticket_open marks its cancellation, read by the SLA's replay  # fmt: skip
        draft.message(Message.Kind.INTERNAL_NOTE, draft.coordinator, self.rng.choice(INTAKE_NOTES),
                      created + min(draft.avail * 0.5, 3600 * (1 + 20 * r())))  # fmt: skip
        columns = draft.columns
        columns["cancel_reason"], columns["cancel_note"] = draft.reason, note
        columns["cancelled_at"] = _instant(created)

    def _cancel_before_work(self, draft: Draft) -> None:
        """Cancelled before anyone took it: a duplicate, withdrawn, or another reason."""
        rng, original, coordinator = self.rng, draft.original, draft.coordinator
        last = draft.created + min(draft.avail * 0.9, 600 + 8 * 3600 * rng.expovariate(1.0))
        if original is not None:
            note, actor = DUPLICATE_NOTE.format(reference=original["reference"]), coordinator
            draft.columns["duplicate_of_id"] = original["id"]
            draft.message(Message.Kind.INTERNAL_NOTE, coordinator, note, last - 1)
        elif draft.reason == Reason.WITHDRAWN:
            note, actor = WITHDRAWN_NOTE, None
            draft.message(Message.Kind.FROM_REQUESTER, None, rng.choice(WITHDRAW_MESSAGES), last - 1)
        else:
            note, actor = rng.choice(OTHER_CANCEL_NOTES), coordinator
            draft.message(Message.Kind.INTERNAL_NOTE, coordinator, note, last - 1)
        draft.change(last, actor, TicketChange.Field.STATE, State.OPEN, State.CANCELLED, self.state_label[State.OPEN],
                     self.state_label[State.CANCELLED], note)  # fmt: skip
        columns = draft.columns
        columns["cancel_reason"], columns["cancel_note"] = draft.reason, note
        columns["cancelled_at"] = _instant(last)
        draft.last = last

    def _remember_for_duplicates(self, draft: Draft) -> None:
        """A reported case a later duplicate may repeat."""
        if draft.original is None and draft.state != State.CANCELLED and not draft.story.monitoring:
            self.recent.append({
                "id": draft.id, "reference": draft.reference, "organization_id": draft.requester.organization_id,
                "requester": draft.requester, "story": draft.story, "context": draft.context,
                "subject": draft.subject, "description": draft.description, "urgency": draft.urgency,
            })  # fmt: skip


class DatasetGenerator:
    """Writes the dataset, its progress and a summary to `stdout` (a management
    command's output, styled by `style`)."""

    def __init__(self, *, stdout, style):
        self.stdout, self.style = stdout, style

    def run(self, options: dict) -> None:
        """`options` as `manage.py generate_dataset` parses them."""
        n = options["tickets"]
        if n < 1:
            raise CommandError("--tickets debe ser al menos 1.")
        if not 0 <= options["not_final"] <= 1:
            raise CommandError("--not-final es una proporción entre 0 y 1.")
        if options["organizations"] < 2 or options["contacts"] < options["organizations"] or options["agents"] < 3:
            raise CommandError("Se necesitan al menos 2 organizaciones, un contacto por organización y 3 agentes.")
        database = connection.settings_dict.get("NAME")
        if not settings.DEBUG and not options["yes"]:
            raise CommandError(
                "generate_dataset es una herramienta de pruebas que escribe datos sintéticos: ejecútela con DEBUG=1 "
                f"o confirme con --yes que la base «{database}» es de pruebas."
            )
        existing = Ticket.objects.count()
        if existing and not options["append"]:
            raise CommandError(
                f"La base «{database}» ya tiene {existing} tickets: no se generó nada. Use una base vacía "
                "(después de migrate) o --append para agregar tickets a los existentes."
            )

        started = time.monotonic()
        vendor = connection.vendor
        self.stdout.write(f"Generando {_number(n)} tickets en {vendor} («{database}»)…")
        rng = random.Random(options["seed"] + existing)
        with transaction.atomic():
            cast = self.load_cast(options, rng)
            self.stdout.write(
                f"  Catálogo y personas listos: {len(cast.modules)} módulos, {cast.counts['organizations']} "
                f"organizaciones, {cast.counts['contacts']} contactos, {cast.counts['agents']} agentes, "
                f"{len(cast.coordinators)} coordinadores ({time.monotonic() - started:.1f} s)."
            )
            planner = Planner(
                cast, rng, now=timezone.now().timestamp(), years=options["years"],
                not_final_share=options["not_final"],
            )
            made = self.generate(planner, n, started)
        self.stdout.write(f"  Tickets, mensajes, historial, confirmaciones y encuestas escritos "
                          f"({time.monotonic() - started:.1f} s). ANALYZE…")
        self.analyze()
        self.report(planner, made, time.monotonic() - started)

    # Reference data -------------------------------------------------------------------------

    def load_cast(self, options, rng: random.Random) -> Cast:
        try:
            agent_group = Group.objects.get(name=AGENT_GROUP)
            coordinator_group = Group.objects.get(name=COORDINATOR_GROUP)
        except Group.DoesNotExist:
            raise CommandError("Faltan los grupos de roles: ejecute primero «python manage.py migrate».") from None
        specialties, modules = load_catalog()
        today = timezone.localdate()
        first_day = today - datetime.timedelta(days=round(options["years"] * 365) + 30)

        # Organizations: all but the last with a policy in force since before the first ticket.
        names = [f"{prefix} {core}" for core in ORG_CORES for prefix in ORG_PREFIXES]
        organizations = []
        for index in range(options["organizations"]):
            name = f"{names[index % len(names)]}{'' if index < len(names) else f' {index // len(names) + 1}'}"
            domain = f"{_ascii(name).lower().replace(' ', '')}.example.com"
            organization, _created = Organization.objects.get_or_create(
                name=f"{name} S.A. de C.V.",
                defaults={"email_domain": domain, "phone": f"55 {5000 + index * 37:04d} {1000 + index * 91:04d}",
                          "notes": "Organización sintética de generate_dataset."},
            )
            in_force = index < options["organizations"] - 1
            if in_force:
                SupportPolicy.objects.update_or_create(
                    organization=organization,
                    number=f"POL-B{index + 1:03d}",
                    defaults={"name": "Póliza de soporte integral", "starts_on": first_day,
                              "ends_on": today + datetime.timedelta(days=365), "is_active": True},
                )
            places = tuple(random.Random(index).sample(PLACES, 3 + index % 5))
            organizations.append((organization, in_force, places))

        # Contacts: big clients have more; a few unauthorized; one monitoring tool per client.
        weights = [1 / (1 + index) ** 0.7 for index in range(len(organizations))]
        per_org = allocate(options["contacts"], dict(enumerate(weights)))
        served, unauthorized, without_policy, monitors, colleagues = [], [], [], [], {}
        explanation = {}
        contact_total = 0
        for index, (organization, in_force, places) in enumerate(organizations):
            domain = organization.email_domain or "example.com"
            for number in range(max(1, per_org[index])):
                first = FIRST_NAMES[(number * 7 + index) % len(FIRST_NAMES)]
                last = SURNAMES[(number * 13 + index * 3) % len(SURNAMES)]
                second = SURNAMES[(number * 5 + index * 11 + 7) % len(SURNAMES)]
                email = f"{_ascii(first).lower().replace(' ', '')}.{_ascii(last).lower()}{number + 1}@{domain}"
                authorized = number % 16 != 15
                contact = Contact.objects.by_email(email).first() or Contact.objects.create(
                    organization=organization, name=f"{first} {last} {second}", email=email,
                    job_title=JOB_TITLES[number % len(JOB_TITLES)], is_authorized=authorized,
                    phone=f"{organization.phone} ext. {100 + number}",
                )
                contact_total += 1
                requester = Requester(contact.pk, organization.pk, contact.name.split()[0], places, domain)
                self._classify_contact(contact, requester, in_force, served, unauthorized, without_policy,
                                       colleagues, explanation)
            if in_force:
                email = f"monitoreo@{domain}"
                contact = Contact.objects.by_email(email).first() or Contact.objects.create(
                    organization=organization, name="Monitoreo de infraestructura (Zabbix)", email=email,
                    job_title="Herramienta de monitoreo", is_authorized=True,
                )
                contact_total += 1
                monitors.append(Requester(contact.pk, organization.pk, "Monitoreo", places, domain))
        for name, email in [
            ("Jorge Ramírez Olmos", "jorge.ramirez.olmos@correo.example.com"),
            ("Silvia Pacheco Luna", "silvia.pacheco@correo.example.com"),
        ]:  # known senders without an organization
            contact = Contact.objects.by_email(email).first() or Contact.objects.create(name=name, email=email)
            contact_total += 1
            requester = Requester(contact.pk, None, name.split()[0], ("la oficina",), "example.com")
            self._classify_contact(contact, requester, False, served, unauthorized, without_policy, colleagues,
                                   explanation)

        # Staff: agents at three levels with one or two specialties each, and two coordinators.
        specialty_ids = [specialties[name].pk for name in SPECIALTIES]
        count = options["agents"]
        n1, n2 = max(1, round(count * 0.6)), max(1, round(count * 0.28))
        levels = [SupportLevel.N1] * n1 + [SupportLevel.N2] * n2 + [SupportLevel.N3] * max(1, count - n1 - n2)
        agents, agents_for = {level: [] for level in SupportLevel.values}, {}
        for number, level in enumerate(levels, start=1):
            first = FIRST_NAMES[(number * 11 + 3) % len(FIRST_NAMES)]
            last = f"{SURNAMES[(number * 7 + 1) % len(SURNAMES)]} {SURNAMES[(number * 3 + 17) % len(SURNAMES)]}"
            user = self.get_user(f"{STAFF_PREFIX}agente{number:02d}", first, last, agent_group)
            profile, created = AgentProfile.objects.get_or_create(user=user, defaults={"level": level})
            if created:
                mine = [specialty_ids[number % len(specialty_ids)]]
                if rng.random() < 0.4:
                    mine.append(specialty_ids[(number + 1) % len(specialty_ids)])
                profile.specialties.set(mine)
            person = Person(user.pk, user.first_name, str(user))
            agents[profile.level].append(person)
            for specialty in profile.specialties.values_list("pk", flat=True):
                agents_for.setdefault((profile.level, specialty), []).append(person)
        for level in SupportLevel.values:  # a level without agents borrows the nearest one's
            agents[level] = agents[level] or agents[SupportLevel.N1] or next(a for a in agents.values() if a)
        coordinators = []
        for number in (1, 2):
            user = self.get_user(f"{STAFF_PREFIX}coordinador{number}", FIRST_NAMES[number * 5],
                                 f"{SURNAMES[number * 9]} {SURNAMES[number * 4]}", coordinator_group)
            profile, created = AgentProfile.objects.get_or_create(user=user, defaults={"level": SupportLevel.N3})
            if created:
                profile.specialties.set(specialty_ids)
            coordinators.append(Person(user.pk, user.first_name, str(user)))

        windows = {}
        for organization in [None, *(organization for organization, _in_force, _places in organizations)]:
            plan = sla_plan_for(organization=organization)
            windows[organization.pk if organization else None] = (
                plan.confirmation_business_days, business_calendar_of(plan.calendar)
            )

        PriorityRule.ensure_defaults()
        matrix = dict(DEFAULT_PRIORITY_MATRIX)
        matrix.update({(rule.urgency, rule.impact): rule.priority for rule in PriorityRule.objects.all()})
        return Cast(
            modules={name: module.pk for name, module in modules.items()},
            specialty_of={name: module.specialty_id for name, module in modules.items()},
            coordinators=coordinators, agents=agents, agents_for=agents_for, served=served,
            colleagues=colleagues, unauthorized=unauthorized, without_policy=without_policy, monitors=monitors,
            explanation=explanation, matrix=matrix, windows=windows,
            survey_days=SurveySettings.load().survey_valid_days,
            counts={"organizations": len(organizations), "contacts": contact_total, "agents": len(levels)},
        )  # fmt: skip

    @staticmethod
    def _classify_contact(contact, requester, in_force, served, unauthorized, without_policy, colleagues,
                          explanation):
        admission = ticket_admission(requester=contact)
        if admission.admitted:
            served.append(requester)
            colleagues.setdefault(requester.organization_id, []).append(requester)
            return
        explanation[contact.pk] = admission.explanation
        if admission.reason == Reason.NO_POLICY:
            without_policy.append(requester)
        else:
            unauthorized.append(requester)

    @staticmethod
    def get_user(username, first_name, last_name, group) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "is_staff": True,
                      "email": f"{username}@mesa.example.com"},
        )
        if created:
            user.set_unusable_password()  # the benchmark signs in with force_login
            user.save(update_fields=["password"])
            user.groups.add(group)
        return user

    # Tickets and what hangs from them -----------------------------------------------------------------

    def generate(self, planner: Planner, n: int, started: float) -> Counter:
        writers = {
            "tickets": Writer(Ticket, TICKET_FIELDS),
            "messages": Writer(Message, MESSAGE_FIELDS),
            "changes": Writer(TicketChange, CHANGE_FIELDS),
            "confirmations": Writer(SolutionConfirmation, CONFIRMATION_FIELDS),
            "confirmation_changes": Writer(ConfirmationChange, CONFIRMATION_CHANGE_FIELDS),
            "surveys": Writer(Survey, SURVEY_FIELDS),
            "answers": Writer(SurveyAnswer, ANSWER_FIELDS),
        }  # in this order: each table's rows point at the ones before
        postgres = connection.vendor == "postgresql"
        quote = connection.ops.quote_name

        def last_id(cursor, model) -> int:
            cursor.execute(f"SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}")
            return cursor.fetchone()[0] or 0

        with connection.cursor() as cursor:
            if postgres:
                # Check foreign keys row by row as COPY goes, not all at commit (memory).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            base = last_id(cursor, Ticket)
            planner.last_id = {"confirmation": last_id(cursor, SolutionConfirmation), "survey": last_id(cursor, Survey)}
        created, states = planner.timeline(n)
        self.stdout.write(f"  Fechas y estados decididos ({time.monotonic() - started:.1f} s).")
        made = Counter()
        next_report = n // 10

        def write(rows: Rows):
            for table, writer in writers.items():
                writer.write(getattr(rows, table))

        # PostgreSQL stores one chunk (a second thread, the same connection and transaction)
        # while this thread plans the next: two cores busy instead of one.
        with ThreadPoolExecutor(max_workers=1) as background:
            writing = None
            for start in range(0, n, CHUNK):
                rows = Rows()
                for index in range(start, min(n, start + CHUNK)):
                    planner.plan(base + index + 1, created[index], states[index], rows)
                if writing is not None:
                    writing.result()  # one chunk in flight at most; re-raises its error
                if postgres:
                    writing = background.submit(write, rows)
                else:
                    write(rows)
                for table in writers:
                    made[table] += len(getattr(rows, table))
                if made["tickets"] >= next_report and made["tickets"] < n:
                    self.stdout.write(f"  {_number(made['tickets']):>9} / {_number(n)} tickets "
                                      f"({time.monotonic() - started:.0f} s)")
                    next_report += n // 10
            if writing is not None:
                writing.result()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, SolutionConfirmation, Survey]):
                cursor.execute(sql)
            if postgres:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return made

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            # VACUUM also sets the visibility map (index-only scans); it cannot run inside a
            # transaction (a caller's, or a test's): plain ANALYZE there.
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                for model in (Ticket, Message, TicketChange, SolutionConfirmation, ConfirmationChange, Survey,
                              SurveyAnswer, Contact, User):  # fmt: skip
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            else:
                cursor.execute("ANALYZE")

    def report(self, planner: Planner, made: Counter, seconds: float) -> None:
        n = made["tickets"]
        not_final = sum(planner.made[state] for state in Ticket.NOT_FINAL_STATES)

        def share(value):
            return f"{_number(value)} ({100 * value / n:.1f} %)"

        self.stdout.write(self.style.SUCCESS(f"Listo en {seconds:.1f} s: {_number(n)} tickets."))
        states = ", ".join(f"{planner.state_label[state].lower()} {share(planner.made[state])}"
                           for state in State.values)
        self.stdout.write(f"  Sin finalizar: {share(not_final)} · {states}")
        priorities = ", ".join(f"{planner.priority_display[p].split(' · ')[1].lower()} "
                               f"{share(planner.made[f'priority:{p}'])}" for p in reversed(Priority.values))
        self.stdout.write(f"  Prioridad: {priorities}")
        self.stdout.write(
            f"  Mensajes: {_number(made['messages'])} ({made['messages'] / n:.1f} por ticket) · historial: "
            f"{_number(made['changes'])} ({made['changes'] / n:.1f} por ticket)"
        )
        confirmations = ", ".join(
            f"{label} {_number(planner.made[f'confirmation:{outcome}'])}"
            for outcome, label in CONFIRMATION_OUTCOMES.items()
            if planner.made[f"confirmation:{outcome}"]
        )
        self.stdout.write(f"  Confirmaciones de solución: {_number(made['confirmations'])} ({confirmations})")
        surveys, answers = made["surveys"], made["answers"]
        ratings = ", ".join(f"{rating}★ {_number(planner.made[f'rating:{rating}'])}" for rating in range(5, 0, -1))
        mean = sum(rating * planner.made[f"rating:{rating}"] for rating in range(1, 6)) / answers if answers else 0
        self.stdout.write(
            f"  Encuestas: {_number(surveys)} · respondidas {_number(answers)} "
            f"({100 * answers / surveys if surveys else 0:.1f} %), calificación media {mean:.2f} ({ratings})"
        )
        total, not_final = _number(Ticket.objects.count()), _number(Ticket.objects.not_final().count())
        self.stdout.write(f"  En la base: {total} tickets, {not_final} sin finalizar.")
