"""The service-level rules of a ticket, in one place (docs/process.md, «SLA»):

- when the first response happens: `TicketServiceLevel.step_gives_first_response`,
  `message_gives_first_response`, `record_first_response` and, for the history,
  `first_response_in_history`;
- what stops the resolution clock: `TicketServiceLevel.resolution_clock_after` (with
  `pausing_states`, the plan's two switches, and `resolution_clock_stops`);
- when a deadline is met (`deadline_met`), and where a ticket in course stands against
  the deadline that matters now: the traffic light, in Python for one ticket
  (`TicketServiceLevel.sla_state`) and in SQL for lists and filters
  (`TicketServiceLevelQuerySet.in_sla_state`). The SQL cannot be derived from the
  Python, so each reading of the stored columns has its Python and its SQL side by side
  (`first_response_owed` / `first_response_owed_q`, `sla_clock_stopped` /
  `sla_clock_stopped_q`), and tests/sla/test_light.py checks that they agree.

The live steps (tickets.services, and sla.services at each lifecycle point) and the
replay of a ticket's history (sla.services.replay, behind `manage.py sla_recompute`) both
ask these functions. sla computes and stores the deadlines (it has the plans and the
calendars); these rules only read a ticket's columns, or set them in memory.

Ticket and TicketQuerySet take them in as mixins, so that they read as the ticket's own
methods (`ticket.sla_state(now)`, `Ticket.objects.in_sla_state(...)`). This module imports
nothing of tickets.models, which imports it: the states are read from the ticket's class.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Message, TicketChange


class SLAState(models.TextChoices):
    """Where a ticket in course stands against its service level: the traffic light."""

    ON_TIME = "on_time", _("En tiempo")
    AT_RISK = "at_risk", _("En riesgo")
    BREACHED = "breached", _("Vencido")


def deadline_met(at: datetime.datetime, due: datetime.datetime) -> bool:
    """A deadline (or a warning instant) is met up to and including its instant; it has
    passed once that instant is strictly in the past."""
    return at <= due


class Pauses(Protocol):
    """What the resolution clock's rule needs of a plan: an SLAPlan, or sla's view of one."""

    @property
    def pausing_states(self) -> frozenset[str]: ...


class TicketServiceLevel:
    """Ticket's service-level rules (mixed into tickets.models.Ticket)."""

    # When the first response happens ---------------------------------------------------
    # Whichever comes first: the ticket leaves Abierto for En proceso (an agent takes it,
    # a coordinator assigns it) or an agent's public reply. Only the first one counts; an
    # internal note or an escalation is not a response. Pending states come after it, so
    # they only ever pause the resolution clock.

    @classmethod
    def step_gives_first_response(cls, old_state: str, new_state: str) -> bool:
        """Whether a change of state is the first response (or would be, if it is the first)."""
        return old_state == cls.State.OPEN and new_state == cls.State.IN_PROGRESS

    @staticmethod
    def message_gives_first_response(message: Message) -> bool:
        """Whether a line of the conversation is a response to the requester."""
        return message.kind == message.Kind.PUBLIC_REPLY

    def record_first_response(self, at: datetime.datetime) -> bool:
        """Keep `at` as the first response unless one was given before; True if it is this one."""
        if self.first_response_at is not None:
            return False
        self.first_response_at = at
        return True

    def _first_response_by_step(self, new_state: str, at: datetime.datetime) -> None:
        """For a transition method, which runs while the ticket is still in its source state."""
        if self.step_gives_first_response(self.state, new_state):
            self.record_first_response(at)

    @classmethod
    def first_response_in_history(
        cls, first_response_at: datetime.datetime | None, state_changes: Iterable[TicketChange]
    ) -> datetime.datetime | None:
        """When the first response came, for a ticket computed from its history: the column
        (set by the live steps), or else the first change of state that gives one."""
        if first_response_at is not None:
            return first_response_at
        return next(
            (change.at for change in state_changes if cls.step_gives_first_response(change.old_value, change.new_value)),
            None,
        )

    # What stops the resolution clock ---------------------------------------------------
    # The first-response clock never pauses. The resolution clock stands still while the
    # ticket waits in a pending state its plan pauses, and in Solucionado (a reopening runs
    # it again from where it stopped); the business time it stood still pushes its
    # deadlines out when it runs again. Cerrado and Cancelado leave it as it was.

    @classmethod
    def pausing_states(cls, *, pending_user: bool, pending_vendor: bool) -> frozenset[str]:
        """The pending states a plan stops the resolution clock in, by its two switches."""
        states = set()
        if pending_user:
            states.add(cls.State.PENDING_USER)
        if pending_vendor:
            states.add(cls.State.PENDING_VENDOR)
        return frozenset(states)

    @classmethod
    def resolution_clock_stops(cls, state: str, plan: Pauses) -> bool:
        """Whether the resolution clock stands still in `state` under `plan`. The plan is
        only read for a pending state (its pausing states are pending ones)."""
        return state == cls.State.SOLVED or (state in cls.PENDING_STATES and state in plan.pausing_states)

    @classmethod
    def resolution_clock_after(
        cls,
        new_state: str,
        *,
        stopped_since: datetime.datetime | None,
        at: datetime.datetime,
        plan: Pauses,
    ) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The resolution clock once the ticket enters `new_state` at `at`, given since when
        it stood still (None: it was running): (since when it stands still now, None if it
        runs; since when it had stood still, if it runs again from `at`: that business time
        is added to the ticket's `resolution_paused`)."""
        if new_state in cls.FINAL_STATES:
            return stopped_since, None
        if cls.resolution_clock_stops(new_state, plan):
            return stopped_since or at, None
        return None, stopped_since

    # What the stored deadlines say: in Python, and beside each its SQL -----------------

    @property
    def first_response_owed(self) -> bool:
        """Nobody has answered yet: the first-response clock is the one that matters."""
        return self.state == self.State.OPEN and self.first_response_at is None

    @classmethod
    def first_response_owed_q(cls) -> Q:
        """`first_response_owed`, in SQL."""
        return Q(state=cls.State.OPEN, first_response_at__isnull=True)

    @property
    def sla_clock_stopped(self) -> bool:
        """The resolution clock stands still: `resolution_clock_after` stopped it, and
        sla.services stored since when."""
        return self.resolution_paused_since is not None

    @classmethod
    def sla_clock_stopped_q(cls) -> Q:
        """`sla_clock_stopped`, in SQL. (Written as a negation so that its own negation, the
        running clock of in_sla_state, is the plain `IS NULL`.)"""
        return ~Q(resolution_paused_since__isnull=True)

    def sla_deadline(self) -> tuple[str, datetime.datetime, datetime.datetime] | None:
        """("first_response" or "resolution", its warning instant, its deadline) of the clock
        that matters now; None for a ticket not in course or without deadlines."""
        if self.state not in self.IN_COURSE_STATES:
            return None
        if self.first_response_due is None or self.resolution_due is None:
            return None
        if self.first_response_owed:
            return "first_response", self.first_response_warn_at, self.first_response_due
        return "resolution", self.resolution_warn_at, self.resolution_due

    def sla_state(self, now: datetime.datetime) -> SLAState | None:
        """The traffic light at `now` (in SQL: TicketServiceLevelQuerySet.in_sla_state, just
        below): red once the deadline has passed, yellow once the warning instant has,
        green before. A paused ticket keeps the light it had when its clock stopped."""
        deadline = self.sla_deadline()
        if deadline is None:
            return None
        _clock, warn_at, due = deadline
        if self.sla_clock_stopped:
            now = self.resolution_paused_since
        if not deadline_met(now, due):
            return SLAState.BREACHED
        if not deadline_met(now, warn_at):
            return SLAState.AT_RISK
        return SLAState.ON_TIME


class TicketServiceLevelQuerySet(models.QuerySet):
    """TicketQuerySet's service-level filters (mixed into tickets.models.TicketQuerySet)."""

    def in_sla_state(self, state: str, now):
        """Tickets in course whose traffic light is `state` at `now`: `TicketServiceLevel.sla_state`
        (just above), in SQL. For lists and filters; a ticket without deadlines has no light."""
        ticket = self.model
        owed = ticket.first_response_owed_q()
        running = ~ticket.sla_clock_stopped_q()

        def passed(first_response_column: str, resolution_column: str) -> Q:
            # The instant of the clock that matters (sla_deadline) is strictly before `now`;
            # a paused ticket is read at the moment its clock stopped.
            return (
                running
                & (
                    (owed & Q(**{f"{first_response_column}__lt": now}))
                    | (~owed & Q(**{f"{resolution_column}__lt": now}))
                )
            ) | (~running & Q(**{f"{resolution_column}__lt": F("resolution_paused_since")}))

        breached = passed("first_response_due", "resolution_due")
        warned = passed("first_response_warn_at", "resolution_warn_at")
        tickets = self.in_course().filter(first_response_due__isnull=False, resolution_due__isnull=False)
        if state == SLAState.BREACHED:
            return tickets.filter(breached)
        if state == SLAState.AT_RISK:
            return tickets.filter(warned & ~breached)
        if state == SLAState.ON_TIME:
            return tickets.filter(~warned & ~breached)
        raise ValueError(f"unknown SLA state {state!r}")

    def due_for_sla(self, now):
        """Tickets with a service-level instant (a warning or a deadline) passed before `now`
        and not yet recorded, the longest due first: what the beat sweep (sla.sweep) works
        on. One range scan of ticket_sla_next_check_idx: sla.services keeps
        `sla_next_check_at` at the earliest instant still to record of the clocks that run,
        and null when none runs (closed, cancelled, solved, paused)."""
        return self.filter(sla_next_check_at__isnull=False, sla_next_check_at__lt=now).order_by("sla_next_check_at")
