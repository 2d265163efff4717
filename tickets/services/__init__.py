"""Use cases that change tickets. Each one has the same shape:

transaction.atomic() → lock the row → check the state the caller saw and the
transition's permission → run the transition → save(update_fields=…) → write the
history rows → register side effects with transaction.on_commit.

`by` is the staff user acting; None means the requester (through a signed link
or email) or the system (a beat job), whose callers have checked who they are.

Each lifecycle point also makes one explicit call to sla.services, inside the same
transaction and after the transition is saved, so that the ticket's deadlines follow it:
sla_start (ticket_open), sla_first_response (take, assign, the first public reply),
sla_pause (a pending state), sla_resume (back to work), sla_solve, sla_reopen, sla_stop
(cancel, close) and sla_retarget (a new priority). The rules are there.

The emails a lifecycle point owes (docs/process.md, «Email») are queued here, inside the service's
transaction, through the outbox (sent on commit): the acknowledgement (ticket_open), an
agent's public reply, the question of Pendiente usuario, the notice of Pendiente
proveedor, the solution, the cancellation to the requester; the requester's reply to the
assignee. Internal notes are never emailed. `notify=False` suppresses them for callers
that replay history (the demo loader).

One module a stage of the process; this package exports each use case:
- steps: the shape above (lock, check, transition, save, history), TicketConflict
- history: the history rows
- emails: the emails the lifecycle owes
- intake: gatekeeping and ticket_open
- assignment: take, assign, escalate
- working: waiting, resuming, classifying, the conversation
- resolution: solve, close, reopen, cancel
- dispatch: one entry point by transition name (the admin's buttons)
"""

from __future__ import annotations

from .assignment import ticket_assign, ticket_escalate, ticket_take
from .dispatch import TRANSITION_SERVICES, ticket_transition
from .emails import agent_ticket_url, cancel_explanation, email_assignee
from .history import history_row, record_change
from .intake import Admission, ticket_admission, ticket_open
from .resolution import ticket_cancel, ticket_close, ticket_reopen, ticket_solve
from .steps import TRANSITION_FIELDS, TicketConflict
from .working import (
    ticket_add_message,
    ticket_classify,
    ticket_resume,
    ticket_wait_for_user,
    ticket_wait_for_vendor,
)

__all__ = [
    "Admission",
    "TRANSITION_FIELDS",
    "TRANSITION_SERVICES",
    "TicketConflict",
    "agent_ticket_url",
    "cancel_explanation",
    "email_assignee",
    "history_row",
    "record_change",
    "ticket_add_message",
    "ticket_admission",
    "ticket_assign",
    "ticket_cancel",
    "ticket_classify",
    "ticket_close",
    "ticket_escalate",
    "ticket_open",
    "ticket_reopen",
    "ticket_resume",
    "ticket_solve",
    "ticket_take",
    "ticket_transition",
    "ticket_wait_for_user",
    "ticket_wait_for_vendor",
]
