"""The records that solving and closing a ticket create: the solution's confirmation and
the satisfaction survey. tickets.services calls this module at two lifecycle points,
inside its own transaction with the ticket's row locked; this module imports nothing of
tickets.services (the requester's answers, which call back into the lifecycle, are
surveys.answers):

| lifecycle point (tickets.services) | call              | what happens here                                   |
|------------------------------------|-------------------|-----------------------------------------------------|
| solved (ticket_solve)              | confirmation_open | a confirmation row with its due instant (a previous round still pending is superseded); the solution email (queued right after) carries its signed links |
| closed (ticket_close)              | survey_send       | a confirmation still pending is settled (closed by the desk, or expired), and the survey row and its email go |

The window, where the rules left a choice: N business days of the calendar of the
organization's SLA plan (`SLAPlan.confirmation_business_days`, 3 by default): it ends at
the solution's local time of day on the Nth business day after the day of the solution
(a day the calendar opens: weekends and holidays do not count; every day does on a 24×7
calendar).

Every change of a confirmation's outcome goes through `confirmation_change`: the row is
locked (the ticket's lock is the caller's), the transition runs, the row is saved and its
history row written.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from notifications.services import email_queue
from sla.clock import MAX_CLOSED_DAYS, ONE_DAY, BusinessCalendar
from sla.services import business_calendar_of, sla_plan_for
from tickets.links import EmailLinks, requester_url
from tickets.models import Ticket

from .links import survey_url
from .models import RATING_CHOICES, RATING_SCALE, ConfirmationChange, SolutionConfirmation, Survey, SurveySettings

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
    """(business days, due instant) of a solution delivered now to this ticket. The
    calendar's value is the one sla keeps per process (`business_calendar_of`)."""
    plan = sla_plan_for(organization=ticket.organization)
    days = plan.confirmation_business_days
    return days, business_days_after(ticket.solved_at, days, business_calendar_of(plan.calendar))


# The confirmation's outcome ---------------------------------------------------------


def confirmation_change(
    confirmation: SolutionConfirmation, transition: str, *, by=None, note: str = "", **arguments
) -> SolutionConfirmation:
    """Run one transition of a confirmation whose row the caller has locked (inside its
    transaction), save it and write its history row: who (`by`; None for the requester
    or the system), when, from what to what, and why (`note`)."""
    old = confirmation.outcome
    getattr(confirmation, transition)(**arguments)
    confirmation.save(update_fields=["outcome", "answered_at", "comment"])
    ConfirmationChange.objects.create(
        confirmation=confirmation, actor=by, old_outcome=old, new_outcome=confirmation.outcome, note=note
    )
    return confirmation


def _settle_pending(ticket: Ticket, transition: str, *, by=None) -> None:
    """The round of `ticket` still pending, if any, stops waiting (`transition`). At most
    one row: a ticket waits for one answer at a time (a unique constraint)."""
    pending = SolutionConfirmation.objects.pending().select_for_update().filter(ticket=ticket).first()
    if pending is not None:
        confirmation_change(pending, transition, by=by)


def confirmation_open(*, ticket: Ticket, by=None) -> SolutionConfirmation:
    """A solution was delivered (ticket_solve, ticket locked): it waits for the
    requester's answer until its due instant. A previous round still pending has no
    effect any more (superseded, by whoever delivered this one)."""
    _settle_pending(ticket, "supersede", by=by)
    days, due_at = confirmation_window(ticket)
    return SolutionConfirmation.objects.create(
        ticket=ticket, solved_at=ticket.solved_at, business_days=days, due_at=due_at
    )


def pending_confirmation(ticket: Ticket) -> SolutionConfirmation | None:
    """The solution round waiting for the requester now, if the ticket is Solucionado."""
    if ticket.state != Ticket.State.SOLVED:
        return None
    return SolutionConfirmation.objects.pending().filter(ticket=ticket, solved_at=ticket.solved_at).first()


# The survey -------------------------------------------------------------------------


def star_links(survey: Survey, links: EmailLinks) -> list[dict]:
    """The five stars of one survey email (`links`), each a link that opens the page with
    that rating, with its words ("1 estrella: muy mala") and, under the first and the
    fifth, the scale's ("Muy malo", "Excelente"); all of them share the email's one
    survey token."""
    return [
        {"rating": rating, "label": label, "url": survey_url(survey, rating, links=links), "scale": RATING_SCALE.get(rating, "")}
        for rating, label in RATING_CHOICES
    ]


def survey_send(*, ticket: Ticket, by=None, automatic: bool = False, notify: bool = True) -> Survey:
    """The ticket closed (ticket_close, ticket locked): a confirmation still pending no
    longer waits (expired if the close is automatic, else closed by the desk: an agent
    recording the acceptance, a replay), and the requester gets the survey, valid for the
    configured days. Once per ticket. notify=False (a caller replaying history, like the
    demo loader) records the survey without emailing it."""
    _settle_pending(ticket, "expire" if automatic else "close_by_desk", by=by)
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
    if created and notify:
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
