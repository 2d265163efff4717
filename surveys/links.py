"""Signed links of the confirmation and the survey (security.md: nothing guessable).

A token is the row's pk signed with the project's SECRET_KEY (HMAC-SHA256, checked in
constant time by Django), each kind with its own salt, so that a confirmation token is
not a survey token nor a requester-page token. The confirmation row is one solution
round: a link from an earlier solution names an earlier row, which can no longer act.
The URL also carries the ticket's reference, and a token is honoured only with its own
ticket's reference. Opening a link records nothing: only the page's POST does.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import SolutionConfirmation, Survey

CONFIRMATION_SALT = "surveys.confirmation-link"
SURVEY_SALT = "surveys.survey-link"

# ?respuesta= on a confirmation link: which of the two actions the email's button chose.
ANSWER_PARAMETER = "respuesta"
ACCEPT, REJECT = "si", "no"
# ?calificacion= on a survey link: the star clicked in the email, preselected on the page.
RATING_PARAMETER = "calificacion"


def _sign(salt: str, pk: int) -> str:
    return signing.Signer(salt=salt).sign(str(pk))


def _unsign(salt: str, token: str) -> int | None:
    try:
        value = signing.Signer(salt=salt).unsign(token or "")
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def _absolute(path: str) -> str:
    return settings.HELPDESK_BASE_URL.rstrip("/") + path


def _with_query(path: str, **query) -> str:
    query = {key: value for key, value in query.items() if value is not None}
    return f"{path}?{urlencode(query)}" if query else path


# The solution's confirmation ---------------------------------------------------------


def confirmation_token(confirmation: SolutionConfirmation) -> str:
    return _sign(CONFIRMATION_SALT, confirmation.pk)


def confirmation_path(confirmation: SolutionConfirmation, answer: str | None = None) -> str:
    path = reverse("surveys:confirmation", args=[confirmation.ticket.reference, confirmation_token(confirmation)])
    return _with_query(path, **{ANSWER_PARAMETER: answer})


def confirmation_url(confirmation: SolutionConfirmation, answer: str | None = None) -> str:
    """The absolute link put in the solution email."""
    return _absolute(confirmation_path(confirmation, answer))


def confirmation_for_token(reference: str, token: str) -> SolutionConfirmation | None:
    """The confirmation a genuine token names, if it belongs to the ticket `reference`;
    None when the token is tampered, unknown, malformed or another ticket's."""
    pk = _unsign(CONFIRMATION_SALT, token)
    if pk is None:
        return None
    confirmation = SolutionConfirmation.objects.select_related("ticket").filter(pk=pk).first()
    if confirmation is None or confirmation.ticket.reference != reference:
        return None
    return confirmation


# The satisfaction survey ------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return _sign(SURVEY_SALT, survey.pk)


def survey_path(survey: Survey, rating: int | None = None) -> str:
    path = reverse("surveys:survey", args=[survey.ticket.reference, survey_token(survey)])
    return _with_query(path, **{RATING_PARAMETER: rating})


def survey_url(survey: Survey, rating: int | None = None) -> str:
    """The absolute link put in the survey email; `rating` preselects a star."""
    return _absolute(survey_path(survey, rating))


def survey_for_token(reference: str, token: str) -> Survey | None:
    """The survey a genuine token names, if it belongs to the ticket `reference`."""
    pk = _unsign(SURVEY_SALT, token)
    if pk is None:
        return None
    survey = Survey.objects.select_related("ticket").filter(pk=pk).first()
    if survey is None or survey.ticket.reference != reference:
        return None
    return survey
