"""Closing the loop: the solution's confirmation and the satisfaction survey.

tickets.services calls this module at two lifecycle points, inside its own transaction
with the ticket's row locked:

| lifecycle point (tickets.services) | call              | what happens here                                   |
|------------------------------------|-------------------|-----------------------------------------------------|
| solved (ticket_solve)              | confirmation_open | a confirmation row with its due instant; the solution email (queued right after) carries its signed links |
| closed (ticket_close)              | survey_send       | the survey row and its email; a confirmation still pending is settled (closed by the desk, or expired) |

and the requester's answers come back here: `confirmation_accept` (→ ticket_close),
`confirmation_reject` (→ ticket_reopen, the assignee emailed), `survey_answer`; the beat
job `confirmation_expire_due` closes what nobody answered (ticket_close(automatic=True)).

The rules, where the issue left a choice:
- The window is N business days of the calendar of the organization's SLA plan
  (`SLAPlan.confirmation_business_days`, 3 by default): it ends at the solution's local
  time of day on the Nth business day after the day of the solution (a day the calendar
  opens: weekends and holidays do not count; every day does on a 24×7 calendar).
- Rejecting requires a comment: it becomes the requester's message on the ticket and
  tells the assignee what still fails.
- Locks are always taken ticket first, then the confirmation row (as tickets.services
  locks the ticket and survey_send then settles the row), so the requester, an agent
  and the beat job never deadlock; the beat job skips a ticket someone holds (SKIP
  LOCKED) and comes back to it on its next run.
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
from sla.clock import MAX_CLOSED_DAYS, ONE_DAY, BusinessCalendar
from sla.services import sla_plan_for
from tickets.links import EmailLinks, requester_url
from tickets.models import Ticket
from tickets.services import agent_ticket_url, ticket_close, ticket_reopen

from .links import survey_url
from .models import RATING_CHOICES, SolutionConfirmation, Survey, SurveyAnswer, SurveySettings

logger = logging.getLogger(__name__)

# How many due confirmations the beat job reads per query.
EXPIRE_BATCH_SIZE = 100


# The window -----------------------------------------------------------------------


def business_days_after(start: datetime.datetime, days: int, calendar: BusinessCalendar) -> datetime.datetime:
    """`start`'s local time of day on the `days`-th business day after `start`'s local
    date, as an aware UTC instant. A business day is one the calendar opens at all."""
    zone = calendar.zone
    local = start.astimezone(zone)
    day, counted, closed_in_a_row = local.date(), 0, 0
    while counted < days:
        day += ONE_DAY
        if calendar.always_open or calendar.ranges_on(day):
            counted, closed_in_a_row = counted + 1, 0
        else:
            closed_in_a_row += 1
            if closed_in_a_row > MAX_CLOSED_DAYS:
                # A calendar closed for over a year: count calendar days rather than never close.
                return (start + datetime.timedelta(days=days)).astimezone(datetime.UTC)
    wall = datetime.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(datetime.UTC)


def confirmation_window(ticket: Ticket) -> tuple[int, datetime.datetime]:
    """(business days, due instant) of a solution delivered now to this ticket."""
    plan = sla_plan_for(organization=ticket.organization)
    days = plan.confirmation_business_days
    return days, business_days_after(ticket.solved_at, days, plan.calendar.business_calendar())


# The solution's confirmation --------------------------------------------------------


def confirmation_open(*, ticket: Ticket) -> SolutionConfirmation:
    """A solution was delivered (ticket_solve, ticket locked): it waits for the
    requester's answer until its due instant. A previous round still pending has no
    effect any more."""
    SolutionConfirmation.objects.pending().filter(ticket=ticket).update(
        outcome=SolutionConfirmation.Outcome.SUPERSEDED
    )
    days, due_at = confirmation_window(ticket)
    return SolutionConfirmation.objects.create(
        ticket=ticket, solved_at=ticket.solved_at, business_days=days, due_at=due_at
    )


def pending_confirmation(ticket: Ticket) -> SolutionConfirmation | None:
    """The solution round waiting for the requester now, if the ticket is Solucionado."""
    if ticket.state != Ticket.State.SOLVED:
        return None
    return SolutionConfirmation.objects.pending().filter(ticket=ticket, solved_at=ticket.solved_at).first()


def _refused(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


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


def confirmation_accept(*, confirmation: SolutionConfirmation) -> SolutionConfirmation:
    """The requester says the problem is solved: the ticket closes (and the survey goes)."""
    with transaction.atomic():
        ticket, row = _lock_pending(confirmation)
        row.outcome = SolutionConfirmation.Outcome.ACCEPTED
        row.answered_at = timezone.now()
        row.save(update_fields=["outcome", "answered_at"])
        ticket_close(ticket=ticket, by=None)
    return row


def confirmation_reject(*, confirmation: SolutionConfirmation, comment: str) -> SolutionConfirmation:
    """The requester says the problem goes on: back to En proceso, their comment added as
    their message (ticket_reopen counts the reopening), and the assignee is emailed."""
    comment = (comment or "").strip()
    if not comment:
        raise _refused(_("Cuéntenos qué sigue fallando para que el técnico pueda retomarlo."), "required")
    with transaction.atomic():
        ticket, row = _lock_pending(confirmation)
        row.outcome = SolutionConfirmation.Outcome.REJECTED
        row.answered_at = timezone.now()
        row.comment = comment
        row.save(update_fields=["outcome", "answered_at", "comment"])
        reopened = ticket_reopen(ticket=ticket, by=None, message=comment)
        _email_assignee_of_rejection(reopened, comment)
    return row


def _email_assignee_of_rejection(ticket: Ticket, comment: str) -> None:
    assignee = ticket.assignee
    if assignee is None or not assignee.is_active or not assignee.email:
        return
    email_queue(
        to=assignee.email,
        template="confirmation_rejected",
        context={"ticket": ticket, "comment": comment, "agent": assignee, "agent_url": agent_ticket_url(ticket)},
        ticket=ticket,
    )


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
            row.outcome = SolutionConfirmation.Outcome.SUPERSEDED
            row.save(update_fields=["outcome"])
            return False
        row.outcome = SolutionConfirmation.Outcome.EXPIRED
        row.save(update_fields=["outcome"])
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


def _settle_confirmation_on_close(ticket: Ticket, automatic: bool) -> None:
    """A ticket closed other than by the requester's answer (an agent recording the
    acceptance, a replay): its pending confirmation no longer waits."""
    SolutionConfirmation.objects.pending().filter(ticket=ticket).update(
        outcome=SolutionConfirmation.Outcome.EXPIRED if automatic else SolutionConfirmation.Outcome.CLOSED_BY_DESK
    )


def star_links(survey: Survey, links: EmailLinks) -> list[dict]:
    """The five stars of one survey email (`links`), each a link that opens the page with
    that rating; all of them share the email's one survey token."""
    return [
        {"rating": rating, "label": label, "url": survey_url(survey, rating, links=links), "stars": "★" * rating}
        for rating, label in RATING_CHOICES
    ]


