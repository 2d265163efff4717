"""The requester's answers, which move the ticket on: `confirmation_accept` (→
ticket_close), `confirmation_reject` (→ ticket_reopen, the assignee emailed),
`survey_answer` (a low rating alerts the coordinators); and the beat job
`confirmation_expire_due`, which closes what nobody answered (ticket_close(automatic=True)).
This module sits above tickets.services; the records those services create are
surveys.records.

The rules, where the process left a choice:
- Rejecting requires a comment: it becomes the requester's message on the ticket and
  tells the assignee what still fails.
- Locks are always taken ticket first, then the confirmation row (as tickets.services
  locks the ticket and survey_send then settles the row), so the requester, an agent
  and the beat job never deadlock; the beat job skips a ticket someone holds (SKIP
  LOCKED) and comes back to it on its next run.
- The beat job closes each ticket once however many runs overlap: under both locks it
  rechecks that the row is still pending and due, and that the ticket still waits for
  that solution, before the transition (recorded in the confirmation's history) and the
  close.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import coordinators
from notifications.services import email_queue
from tickets.models import Ticket
from tickets.services import agent_ticket_url, email_assignee, ticket_close, ticket_reopen

from .models import RATING_CHOICES, SolutionConfirmation, Survey, SurveyAnswer
from .records import confirmation_change

logger = logging.getLogger(__name__)

# How many due confirmations the beat job reads per query.
EXPIRE_BATCH_SIZE = 100


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# The solution's confirmation --------------------------------------------------------


def _lock_pending(confirmation: SolutionConfirmation) -> tuple[Ticket, SolutionConfirmation]:
    """The ticket's row then the confirmation's, locked; refuses a round already
    answered ("answered") or one the ticket has left ("stale"). Call inside atomic()."""
    ticket = Ticket.objects.select_for_update(no_key=True).get(pk=confirmation.ticket_id)
    row = SolutionConfirmation.objects.select_for_update().get(pk=confirmation.pk)
    if not row.is_pending:
        raise _refused(_("Ya habíamos recibido su respuesta sobre esta solución."), "answered")
    if ticket.state != Ticket.State.SOLVED or ticket.solved_at != row.solved_at:
        raise _refused(_("Este enlace corresponde a una solución anterior de su ticket."), "stale")
    return ticket, row


def confirmation_accept(*, confirmation: SolutionConfirmation, notify: bool = True) -> SolutionConfirmation:
    """The requester says the problem is solved: the ticket closes (and the survey goes;
    `notify=False`, as the demo's history: its email is not queued)."""
    with transaction.atomic():
        ticket, row = _lock_pending(confirmation)
        confirmation_change(row, "accept", at=timezone.now())
        ticket_close(ticket=ticket, by=None, notify=notify)
    return row


def confirmation_reject(
    *, confirmation: SolutionConfirmation, comment: str, notify: bool = True
) -> SolutionConfirmation:
    """The requester says the problem goes on: back to En proceso, their comment added as
    their message (ticket_reopen counts the reopening), and the assignee is emailed
    (unless `notify=False`, as in the demo's history)."""
    comment = (comment or "").strip()
    if not comment:
        raise _refused(_("Cuéntenos qué sigue fallando para que el técnico pueda retomarlo."), "required")
    with transaction.atomic():
        ticket, row = _lock_pending(confirmation)
        confirmation_change(row, "reject", at=timezone.now(), comment=comment, note=comment)
        reopened = ticket_reopen(ticket=ticket, by=None, message=comment)
        if notify:
            email_assignee(reopened, "confirmation_rejected", comment=comment)
    return row


def _expire_one(confirmation_id: int, ticket_id: int, now: datetime.datetime) -> bool:
    """Close one ticket whose window ended, unless someone else holds it (skipped: the
    next run sees it again) or it already moved on. True if it was closed here."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(no_key=True, skip_locked=True).filter(pk=ticket_id).first()
        if ticket is None:
            return False
        row = SolutionConfirmation.objects.select_for_update().filter(pk=confirmation_id).first()
        if row is None or not row.is_pending or row.due_at > now:
            return False  # answered or settled meanwhile: nothing left to do
        if ticket.state != Ticket.State.SOLVED or ticket.solved_at != row.solved_at:
            # Reopened or cancelled from the desk: this solution no longer waits.
            confirmation_change(row, "supersede", note=_("El ticket ya no espera esta solución."))
            return False
        confirmation_change(row, "expire")
        ticket_close(ticket=ticket, automatic=True)
        return True


def confirmation_expire_due(*, now: datetime.datetime | None = None, batch_size: int = EXPIRE_BATCH_SIZE) -> int:
    """The beat job: close every Solucionado ticket whose confirmation window has ended,
    recorded as automatic. Reads the due rows by index in batches (keyset on due_at, pk),
    one transaction per ticket; safe to run twice at once (each ticket is closed once).
    Returns how many tickets it closed."""
    now = now or timezone.now()
    closed = 0
    after: tuple[datetime.datetime, int] | None = None
    while True:
        due = SolutionConfirmation.objects.due(now)
        if after is not None:
            due = due.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
        batch = list(due.values_list("pk", "ticket_id", "due_at")[:batch_size])
        for confirmation_id, ticket_id, _due_at in batch:
            try:
                closed += _expire_one(confirmation_id, ticket_id, now)
            except ValidationError:  # an agent changed the ticket between our reads: next run
                logger.info("Confirmation %s skipped: its ticket changed meanwhile", confirmation_id)
        if len(batch) < batch_size:
            return closed
        after = (batch[-1][2], batch[-1][0])


# The survey -------------------------------------------------------------------------


def survey_answer(
    *, survey: Survey, rating: int, solved: bool | None = None, comment: str = "", notify: bool = True
) -> SurveyAnswer:
    """Record the requester's one answer. Refuses a survey already answered ("answered":
    nothing changes) or expired ("expired"). A low rating alerts the coordinators, unless
    notify=False (a caller replaying history, like the demo loader).

    "¿Se resolvió?": when the requester closed the ticket with "Sí, quedó resuelto"
    (Survey.solution_confirmed), that was their answer: the page does not ask again and
    the answer records solved, whatever `solved` says, so the reports' «¿Se resolvió?»
    counts it (docs/process.md, «Satisfaction survey»). Otherwise `solved` is required
    ("required")."""
    if rating not in dict(RATING_CHOICES):
        raise _refused(_("Elija de 1 a 5 estrellas."), "invalid_rating")
    if survey.solution_confirmed():
        solved = True
    elif solved is None:
        raise _refused(_("Indique si se resolvió su problema."), "required")
    now = timezone.now()
    if SurveyAnswer.objects.filter(survey=survey).exists():
        raise _refused(_("Ya habíamos recibido su respuesta a esta encuesta."), "answered")
    if survey.is_expired(now):
        raise _refused(_("El plazo para responder esta encuesta terminó."), "expired")
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                survey=survey,
                ticket_id=survey.ticket_id,
                rating=rating,
                solved=solved,
                comment=(comment or "").strip(),
                answered_at=now,
            )
            if answer.is_low and notify:
                _alert_coordinators(answer)
    except IntegrityError:  # the same answer sent twice at once: the first one stands
        raise _refused(_("Ya habíamos recibido su respuesta a esta encuesta."), "answered") from None
    return answer


def _alert_coordinators(answer: SurveyAnswer) -> None:
    ticket = answer.survey.ticket
    for coordinator in coordinators().exclude(email="").order_by("pk"):
        email_queue(
            to=coordinator.email,
            template="survey_low_rating",
            context={
                "ticket": ticket,
                "answer": answer,
                "coordinator": coordinator,
                "agent_url": agent_ticket_url(ticket),
            },
            ticket=ticket,
        )
