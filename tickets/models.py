"""The incident lifecycle: the ticket, its state machine, messages, attachments and history.

Transitions here only check and change the ticket in memory; `tickets.services` runs
them inside a transaction with the row locked, writes history and registers side
effects on commit. Nothing here imports sla or surveys.
"""

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import (
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, can_proceed, transition

from accounts.models import SupportLevel, history_actor
from accounts.roles import CANCEL_PERMISSION, WORK_PERMISSION, holds
from helpdesk.process_cache import ProcessCache

from . import references
from .search import TicketSearchDocument, TicketSearchQuerySet
from .sla_rules import SLAState as SLAState
from .sla_rules import TicketServiceLevel, TicketServiceLevelQuerySet


class Urgency(models.IntegerChoices):
    """The requester's expectation; not given means baja (docs/process.md, «Priority»)."""

    LOW = 1, _("Baja")
    MEDIUM = 2, _("Media")
    HIGH = 3, _("Alta")


class Impact(models.IntegerChoices):
    """The agent's assessment of the degradation; treated as medio until assessed."""

    UNASSESSED = 0, _("Sin evaluar")
    LOW = 1, _("Bajo")
    MEDIUM = 2, _("Medio")
    HIGH = 3, _("Alto")


class Priority(models.IntegerChoices):
    VERY_LOW = 1, _("Muy bajo")
    LOW = 2, _("Bajo")
    MEDIUM = 3, _("Medio")
    HIGH = 4, _("Alto")
    CRITICAL = 5, _("Crítico")


# The default matrix (docs/process.md, «Priority»): (urgency, impact) → priority.
DEFAULT_PRIORITY_MATRIX = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 5,
}  # fmt: skip


class PriorityRule(models.Model):
    """One cell of the urgency × impact matrix, editable by coordinators."""

    urgency = models.PositiveSmallIntegerField(_("urgencia"), choices=Urgency.choices)
    impact = models.PositiveSmallIntegerField(
        _("impacto"), choices=[c for c in Impact.choices if c[0] != Impact.UNASSESSED]
    )
    priority = models.PositiveSmallIntegerField(_("prioridad"), choices=Priority.choices)

    class Meta:
        verbose_name = _("celda de la matriz de prioridad")
        verbose_name_plural = _("matriz de prioridad")
        ordering = ["-urgency", "-impact"]
        constraints = [
            models.UniqueConstraint(fields=["urgency", "impact"], name="priority_rule_unique_cell"),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()} × {self.get_impact_display()} → {self.get_priority_display()}"

    @classmethod
    def ensure_defaults(cls) -> None:
        """Create any missing cell with its default priority; existing cells keep theirs."""
        for (urgency, impact), priority in DEFAULT_PRIORITY_MATRIX.items():
            cls.objects.get_or_create(urgency=urgency, impact=impact, defaults={"priority": priority})

    @classmethod
    def priority_for(cls, urgency: int, impact: int) -> int:
        """The priority of an urgency and an impact; "sin evaluar" counts as medio. The
        matrix is read once and kept in the process a few seconds (helpdesk.process_cache)."""
        effective_impact = Impact.MEDIUM if impact == Impact.UNASSESSED else impact
        matrix = PRIORITY_MATRIX_CACHE.get("matrix", cls._matrix)
        if (urgency, effective_impact) not in matrix:
            # A cell missing from the database: the same error as reading it directly.
            raise cls.DoesNotExist(f"no priority for urgency {urgency} and impact {effective_impact}")
        return matrix[(urgency, effective_impact)]

    @classmethod
    def _matrix(cls) -> dict[tuple[int, int], int]:
        return {(urgency, impact): priority for urgency, impact, priority in
                cls.objects.values_list("urgency", "impact", "priority")}


PRIORITY_MATRIX_CACHE = ProcessCache("priority_matrix")
PRIORITY_MATRIX_CACHE.watch(PriorityRule)


