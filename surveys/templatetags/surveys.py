"""`{% load surveys %}`: the confirmation's and the survey's links for a ticket, for the
emails (whose context tickets.services builds) and the requester's page.

    {% solution_confirmation ticket as confirmation %}  → accept_url, reject_url, page_url
        (absolute, for emails), page_path (for pages), due_at; None unless it waits
    {% ticket_survey ticket as survey %}  → url / path, stars, answer, is_open, is_expired;
        None if no survey was sent

In an email, the absolute links come from the email's own `ticket_url` (tickets.links.
EmailLinks), so that its text and HTML parts share one token; a page gets only paths,
which carry no secret (page renders make no token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone

from tickets.links import EmailLinks

from ..links import ACCEPT, REJECT, confirmation_path, confirmation_url, survey_path, survey_url
from ..models import SolutionConfirmation, Survey, SurveyAnswer
from ..records import pending_confirmation, star_links

register = template.Library()


@dataclass(frozen=True)
class ConfirmationLinks:
    confirmation: SolutionConfirmation
    accept_url: str
    reject_url: str
    page_url: str
    page_path: str
    due_at: datetime
    business_days: int


@dataclass(frozen=True)
class SurveyLinks:
    survey: Survey
    url: str
    path: str
    stars: list
    answer: SurveyAnswer | None
    is_expired: bool

    @property
    def is_open(self) -> bool:
        return self.answer is None and not self.is_expired


def _email_links(context) -> EmailLinks | None:
    links = context.get("ticket_url")
    return links if isinstance(links, EmailLinks) else None


@register.simple_tag(takes_context=True)
def solution_confirmation(context, ticket) -> ConfirmationLinks | None:
    # The solution email's context carries the round it was just opened for
    # (`open_confirmation`, tickets.services.ticket_solve): no need to look it up again.
    confirmation = context.get("open_confirmation")
    if not (isinstance(confirmation, SolutionConfirmation) and confirmation.ticket_id == ticket.pk):
        confirmation = pending_confirmation(ticket)
    if confirmation is None:
        return None
    confirmation.ticket = ticket
    links = _email_links(context)
    return ConfirmationLinks(
        confirmation=confirmation,
        accept_url=confirmation_url(confirmation, ACCEPT, links=links) if links else "",
        reject_url=confirmation_url(confirmation, REJECT, links=links) if links else "",
        page_url=confirmation_url(confirmation, links=links) if links else "",
        page_path=confirmation_path(confirmation),
        due_at=confirmation.due_at,
        business_days=confirmation.business_days,
    )


@register.simple_tag(takes_context=True)
def ticket_survey(context, ticket) -> SurveyLinks | None:
    survey = Survey.objects.filter(ticket=ticket).select_related("answer").first()
    if survey is None:
        return None
    survey.ticket = ticket
    answer = getattr(survey, "answer", None)
    return SurveyLinks(
        survey=survey,
        url=survey_url(survey, links=links) if (links := _email_links(context)) else "",
        path=survey_path(survey),
        stars=star_links(survey, links) if links else [],
        answer=answer,
        is_expired=survey.is_expired(timezone.now()),
    )
