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
  history rows (TicketChange) the services would have written for the ticket's state.

One Python planner decides every row (seeded: the same tickets on every run, dated back
from the day it runs). PostgreSQL receives them by COPY in one transaction, written by a
second thread while the next chunk is planned (1M tickets, ~3M messages and ~6M history
rows in about 5 minutes on 2 cores); other databases by executemany (small N only).
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
            with self.psycopg.cursor() as cursor:
                with cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
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


TICKET_FIELDS = [
    "id", "reference", "kind", "channel", "requester_id", "organization_id", "module_id", "subject", "description",
    "occurred_at", "urgency", "impact", "priority", "state", "assignee_id", "level", "solution", "resolution_code",
    "cancel_reason", "cancel_note", "duplicate_of_id", "vendor_name", "vendor_reference", "reopen_count",
    "escalation_count", "created_at", "updated_at", "first_response_at", "solved_at", "closed_at", "cancelled_at",
]  # fmt: skip
MESSAGE_FIELDS = ["ticket_id", "kind", "author_id", "body", "created_at"]
CHANGE_FIELDS = ["ticket_id", "at", "actor_id", "field", "old_value", "new_value", "old_display", "new_display", "note"]


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
            if rng.random() < 0.88:
                seconds = 9 * 3600 + rng.random() * 9 * 3600  # business hours
            else:
                seconds = rng.random() * 86400
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

    def plan(self, ticket_id: int, created: float, state: str, messages: list, changes: list) -> tuple:
        rng, cast, now = self.rng, self.cast, self.now
        r = rng.random
        avail = max(now - 60 - created, 120.0)  # room between creation and now
        reason = self._weighted(self.reasons, self.reason_cumulative) if state == State.CANCELLED else ""
        original = None
        if reason == Reason.DUPLICATE:
            if self.recent:
                original = rng.choice(self.recent)
            else:
                reason = Reason.WITHDRAWN  # nothing earlier to repeat yet

        # Who reports what ------------------------------------------------------------------
        # The monitoring tool asks nobody and waits for nobody: only open, worked or finished alerts.
        monitoring = (
            state not in (State.PENDING_USER, State.PENDING_VENDOR, State.CANCELLED)
            and r() < MONITORING_SHARE
            and bool(cast.monitors)
        )
        if reason == Reason.UNAUTHORIZED_CONTACT and cast.unauthorized:
            requester = rng.choice(cast.unauthorized)
        elif reason == Reason.NO_POLICY and cast.without_policy:
            requester = rng.choice(cast.without_policy)
        elif original is not None:
            colleagues = cast.colleagues.get(original["organization_id"])
            requester = original["requester"] if r() < 0.3 or not colleagues else rng.choice(colleagues)
        elif monitoring:
            requester = rng.choice(cast.monitors)
        else:
            requester = cast.served[int(len(cast.served) * r() ** 1.7)]  # some people report a lot
        intake_cancel = state == State.CANCELLED and requester.id in cast.explanation
        if state == State.CANCELLED and reason in (Reason.UNAUTHORIZED_CONTACT, Reason.NO_POLICY) and not intake_cancel:
            reason = Reason.WITHDRAWN  # the desk has no such contact: a withdrawn report instead

        if original is not None:
            story, context = original["story"], original["context"]
            subject = original["subject"]
            description = rng.choice(DUPLICATE_PREFIXES) + original["description"]
            urgency = original["urgency"]
        else:
            priority_wanted = self._weighted(self.priorities, self.priority_cumulative)
            story = self._story(priority_wanted, monitoring, vendor=state == State.PENDING_VENDOR)
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
            subject = story.template["s"].format_map(context)
            description = story.template["d"].format_map(context)
            urgency = story.template["u"]
            if not story.monitoring and r() < 0.2:
                urgency = min(Urgency.HIGH, max(Urgency.LOW, urgency + rng.choice((-1, 1))))
        template = story.template
        module_name = story.module
        kind = Ticket.Kind.REQUEST if template.get("request") else Ticket.Kind.INCIDENT
        if story.monitoring:
            channel = Ticket.Channel.MONITORING
        else:
            channel = self._weighted(self.channels, self.channel_cumulative)
        specialty = cast.specialty_of[module_name]
        module_id = cast.modules[module_name]
        if state == State.OPEN and channel == Ticket.Channel.WEB and r() < 0.08:
            module_id = None  # "no sé": the agent will classify it
        occurred_at = created - 300 - r() * 10_500 if kind == Ticket.Kind.INCIDENT else None

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
            impact = template["i"]
        first_priority = cast.matrix[(urgency, Impact.MEDIUM)]
        priority = cast.matrix[(urgency, impact or Impact.MEDIUM)]
        reopened = worked and state in (State.IN_PROGRESS, State.SOLVED, State.CLOSED) and (
            kind == Ticket.Kind.INCIDENT and not story.monitoring and r() < REOPENED_SHARE
        )
        vendor_hop = state in (State.SOLVED, State.CLOSED) and "v" in template
        reopened = reopened and not vendor_hop  # at most six messages

        ticket = {
            "solution": "", "resolution_code": "", "cancel_reason": "", "cancel_note": "", "duplicate_of_id": None,
            "vendor_name": "", "vendor_reference": "", "assignee_id": None, "first_response_at": None,
            "solved_at": None, "closed_at": None, "cancelled_at": None,
        }  # fmt: skip
        reference = _ReferenceOf()
        reference.kind, reference.pk = kind, ticket_id
        reference = Ticket.build_reference(reference)
        fmt = datetime.datetime.fromtimestamp
        UTC = datetime.UTC
        n_messages = 0

        def message(kind_, author, body, at):
            nonlocal n_messages
            n_messages += 1
            messages.append((ticket_id, str(kind_), author.id if author else None, body, fmt(at, UTC)))

        def change(at, actor, field_, old, new, old_display, new_display, note=""):
            changes.append((ticket_id, fmt(at, UTC), actor.id if actor else None, str(field_), str(old), str(new),
                            old_display, new_display, note))

        registered_by = rng.choice(cast.agents[SupportLevel.N1]) if channel == Ticket.Channel.PHONE else None
        change(created, registered_by, TicketChange.Field.CREATED, "", State.OPEN, "—", self.state_label[State.OPEN],
               self.channel_label[channel])
        last = created
        coordinator = rng.choice(cast.coordinators)

        if worked:
            assignee = self.agent_for(level, specialty)
            first_agent = self.agent_for(SupportLevel.N1, specialty) if level > SupportLevel.N1 else assignee
            middle_agent = self.agent_for(SupportLevel.N2, specialty) if level == SupportLevel.N3 else None
            response = RESPONSE_HOURS[priority] * 3600 * rng.expovariate(1.0)
            closed_at = None
            if state in (State.CLOSED, State.CANCELLED):
                work = 600 + RESOLUTION_HOURS[priority] * 3600 * rng.expovariate(1.0) * (2 if vendor_hop else 1)
                auto_close = r() < AUTO_CLOSED_SHARE
                confirm = 0.0
                if state == State.CLOSED:
                    confirm = CONFIRMATION_WINDOW + r() * 7200 if auto_close else 1800 + r() * 100_000
                else:
                    work *= 0.5
                total = response + work + confirm
                if total > avail:  # a recent ticket: the same story, faster
                    response, work, confirm = (part * avail / total for part in (response, work, confirm))
                end = created + response + work
                closed_at = end + confirm if state == State.CLOSED else None
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

            def agent_at(at):
                if escalated_at is None or at < escalated_at:
                    return first_agent
                if escalated_again_at is None or at < escalated_again_at:
                    return middle_agent or assignee
                return assignee

            # Taken by the agent or assigned by a coordinator: the first response.
            actor = first_agent if r() < 0.7 else coordinator
            change(first_response, actor, TicketChange.Field.STATE, State.OPEN, State.IN_PROGRESS,
                   self.state_label[State.OPEN], self.state_label[State.IN_PROGRESS])
            change(first_response, actor, TicketChange.Field.ASSIGNEE, "", str(first_agent.id), "—",
                   first_agent.display)
            if story.monitoring:
                message(Message.Kind.INTERNAL_NOTE, first_agent, rng.choice(WORK_NOTES), first_response)
            else:
                message(Message.Kind.PUBLIC_REPLY, first_agent,
                        rng.choice(FIRST_REPLIES).format_map({**context, "agente": first_agent.first_name}),
                        first_response)
            ticket["first_response_at"] = fmt(first_response, UTC)
            if impact:
                at = first_response + min(600.0, gap * 0.05)
                change(at, first_agent, TicketChange.Field.IMPACT, "0", str(impact),
                       self.impact_label[Impact.UNASSESSED], self.impact_label[impact], CLASSIFY_NOTE)
                if priority != first_priority:
                    change(at, first_agent, TicketChange.Field.PRIORITY, str(first_priority), str(priority),
                           self.priority_display[first_priority], self.priority_display[priority], CLASSIFY_NOTE)
            if escalated_at is not None:
                to = middle_agent or assignee
                note = rng.choice(ESCALATE_N2)
                change(escalated_at, first_agent, TicketChange.Field.LEVEL, "1", "2", self.level_label[1],
                       self.level_label[2], note)
                change(escalated_at, first_agent, TicketChange.Field.ASSIGNEE, str(first_agent.id), str(to.id),
                       first_agent.display, to.display, note)
            if escalated_again_at is not None:
                note = rng.choice(ESCALATE_N3)
                change(escalated_again_at, middle_agent, TicketChange.Field.LEVEL, "2", "3", self.level_label[2],
                       self.level_label[3], note)
                change(escalated_again_at, middle_agent, TicketChange.Field.ASSIGNEE, str(middle_agent.id),
                       str(assignee.id), middle_agent.display, assignee.display, note)

            if state == State.PENDING_VENDOR or vendor_hop:
                vendor_name, vendor_message, prefix = template["v"]
                ticket["vendor_name"] = vendor_name
                ticket["vendor_reference"] = f"{prefix}{100000 + int(r() * 900000)}"
                vendor_note = f"Proveedor: {vendor_name}, referencia {ticket['vendor_reference']}"
                waited_at = end if state == State.PENDING_VENDOR else first_response + gap * (0.4 + 0.05 * r())
                change(waited_at, agent_at(waited_at), TicketChange.Field.STATE, State.IN_PROGRESS,
                       State.PENDING_VENDOR, self.state_label[State.IN_PROGRESS],
                       self.state_label[State.PENDING_VENDOR], vendor_note)
                message(Message.Kind.PUBLIC_REPLY, agent_at(waited_at), vendor_message, waited_at)
                if vendor_hop:
                    resumed_at = first_response + gap * (0.55 + 0.05 * r())
                    change(resumed_at, agent_at(resumed_at), TicketChange.Field.STATE, State.PENDING_VENDOR,
                           State.IN_PROGRESS, self.state_label[State.PENDING_VENDOR],
                           self.state_label[State.IN_PROGRESS])
                    message(Message.Kind.INTERNAL_NOTE, agent_at(resumed_at), rng.choice(VENDOR_BACK_NOTES),
                            resumed_at)
            if state in (State.SOLVED, State.CLOSED) or reopened:
                ticket["solution"] = template["sol"].format_map(context)
                ticket["resolution_code"] = template["code"]
            if reopened:
                solved_first = first_response + gap * (0.65 + 0.05 * r())
                reopened_at = first_response + gap * (0.75 + 0.05 * r())
                why = rng.choice(REOPEN_MESSAGES)
                change(solved_first, agent_at(solved_first), TicketChange.Field.STATE, State.IN_PROGRESS,
                       State.SOLVED, self.state_label[State.IN_PROGRESS], self.state_label[State.SOLVED],
                       self.code_label[template["code"]])
                message(Message.Kind.PUBLIC_REPLY, agent_at(solved_first), ticket["solution"], solved_first)
                change(reopened_at, None, TicketChange.Field.STATE, State.SOLVED, State.IN_PROGRESS,
                       self.state_label[State.SOLVED], self.state_label[State.IN_PROGRESS], why)
                message(Message.Kind.FROM_REQUESTER, None, why, reopened_at)
                if state != State.IN_PROGRESS:
                    ticket["solution"] = SECOND_SOLUTION + ticket["solution"]

            # The conversation in between: questions, notes, follow-ups.
            closing_messages = 1 + (state == State.CLOSED)
            room = max(0, 6 - n_messages - closing_messages)
            middle = min(room, int(r() * (4 if state == State.IN_PROGRESS else 3)))
            notes = [template["n"]] if "n" in template else []
            for at in sorted(first_response + gap * (0.1 + 0.85 * r()) for _ in range(middle)):
                roll = r()
                if roll < 0.4 and not story.monitoring:
                    message(Message.Kind.FROM_REQUESTER, None, rng.choice(FOLLOW_UPS), at)
                elif roll < 0.75 or story.monitoring:
                    message(Message.Kind.INTERNAL_NOTE, agent_at(at), notes.pop() if notes else rng.choice(WORK_NOTES),
                            at)
                else:
                    message(Message.Kind.PUBLIC_REPLY, agent_at(at), rng.choice(PROGRESS_REPLIES).format_map(context),
                            at)

            if state == State.PENDING_USER:
                question = template.get("q", GENERIC_QUESTION).format_map(context)
                change(end, assignee, TicketChange.Field.STATE, State.IN_PROGRESS, State.PENDING_USER,
                       self.state_label[State.IN_PROGRESS], self.state_label[State.PENDING_USER])
                message(Message.Kind.PUBLIC_REPLY, assignee, question, end)
            elif state in (State.SOLVED, State.CLOSED):
                change(end, assignee, TicketChange.Field.STATE, State.IN_PROGRESS, State.SOLVED,
                       self.state_label[State.IN_PROGRESS], self.state_label[State.SOLVED],
                       self.code_label[template["code"]])
                message(Message.Kind.PUBLIC_REPLY, assignee, ticket["solution"], end)
                ticket["solved_at"] = fmt(end, UTC)
            elif state == State.CANCELLED:
                if reason == Reason.WITHDRAWN:
                    ticket["cancel_note"], actor = WITHDRAWN_NOTE, None
                    message(Message.Kind.FROM_REQUESTER, None, rng.choice(WITHDRAW_MESSAGES), end - 1)
                else:
                    ticket["cancel_note"], actor = rng.choice(OTHER_CANCEL_NOTES), coordinator
                    message(Message.Kind.INTERNAL_NOTE, coordinator, ticket["cancel_note"], end - 1)
                change(end, actor, TicketChange.Field.STATE, State.IN_PROGRESS, State.CANCELLED,
                       self.state_label[State.IN_PROGRESS], self.state_label[State.CANCELLED], ticket["cancel_note"])
                ticket["cancel_reason"], ticket["cancelled_at"] = reason, fmt(end, UTC)
            if closed_at is not None:
                accepted = not auto_close and r() < 0.6
                if accepted:
                    thanked_at = closed_at - r() * min(3600, confirm / 2)
                    message(Message.Kind.FROM_REQUESTER, None, rng.choice(THANKS), thanked_at)
                change(closed_at, None, TicketChange.Field.STATE, State.SOLVED, State.CLOSED,
                       self.state_label[State.SOLVED], self.state_label[State.CLOSED],
                       AUTO_CLOSE_NOTE if auto_close else "")
                ticket["closed_at"] = fmt(closed_at, UTC)
                end = closed_at
            ticket["assignee_id"] = assignee.id
            last = end
        elif state == State.OPEN:
            if impact:
                last = created + min(avail * 0.1, 900.0)
                change(last, coordinator, TicketChange.Field.IMPACT, "0", str(impact),
                       self.impact_label[Impact.UNASSESSED], self.impact_label[impact], OPEN_CLASSIFY_NOTE)
                if priority != first_priority:
                    change(last, coordinator, TicketChange.Field.PRIORITY, str(first_priority), str(priority),
                           self.priority_display[first_priority], self.priority_display[priority], OPEN_CLASSIFY_NOTE)
            for at in sorted(created + avail * 0.5 * r() for _ in range(1 + (r() < 0.3))):
                if r() < 0.7 and not story.monitoring:
                    message(Message.Kind.FROM_REQUESTER, None, rng.choice(FOLLOW_UPS), at)
                else:
                    message(Message.Kind.INTERNAL_NOTE, coordinator, rng.choice(OPEN_NOTES), at)
        elif intake_cancel:
            # ticket_open cancels it at once: no service for this contact or organization.
            note = cast.explanation[requester.id]
            change(created, None, TicketChange.Field.STATE, State.OPEN, State.CANCELLED,
                   self.state_label[State.OPEN], self.state_label[State.CANCELLED], note)
            message(Message.Kind.INTERNAL_NOTE, coordinator, rng.choice(INTAKE_NOTES),
                    created + min(avail * 0.5, 3600 * (1 + 20 * r())))
            ticket["cancel_reason"], ticket["cancel_note"], ticket["cancelled_at"] = reason, note, fmt(created, UTC)
        else:  # cancelled before anyone took it
            last = created + min(avail * 0.9, 600 + 8 * 3600 * rng.expovariate(1.0))
            if original is not None:
                note, actor = DUPLICATE_NOTE.format(reference=original["reference"]), coordinator
                ticket["duplicate_of_id"] = original["id"]
                message(Message.Kind.INTERNAL_NOTE, coordinator, note, last - 1)
            elif reason == Reason.WITHDRAWN:
                note, actor = WITHDRAWN_NOTE, None
                message(Message.Kind.FROM_REQUESTER, None, rng.choice(WITHDRAW_MESSAGES), last - 1)
            else:
                note, actor = rng.choice(OTHER_CANCEL_NOTES), coordinator
                message(Message.Kind.INTERNAL_NOTE, coordinator, note, last - 1)
            change(last, actor, TicketChange.Field.STATE, State.OPEN, State.CANCELLED, self.state_label[State.OPEN],
                   self.state_label[State.CANCELLED], note)
            ticket["cancel_reason"], ticket["cancel_note"], ticket["cancelled_at"] = reason, note, fmt(last, UTC)

        if original is None and state != State.CANCELLED and not story.monitoring:
            self.recent.append({
                "id": ticket_id, "reference": reference, "organization_id": requester.organization_id,
                "requester": requester, "story": story, "context": context, "subject": subject,
                "description": description, "urgency": urgency,
            })  # fmt: skip
        self.made[state] += 1
        self.made[f"priority:{priority}"] += 1
        return (
            ticket_id, reference, str(kind), str(channel), requester.id, requester.organization_id, module_id,
            subject, description, fmt(occurred_at, UTC) if occurred_at else None, int(urgency), int(impact),
            int(priority), str(state), ticket["assignee_id"], int(level), ticket["solution"],
            str(ticket["resolution_code"]), str(ticket["cancel_reason"]), ticket["cancel_note"],
            ticket["duplicate_of_id"], ticket["vendor_name"], ticket["vendor_reference"], int(reopened),
            int(level) - 1, fmt(created, UTC), fmt(last, UTC), ticket["first_response_at"],
            ticket["solved_at"], ticket["closed_at"], ticket["cancelled_at"],
        )  # fmt: skip


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
        self.stdout.write(f"  Tickets, mensajes e historial escritos ({time.monotonic() - started:.1f} s). ANALYZE…")
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

        PriorityRule.ensure_defaults()
        matrix = dict(DEFAULT_PRIORITY_MATRIX)
        matrix.update({(rule.urgency, rule.impact): rule.priority for rule in PriorityRule.objects.all()})
        return Cast(
            modules={name: module.pk for name, module in modules.items()},
            specialty_of={name: module.specialty_id for name, module in modules.items()},
            coordinators=coordinators, agents=agents, agents_for=agents_for, served=served,
            colleagues=colleagues, unauthorized=unauthorized, without_policy=without_policy, monitors=monitors,
            explanation=explanation, matrix=matrix,
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

    # Tickets, messages, history -----------------------------------------------------------------

    def generate(self, planner: Planner, n: int, started: float) -> Counter:
        tickets = Writer(Ticket, TICKET_FIELDS)
        messages_writer = Writer(Message, MESSAGE_FIELDS)
        changes_writer = Writer(TicketChange, CHANGE_FIELDS)
        postgres = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if postgres:
                # Check foreign keys row by row as COPY goes, not all at commit (memory).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(Ticket._meta.pk.column)}) "
                           f"FROM {connection.ops.quote_name(Ticket._meta.db_table)}")
            base = cursor.fetchone()[0] or 0
        created, states = planner.timeline(n)
        self.stdout.write(f"  Fechas y estados decididos ({time.monotonic() - started:.1f} s).")
        made = Counter()
        next_report = n // 10

        def write(ticket_rows, message_rows, change_rows):
            tickets.write(ticket_rows)
            messages_writer.write(message_rows)
            changes_writer.write(change_rows)

        # PostgreSQL stores one chunk (a second thread, the same connection and transaction)
        # while this thread plans the next: two cores busy instead of one.
        with ThreadPoolExecutor(max_workers=1) as background:
            writing = None
            for start in range(0, n, CHUNK):
                ticket_rows, message_rows, change_rows = [], [], []
                for index in range(start, min(n, start + CHUNK)):
                    ticket_rows.append(
                        planner.plan(base + index + 1, created[index], states[index], message_rows, change_rows)
                    )
                if writing is not None:
                    writing.result()  # one chunk in flight at most; re-raises its error
                if postgres:
                    writing = background.submit(write, ticket_rows, message_rows, change_rows)
                else:
                    write(ticket_rows, message_rows, change_rows)
                made["tickets"] += len(ticket_rows)
                made["messages"] += len(message_rows)
                made["changes"] += len(change_rows)
                if made["tickets"] >= next_report and made["tickets"] < n:
                    self.stdout.write(f"  {_number(made['tickets']):>9} / {_number(n)} tickets "
                                      f"({time.monotonic() - started:.0f} s)")
                    next_report += n // 10
            if writing is not None:
                writing.result()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
                cursor.execute(sql)
            if postgres:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return made

    def analyze(self) -> None:
        with connection.cursor() as cursor:
            # VACUUM also sets the visibility map (index-only scans); it cannot run inside a
            # transaction (a caller's, or a test's): plain ANALYZE there.
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                for model in (Ticket, Message, TicketChange, Contact, User):
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
        total, not_final = _number(Ticket.objects.count()), _number(Ticket.objects.not_final().count())
        self.stdout.write(f"  En la base: {total} tickets, {not_final} sin finalizar.")