def survey_send(*, ticket: Ticket, automatic: bool = False, notify: bool = True) -> Survey | None:
    """The ticket closed (ticket_close, ticket locked): the requester gets the survey,
    valid for the configured days. Once per ticket. notify=False (a caller replaying
    history, like the demo loader) sends none: a survey nobody can answer would only
    lower the answer rate."""
    _settle_confirmation_on_close(ticket, automatic)
    if not notify:
        return None
    config = SurveySettings.load()
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        ticket=ticket,
        defaults={
            "sent_at": now,
            "expires_at": now + datetime.timedelta(days=config.survey_valid_days),
            "closed_automatically": automatic,
        },
    )
    if created:
        links = requester_url(ticket)
        email_queue(
            to=ticket.requester.email,
            template="survey_invitation",
            context={
                "ticket": ticket,
                "survey": survey,
                "survey_settings": config,
                "survey_url": survey_url(survey, links=links),
                "stars": star_links(survey, links),
                "ticket_url": links,
                "automatic": automatic,
            },
            ticket=ticket,
        )
    return survey


def survey_answer(*, survey: Survey, rating: int, solved: bool, comment: str = "") -> SurveyAnswer:
    """Record the requester's one answer. Refuses a survey already answered ("answered":
    nothing changes) or expired ("expired"). A low rating alerts the coordinators."""
    if rating not in dict(RATING_CHOICES):
        raise _refused(_("Elija de 1 a 5 estrellas."), "invalid_rating")
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
            if answer.is_low:
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

