"""The comments of the low ratings of a period (the satisfaction section): answers rated 1
or 2 with a comment, of the surveys sent in the period (counted, as the figures count
them, on the day the survey was sent: reports.TicketFacts.survey_day), for one value of
the breakdown, newest first. One query, at most `limit` rows."""

from __future__ import annotations

import dataclasses
import datetime

from django.urls import reverse

from surveys.models import LOW_RATING, SurveyAnswer

from .models import Dimension, TicketFacts

# A dimension → the TicketFacts column that holds its value (reports.facts.dimension_values).
FACT_COLUMN = {
    Dimension.MODULE: "module_id",
    Dimension.AGENT: "agent_id",
    Dimension.LEVEL: "level",
    Dimension.PRIORITY: "priority",
    Dimension.ORGANIZATION: "organization_id",
    Dimension.CHANNEL: "channel",
    Dimension.KIND: "kind",
}
LIMIT = 20


@dataclasses.dataclass(frozen=True)
class LowRating:
    reference: str
    url: str  # the ticket's page in the workspace
    rating: int
    comment: str
    answered_at: datetime.datetime


def _facts(dimension: str, value: str | None):
    facts = TicketFacts.objects.all()
    if dimension == Dimension.ALL or value is None:
        return facts
    column = FACT_COLUMN[Dimension(dimension)]
    if value == "":
        # No module, agent or organization: the empty value of docs/reports.md.
        return facts.filter(**{f"{column}__isnull": True}) if column.endswith("_id") else facts.filter(**{column: ""})
    if column.endswith("_id") or column in ("level", "priority"):
        if not value.isdigit():
            return facts.none()
        return facts.filter(**{column: int(value)})
    return facts.filter(**{column: value})


def low_ratings(
    start: datetime.date, end: datetime.date, *, dimension: str = Dimension.ALL, value: str | None = None, limit: int = LIMIT
) -> list[LowRating]:
    """The low ratings with a comment of the surveys sent start…end (inclusive, the desk's
    days) whose ticket counts under `value` of `dimension` (None: every value)."""
    tickets = _facts(dimension, value).filter(survey_day__gte=start, survey_day__lte=end).values("ticket_id")
    # Plain values, not models: a Ticket built from a few columns would load its deferred
    # state (django-fsm reads it on init), one query a row.
    answers = (
        SurveyAnswer.objects.filter(ticket_id__in=tickets, rating__lte=LOW_RATING)
        .exclude(comment="")
        .order_by("-answered_at", "-pk")
        .values_list("ticket__reference", "ticket_id", "rating", "comment", "answered_at")[:limit]
    )
    return [
        LowRating(
            reference=reference,
            url=reverse("workspace:ticket", args=[ticket_id]),
            rating=rating,
            comment=comment,
            answered_at=answered_at,
        )
        for reference, ticket_id, rating, comment, answered_at in answers
    ]