class TicketQuerySet(TicketServiceLevelQuerySet, TicketSearchQuerySet):
    def not_final(self):
        """Tickets not closed nor cancelled. Named by the states they may be in, not the
        ones they may not: PostgreSQL uses a partial index only when the query's
        condition matches the index's, and the indexes name these states."""
        return self.filter(state__in=Ticket.NOT_FINAL_STATES)

    def in_course(self):
        """Tickets in course (Ticket.IN_COURSE_STATES): open, in progress or pending."""
        return self.filter(state__in=Ticket.IN_COURSE_STATES)

    def pending(self):
        """Waiting for the requester or for a vendor."""
        return self.filter(state__in=Ticket.PENDING_STATES)

    def finished(self):
        """Solved, closed or cancelled (Ticket.FINISHED_STATES): the queue's «Terminados»."""
        return self.filter(state__in=Ticket.FINISHED_STATES)

    def unassigned(self):
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def for_specialties(self, specialties):
        """Tickets of the modules that any of these specialties handles."""
        from catalog.models import Module

        # A subquery rather than a join, so that the queue's index order survives.
        return self.filter(module__in=Module.objects.filter(specialty__in=specialties))

    def in_queue_order(self):
        """Higher priority first; equal priority, the oldest first (docs/process.md, «Priority»)."""
        return self.order_by("-priority", "created_at", "id")

    def positions_in_queue(self, size: int, *, after=None, before=None) -> list[tuple]:
        """The queue positions (priority, created_at, id) of up to `size` tickets, in queue
        order: the first ones, the ones right after the position `after`, or the ones
        right before `before`. Keyset paging: the index is read from the position on,
        however deep it is, instead of skipping rows with OFFSET. Only the positions are
        read here, without joins, so that the planner walks the index in order and stops
        at `size`; the caller fetches those tickets' rows by id."""
        positions = self.values_list("priority", "created_at", "pk")
        if after is None and before is None:
            return list(positions.order_by("-priority", "created_at", "id")[:size])
        forward = before is None
        priority, created_at, pk = after if forward else before
        if forward:
            # The redundant created_at bound lets the index scan start at the position.
            same_priority = Q(priority=priority, created_at__gte=created_at) & (
                Q(created_at__gt=created_at) | Q(pk__gt=pk)
            )
            next_priorities = Q(priority__lt=priority)
            order = ("-priority", "created_at", "id")
        else:
            same_priority = Q(priority=priority, created_at__lte=created_at) & (
                Q(created_at__lt=created_at) | Q(pk__lt=pk)
            )
            next_priorities = Q(priority__gt=priority)
            order = ("priority", "-created_at", "-id")
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # Two index range scans glued together: with a single OR, PostgreSQL would walk
            # the position's priority from its first ticket on every page.
            parts = positions.filter(same_priority).order_by(*order)[:size].union(
                positions.filter(next_priorities).order_by(*order)[:size], all=True
            )
            found = sorted(parts, key=lambda p: (-p[0], p[1], p[2]), reverse=not forward)[:size]
        else:
            found = list(positions.filter(same_priority | next_priorities).order_by(*order)[:size])
        return found if forward else found[::-1]



