"""The requester's answers as events of the ticket's timeline, for the agents' ticket page
(workspace): each solution accepted or rejected and the survey's answer, in time order.
Render one with `{% include "surveys/_timeline_entry.html" with event=… %}`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import SolutionConfirmation, SurveyAnswer


@dataclass(frozen=True)
class LoopEvent:
    """One answer of the requester in the loop that closes a ticket: a confirmation
    accepted or rejected, or the survey's answer."""

    at: datetime.datetime
    confirmation: SolutionConfirmation | None = None
    answer: SurveyAnswer | None = None


def confirmation_and_survey_events(ticket) -> list[LoopEvent]:
    """Two queries whatever the ticket's history; none for a ticket never solved (no
    solution was ever put to its requester: solving sets solved_at, reopening counts)."""
    if ticket.solved_at is None and not ticket.reopen_count:
        return []
    events = [
        LoopEvent(at=confirmation.answered_at, confirmation=confirmation)
        for confirmation in SolutionConfirmation.objects.answered().filter(ticket=ticket)
    ]
    events += [LoopEvent(at=answer.answered_at, answer=answer) for answer in SurveyAnswer.objects.filter(ticket=ticket)]
    return sorted(events, key=lambda event: event.at)