class Ticket(ConcurrentTransitionMixin, TicketServiceLevel, models.Model):
    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incidente")
        REQUEST = "request", _("Solicitud")

    class Channel(models.TextChoices):
        WEB = "web", _("Formulario web")
        EMAIL = "email", _("Correo electrónico")
        PHONE = "phone", _("Teléfono")
        MONITORING = "monitoring", _("Monitoreo")

    class State(models.TextChoices):
        OPEN = "open", _("Abierto")
        IN_PROGRESS = "in_progress", _("En proceso")
        PENDING_USER = "pending_user", _("Pendiente usuario")
        PENDING_VENDOR = "pending_vendor", _("Pendiente proveedor")
        SOLVED = "solved", _("Solucionado")
        CLOSED = "closed", _("Cerrado")
        CANCELLED = "cancelled", _("Cancelado")

    class ResolutionCode(models.TextChoices):
        RESOLVED = "resolved", _("Resuelto")
        WORKAROUND = "workaround", _("Solución temporal")
        FALSE_INCIDENT = "false_incident", _("Falsa incidencia")
        REQUEST_FULFILLED = "request_fulfilled", _("Solicitud atendida")
        NOT_REPRODUCIBLE = "not_reproducible", _("No reproducible")
        VENDOR_FIX = "vendor_fix", _("Resuelto por el proveedor")

    # What the requester reads of each resolution code, in the solution email and on their
    # pages: a neutral sentence, never the code, which stays for the desk and the reports
    # (docs/process.md, «Solution confirmation»). One per code.
    RESOLUTION_FOR_REQUESTER = {
        ResolutionCode.RESOLVED: _("Encontramos la causa del problema y la corregimos; en la solución le explicamos lo que hicimos."),
        ResolutionCode.WORKAROUND: _("Le dejamos una forma de seguir trabajando sin el problema; en la solución le explicamos cómo aplicarla."),
        ResolutionCode.FALSE_INCIDENT: _("Revisamos su reporte y no encontramos una falla que corregir; le explicamos lo que vimos en la solución."),
        ResolutionCode.REQUEST_FULFILLED: _("Atendimos lo que nos pidió; en la solución le contamos lo que hicimos."),
        ResolutionCode.NOT_REPRODUCIBLE: _("Revisamos el problema y no volvió a presentarse en nuestras pruebas; en la solución le contamos lo que revisamos. Si vuelve a ocurrir, díganos."),
        ResolutionCode.VENDOR_FIX: _("El proveedor del servicio corrigió el problema; en la solución le explicamos lo que cambió."),
    }

    class CancelReason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicado")
        UNAUTHORIZED_CONTACT = "unauthorized_contact", _("Contacto no autorizado")
        NO_POLICY = "no_policy", _("Póliza no vigente")
        WITHDRAWN = "withdrawn", _("Retirado por el solicitante")
        OTHER = "other", _("Otro motivo")

    FINAL_STATES = (State.CLOSED, State.CANCELLED)
    PENDING_STATES = (State.PENDING_USER, State.PENDING_VENDOR)
    WORKING_STATES = (State.IN_PROGRESS, State.PENDING_USER, State.PENDING_VENDOR)
    # "In course": the tickets that still need the desk, and whose SLA clocks may run.
    # A solved ticket waits for its requester's confirmation, not for an agent.
    IN_COURSE_STATES = (State.OPEN, *WORKING_STATES)
    NOT_FINAL_STATES = (*IN_COURSE_STATES, State.SOLVED)
    # "Terminados": the desk's work on them is done, confirmed or not (docs/glossary.md).
    FINISHED_STATES = (State.SOLVED, *FINAL_STATES)
    REFERENCE_PREFIX = references.PREFIXES  # by Kind value

    # Null until the insert gives the ticket its number: unique, and many nulls may wait at once.
    reference = models.CharField(_("referencia"), max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices)
    requester = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("solicitante")
    )
    organization = models.ForeignKey(
        "customers.Organization",
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        verbose_name=_("organización"),
    )
    module = models.ForeignKey(
        "catalog.Module",
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        verbose_name=_("módulo"),
    )
    subject = models.CharField(_("asunto"), max_length=200)
    description = models.TextField(_("descripción"))
    occurred_at = models.DateTimeField(_("fecha y hora del incidente"), null=True, blank=True)

    urgency = models.PositiveSmallIntegerField(_("urgencia"), choices=Urgency.choices, default=Urgency.LOW)
    impact = models.PositiveSmallIntegerField(_("impacto"), choices=Impact.choices, default=Impact.UNASSESSED)
    priority = models.PositiveSmallIntegerField(_("prioridad"), choices=Priority.choices, default=Priority.LOW)

    state = FSMField(_("estado"), max_length=16, choices=State.choices, default=State.OPEN, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        null=True,
        blank=True,
        verbose_name=_("asignado a"),
    )
    level = models.PositiveSmallIntegerField(_("nivel"), choices=SupportLevel.choices, default=SupportLevel.N1)

    solution = models.TextField(_("solución"), blank=True)
    resolution_code = models.CharField(
        _("código de resolución"), max_length=20, choices=ResolutionCode.choices, blank=True
    )
    cancel_reason = models.CharField(_("motivo de cancelación"), max_length=24, choices=CancelReason.choices, blank=True)
    cancel_note = models.TextField(_("explicación de la cancelación"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="duplicates",
        null=True,
        blank=True,
        verbose_name=_("duplicado de"),
    )
    vendor_name = models.CharField(_("proveedor"), max_length=200, blank=True)
    vendor_reference = models.CharField(_("referencia del proveedor"), max_length=100, blank=True)

    reopen_count = models.PositiveSmallIntegerField(_("reaperturas"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("escalamientos"), default=0)

    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)
    first_response_at = models.DateTimeField(_("primera respuesta"), null=True, blank=True, editable=False)
    solved_at = models.DateTimeField(_("solucionado"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("cerrado"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelado"), null=True, blank=True, editable=False)

    # Service level. Written only by sla.services (at each lifecycle point, by the beat
    # sweep and by `manage.py sla_recompute`), which holds the rules; null until computed.
    # Targets and figures are business time of the plan's calendar; instants are UTC.
    sla_plan = models.ForeignKey(
        "sla.SLAPlan",
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("plan de SLA"),
    )
    first_response_target = models.DurationField(_("objetivo de primera respuesta"), null=True, blank=True, editable=False)
    resolution_target = models.DurationField(_("objetivo de resolución"), null=True, blank=True, editable=False)
    first_response_warn_at = models.DateTimeField(_("aviso de primera respuesta"), null=True, blank=True, editable=False)
    first_response_due = models.DateTimeField(_("vence la primera respuesta"), null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(_("aviso de resolución"), null=True, blank=True, editable=False)
    resolution_due = models.DateTimeField(_("vence la resolución"), null=True, blank=True, editable=False)
    # Business time the resolution clock stood still (pausing states, Solucionado before a
    # reopening); the resolution deadlines are pushed out by it.
    resolution_paused = models.DurationField(
        _("tiempo en pausa"), default=datetime.timedelta(0), db_default=datetime.timedelta(0), editable=False
    )
    # When the resolution clock stopped (a pausing state, or Solucionado); null while it runs.
    resolution_paused_since = models.DateTimeField(_("reloj de resolución detenido desde"), null=True, blank=True, editable=False)
    # Met or missed, and the business time used, once the clock stops (null until then).
    first_response_met = models.BooleanField(_("primera respuesta a tiempo"), null=True, blank=True, editable=False)
    first_response_time = models.DurationField(_("tiempo hábil hasta la primera respuesta"), null=True, blank=True, editable=False)
    resolution_met = models.BooleanField(_("resuelto a tiempo"), null=True, blank=True, editable=False)
    resolution_time = models.DurationField(_("tiempo hábil de resolución"), null=True, blank=True, editable=False)
    # The earliest warning or deadline not yet recorded of the clocks that run; null when
    # none runs. The sweep reads it by index range (TicketQuerySet.due_for_sla).
    sla_next_check_at = models.DateTimeField(_("próxima revisión del SLA"), null=True, blank=True, editable=False)

    # Full-text search (possible duplicates, similar solved tickets): kept by the database.
    search_vector = models.GeneratedField(
        expression=TicketSearchDocument(), output_field=SearchVectorField(), db_persist=True
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-priority", "created_at", "id"]
        permissions = [
            ("work_ticket", _("Puede atender tickets (tomar, responder, escalar, solucionar)")),
            ("assign_ticket", _("Puede asignar tickets a agentes")),
            ("cancel_ticket", _("Puede cancelar tickets")),
        ]
        indexes = [
            # Not-final tickets (not_final(), solved included) in queue order: the admin's
            # "En curso" list and any not_final() read in that order.
            models.Index(
                F("priority").desc(),
                F("created_at"),
                F("id"),
                name="ticket_queue_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor", "solved"]),
            ),
            models.Index(fields=["state", "-priority", "created_at"], name="ticket_state_queue_idx"),
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state_idx"),
            # The agents' queue (workspace.queue): each view and filter reads an index in
            # queue order from its page's position on; the conditions match the querysets'
            # states exactly (in_course(): open, in progress, pending). Searches by words use
            # ticket_subject_trgm_idx, a PostgreSQL trigram index on the tickets in course
            # (migrations 0003 and 0006; not declared here: SQLite has none).
            models.Index(
                fields=["-priority", "created_at", "id"],
                name="ticket_unsolved_queue_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor"]),
            ),
            models.Index(
                fields=["-priority", "created_at", "id"],
                name="ticket_unassigned_queue_idx",
                condition=Q(assignee__isnull=True, state__in=["open", "in_progress", "pending_user", "pending_vendor"]),
            ),
            models.Index(
                fields=["-priority", "created_at", "id"],
                name="ticket_pending_queue_idx",
                condition=Q(state__in=["pending_user", "pending_vendor"]),
            ),
            # «Terminados» (finished()): most of a desk's tickets, read in queue order from a
            # page's position on like the other views. A word search in every state uses
            # ticket_subject_any_trgm_idx (migration 0010, PostgreSQL only).
            models.Index(
                fields=["-priority", "created_at", "id"],
                name="ticket_finished_queue_idx",
                condition=Q(state__in=["solved", "closed", "cancelled"]),
            ),
            models.Index(
                fields=["assignee", "-priority", "created_at", "id"],
                name="ticket_assignee_queue_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor", "solved"]),
            ),
            models.Index(
                fields=["module", "-priority", "created_at", "id"],
                name="ticket_module_queue_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor"]),
            ),
            models.Index(
                fields=["organization", "-priority", "created_at", "id"],
                name="ticket_organization_queue_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor"]),
            ),
            # The ticket page's text rankings read a window of the latest tickets: the
            # organization's unfinished ones (possible duplicates), and the solved ones
            # with a solution of the module and of the organization (similar solved
            # tickets, the guidance). Each window is an index-only scan of ids.
            models.Index(
                fields=["organization", "-id"],
                name="ticket_organization_recent_idx",
                condition=Q(state__in=["open", "in_progress", "pending_user", "pending_vendor", "solved"]),
            ),
            models.Index(
                fields=["module", "-id"],
                name="ticket_module_solved_idx",
                condition=Q(state__in=["solved", "closed"]) & ~Q(solution=""),
            ),
            models.Index(
                fields=["organization", "-id"],
                name="ticket_organization_solved_idx",
                condition=Q(state__in=["solved", "closed"]) & ~Q(solution=""),
            ),
            # The reports' refresh: the tickets saved since its last run (reports.refresh).
            models.Index(fields=["updated_at"], name="ticket_updated_idx"),
            # The SLA sweep: only tickets with an instant still to record are in it.
            models.Index(
                fields=["sla_next_check_at"],
                name="ticket_sla_next_check_idx",
                condition=Q(sla_next_check_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.reference or _('(sin referencia)')} · {self.subject}"

    # Derived facts -------------------------------------------------------

    def build_reference(self) -> str:
        """INC-000123 / REQ-000124 (tickets/references.py): the type's prefix and the
        ticket's number, unique because the number is the row's primary key."""
        return references.format_reference(self.REFERENCE_PREFIX[self.kind], self.pk)

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES

    @property
    def is_pending(self) -> bool:
        return self.state in self.PENDING_STATES

    @property
    def resolution_for_requester(self) -> str:
        """The neutral sentence the requester reads for the resolution code ("" without one)."""
        return str(self.RESOLUTION_FOR_REQUESTER.get(self.resolution_code, ""))

    def recompute_priority(self) -> int:
        self.priority = PriorityRule.priority_for(self.urgency, self.impact)
        return self.priority

    # Transitions: they check and change this object; services persist them. ---

    @transition(
        field=state,
        source=State.OPEN,
        target=State.IN_PROGRESS,
        permission="tickets.work_ticket",
        custom={"label": _("Tomar"), "admin": True},
    )
    def take(self, *, agent):
        """An agent takes an unassigned ticket: the first response."""
        if self.assignee_id is not None and self.assignee_id != agent.pk:
            raise ValidationError(_("El ticket ya fue tomado por %(agent)s.") % {"agent": self.assignee})
        self.assignee = agent
        self._first_response_by_step(self.State.IN_PROGRESS, timezone.now())

    @transition(
        field=state,
        source=State.OPEN,
        target=State.IN_PROGRESS,
        permission="tickets.assign_ticket",
        custom={"label": _("Asignar e iniciar"), "admin": True},
    )
    def assign(self, *, assignee):
        """A coordinator assigns an open ticket to an agent, which starts it."""
        if assignee is None:
            raise ValidationError(_("Elija el agente al que se asigna el ticket."))
        self.assignee = assignee
        self._first_response_by_step(self.State.IN_PROGRESS, timezone.now())

    @transition(
        field=state,
        source=WORKING_STATES,
        target=None,  # the ticket changes hands and keeps its state
        permission="tickets.assign_ticket",
        # The admin reassigns with its bulk action, not with a button of its own.
        custom={"label": _("Reasignar"), "admin": False},
    )
    def reassign(self, *, assignee):
        """A coordinator hands a ticket in progress or pending to another agent."""
        if assignee is None:
            raise ValidationError(_("Elija el agente al que se asigna el ticket."))
        self.assignee = assignee

    def can_be_assigned(self) -> bool:
        """Whether a coordinator may give this ticket to an agent now: an open ticket is
        assigned (and starts), one in progress or pending is reassigned (and keeps its
        state). The workspace's Asignar button and `ticket_assign` both ask this."""
        return can_proceed(self.assign) or can_proceed(self.reassign)

    def check_escalation(self, *, to_agent: bool = False) -> None:
        """Raise why this ticket may not be escalated now (to a named agent, with
        `to_agent`): it must be in course and below the highest level, N3; an open ticket
        has nobody in charge to hand over from. `ticket_escalate` checks it on the locked
        row; the workspace's Escalar button asks `can_be_escalated`."""
        if self.state not in self.IN_COURSE_STATES:
            raise ValidationError(
                _("No se puede escalar un ticket en estado «%(state)s».") % {"state": self.get_state_display()},
                code="not_allowed",
            )
        if self.level >= SupportLevel.N3:
            raise ValidationError(_("El ticket ya está en el nivel más alto (N3)."), code="max_level")
        if to_agent and self.state == self.State.OPEN:
            raise ValidationError(
                _("Un ticket abierto no tiene responsable: tómelo o asígnelo antes de escalarlo a un agente."),
                code="not_allowed",
            )

    def can_be_escalated(self) -> bool:
        try:
            self.check_escalation()
        except ValidationError:
            return False
        return True

    def is_taken_by_someone_else(self, agent) -> bool:
        """Somebody other than `agent` already works this ticket: what a late taker is told."""
        return self.state in self.WORKING_STATES and self.assignee_id is not None and self.assignee_id != agent.pk

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.PENDING_USER,
        permission="tickets.work_ticket",
        custom={"label": _("Pendiente usuario"), "admin": True},
    )
    def wait_for_user(self, *, message: str):
        """Ask the requester for something; their reply brings it back."""
        self._require_text(message, _("Escriba la pregunta o petición para el solicitante."))

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.PENDING_VENDOR,
        permission="tickets.work_ticket",
        custom={"label": _("Pendiente proveedor"), "admin": True},
    )
    def wait_for_vendor(self, *, message: str, vendor_name: str, vendor_reference: str = ""):
        self._require_text(message, _("Escriba el mensaje para el solicitante."))
        self._require_text(vendor_name, _("Indique el proveedor del que se espera respuesta."))
        self.vendor_name = vendor_name.strip()
        self.vendor_reference = (vendor_reference or "").strip()

    @transition(
        field=state,
        source=[State.PENDING_USER, State.PENDING_VENDOR],
        target=State.IN_PROGRESS,
        permission="tickets.work_ticket",
        custom={"label": _("Reanudar"), "admin": True},
    )
    def resume(self):
        """Back to work: the requester answered or the vendor delivered."""

    @transition(
        field=state,
        source=[State.IN_PROGRESS, State.PENDING_USER, State.PENDING_VENDOR],
        target=State.SOLVED,
        permission="tickets.work_ticket",
        custom={"label": _("Solucionar"), "admin": True},
    )
    def solve(self, *, solution: str, resolution_code: str):
        self._require_text(solution, _("Describa la solución: se enviará al solicitante."))
        if resolution_code not in self.ResolutionCode.values:
            raise ValidationError(_("Elija un código de resolución."))
        self.solution = solution.strip()
        self.resolution_code = resolution_code
        self.solved_at = timezone.now()

    @transition(
        field=state,
        source=State.SOLVED,
        target=State.CLOSED,
        permission="tickets.work_ticket",
        custom={"label": _("Cerrar"), "admin": True},
    )
    def close(self):
        """The requester accepted the solution, or the confirmation window passed."""
        self.closed_at = timezone.now()

    @transition(
        field=state,
        source=State.SOLVED,
        target=State.IN_PROGRESS,
        permission="tickets.work_ticket",
        custom={"label": _("Reabrir"), "admin": True},
    )
    def reopen(self, *, message: str):
        """The requester rejected the solution: a reopening, counted."""
        self._require_text(message, _("Explique por qué el problema sigue."))
        self.reopen_count += 1
        self.solved_at = None

    @transition(
        field=state,
        source=[State.OPEN, State.IN_PROGRESS, State.PENDING_USER, State.PENDING_VENDOR, State.SOLVED],
        target=State.CANCELLED,
        # Whoever may cancel for some reason (`cancel_reasons_for`); which reason, the
        # service checks (tickets.services.ticket_cancel).
        permission=lambda ticket, user: bool(ticket.cancel_reasons_for(user)),
        custom={"label": _("Cancelar"), "admin": True},
    )
    def cancel(self, *, reason: str, note: str = "", duplicate_of=None):
        """Who may, with which reason: `cancel_reasons_for`; the intake cancels on its own
        (no user) for the gatekeeping reasons. What each reason needs: `check_cancel`."""
        self.check_cancel(reason=reason, note=note, duplicate_of=duplicate_of)
        if reason in self.CANCEL_NEEDS_ORIGINAL:
            self.duplicate_of = duplicate_of
        self.cancel_reason = reason
        self.cancel_note = (note or "").strip()
        self.cancelled_at = timezone.now()

    # Who may cancel with which reason (docs/process.md, «Who may do what»): cancelling a
    # duplicate is the agent's decision (they see the possible duplicates); every other
    # reason is the coordinator's (tickets.cancel_ticket, accounts/roles.py).
    AGENT_CANCEL_REASONS = (CancelReason.DUPLICATE,)

    @classmethod
    def cancel_reasons_for(cls, user) -> tuple[str, ...]:
        """The reasons `user` may cancel a ticket with, in the order of CancelReason: all of
        them for a coordinator, Duplicado for an agent, none for anybody else. The cancel
        transition's permission, `ticket_cancel` and both surfaces' cancel forms ask it."""
        if holds(user, CANCEL_PERMISSION):
            return tuple(cls.CancelReason.values)
        if holds(user, WORK_PERMISSION):
            return tuple(cls.AGENT_CANCEL_REASONS)
        return ()

    # The cancel rules: what each reason needs besides itself.
    CANCEL_NEEDS_ORIGINAL = (CancelReason.DUPLICATE,)  # the ticket it duplicates
    CANCEL_NEEDS_NOTE = (CancelReason.OTHER,)  # an explanation for the requester

    def check_cancel(self, *, reason: str, note: str = "", duplicate_of=None) -> None:
        """Raise, keyed by argument ("reason", "duplicate_of", "note"), why this ticket may
        not be cancelled with these arguments. The transition and both surfaces' cancel
        form (tickets/transition_forms.py) ask it."""
        if reason not in self.CancelReason.values:
            raise ValidationError({"reason": _("Elija el motivo de la cancelación.")})
        if reason in self.CANCEL_NEEDS_ORIGINAL:
            if duplicate_of is None:
                raise ValidationError({"duplicate_of": _("Indique la referencia del ticket original.")})
            if duplicate_of.pk == self.pk:
                raise ValidationError({"duplicate_of": _("Un ticket no puede ser duplicado de sí mismo.")})
        if reason in self.CANCEL_NEEDS_NOTE and not (note or "").strip():
            raise ValidationError({"note": _("Explique el motivo de la cancelación.")})

    @staticmethod
    def _require_text(value, message):
        if not (value or "").strip():
            raise ValidationError(message)


class Message(models.Model):
    """A line of the ticket's conversation. Internal notes never reach the requester."""

    class Kind(models.TextChoices):
        PUBLIC_REPLY = "reply", _("Respuesta al solicitante")
        INTERNAL_NOTE = "note", _("Nota interna")
        FROM_REQUESTER = "requester", _("Mensaje del solicitante")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket_messages",
        verbose_name=_("autor"),
    )
    body = models.TextField(_("mensaje"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="requester") | Q(author__isnull=True),
                name="requester_message_has_no_staff_author",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.INTERNAL_NOTE


def attachment_path(instance, filename):
    """A generated name: nothing of the client's path or name reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    today = timezone.now()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket")
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments", verbose_name=_("mensaje")
    )
    file = models.FileField(_("archivo"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nombre original"), max_length=255)
    content_type = models.CharField(_("tipo de contenido"), max_length=100)
    size = models.PositiveBigIntegerField(_("tamaño (bytes)"))
    is_internal = models.BooleanField(_("interno"), default=False)
    uploaded_at = models.DateTimeField(_("subido"), default=timezone.now)

    class Meta:
        verbose_name = _("archivo adjunto")
        verbose_name_plural = _("archivos adjuntos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class TicketChange(models.Model):
    """One row of a ticket's history: who changed what, from what to what, and when.

    Written explicitly by the services, never by signals. Values are stored raw (codes,
    ids) for reports, and as shown at the time for people (names can change later)."""

    class Field(models.TextChoices):
        CREATED = "created", _("Creación")
        STATE = "state", _("Estado")
        PRIORITY = "priority", _("Prioridad")
        URGENCY = "urgency", _("Urgencia")
        IMPACT = "impact", _("Impacto")
        ASSIGNEE = "assignee", _("Asignado a")
        LEVEL = "level", _("Nivel")
        MODULE = "module", _("Módulo")
        KIND = "kind", _("Tipo")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="changes", verbose_name=_("ticket"))
    at = models.DateTimeField(_("fecha"), default=timezone.now)
    actor = history_actor("ticket_changes")
    field = models.CharField(_("qué"), max_length=10, choices=Field.choices)
    old_value = models.CharField(_("valor anterior"), max_length=40, blank=True)
    new_value = models.CharField(_("valor nuevo"), max_length=40, blank=True)
    old_display = models.CharField(_("antes"), max_length=200, blank=True)
    new_display = models.CharField(_("después"), max_length=200, blank=True)
    note = models.TextField(_("motivo o comentario"), blank=True)
    # The cancellation the gatekeeping made as the report came in (ticket_open): the
    # ticket was never in course, so its history replays with nothing due.
    gatekeeping = models.BooleanField(
        _("cancelado al recibirlo"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("El reporte se canceló al recibirlo: el solicitante no tiene servicio."),
    )

    class Meta:
        verbose_name = _("cambio del ticket")
        verbose_name_plural = _("historial")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="change_ticket_at_idx")]

    def __str__(self):
        return f"{self.get_field_display()}: {self.old_display} → {self.new_display}"


class RequesterLink(models.Model):
    """One secret link in one email to the requester (tickets.links).

    Only a SHA-256 hash of the secret is kept. The link is spent the first time a
    browser opens it (that browser's session may then see the ticket), so that a copy
    left in an access log or a Referer opens nothing; it also stops working when the
    ticket's link window ends."""

    class Purpose(models.TextChoices):
        FOLLOW = "follow", _("página del ticket")
        CONFIRMATION = "confirmation", _("confirmación de la solución")
        SURVEY = "survey", _("encuesta")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="requester_links", verbose_name=_("ticket"))
    purpose = models.CharField(_("para"), max_length=20, choices=Purpose.choices)
    # The solution round or survey the link opens (their app's row), when it opens one.
    target_id = models.PositiveBigIntegerField(_("objeto"), null=True, blank=True)
    # Found by the selector, then the secret's hash is compared in constant time.
    selector = models.CharField(_("selector"), max_length=32, unique=True)
    secret_hash = models.CharField(_("huella del secreto"), max_length=64)
    created_at = models.DateTimeField(_("creado"), default=timezone.now, editable=False)
    used_at = models.DateTimeField(_("usado"), null=True, blank=True)

    class Meta:
        verbose_name = _("enlace del solicitante")
        verbose_name_plural = _("enlaces del solicitante")

    def __str__(self):
        return f"{self.ticket_id} · {self.get_purpose_display()}"
