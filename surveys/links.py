"""The confirmation's and the survey's links (README, "Security and reliability":
nothing guessable, nothing usable left in a log).

An email's link carries a single-use token (tickets.links) bound to its purpose, its
ticket's reference and, for a confirmation, to the solution round it was sent for:
/solucion/<reference>/<token>/?respuesta=si and /encuesta/<reference>/<token>/?calificacion=N.
Opening it leads, without the token, to /solucion/<reference>/?ronda=<round>&respuesta=si
and /encuesta/<reference>/?calificacion=N, which only a browser that opened one of the
ticket's links may see. The round is not a secret: it tells which solution the page is
about, so that a link from an earlier solution cannot act on a later one. Opening a page
records nothing: only the page's POST does.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from tickets.links import EmailLinks
from tickets.models import RequesterLink, Ticket

from .models import SolutionConfirmation, Survey

# ?respuesta= on a confirmation link: which of the two actions the email's button chose.
ANSWER_PARAMETER = "respuesta"
ACCEPT, REJECT = "si", "no"
# ?ronda= on the confirmation page: the solution round it is about.
ROUND_PARAMETER = "ronda"
# ?calificacion= on a survey link: the star clicked in the email, preselected on the page.
RATING_PARAMETER = "calificacion"

Purpose = RequesterLink.Purpose


def _with_query(path: str, **query) -> str:
    query = {key: value for key, value in query.items() if value is not None}
    return f"{path}?{urlencode(query)}" if query else path


# The solution's confirmation ---------------------------------------------------------


def confirmation_path(confirmation: SolutionConfirmation, answer: str | None = None) -> str:
    """The confirmation page of this round, without any secret."""
    path = reverse("surveys:confirmation", args=[confirmation.ticket.reference])
    return _with_query(path, **{ROUND_PARAMETER: confirmation.pk, ANSWER_PARAMETER: answer})


def confirmation_url(confirmation: SolutionConfirmation, answer: str | None = None, *, links: EmailLinks) -> str:
    """The absolute link of one email (`links`): both answers share its token."""
    return links.url(
        "surveys:confirmation-open",
        Purpose.CONFIRMATION,
        confirmation.pk,
        args=[confirmation.ticket.reference],
        query={ANSWER_PARAMETER: answer},
    )


def confirmation_destination(link: RequesterLink, request) -> str:
    """Where a spent confirmation link leads: its round, with the answer it chose."""
    answer = request.GET.get(ANSWER_PARAMETER)
    path = reverse("surveys:confirmation", args=[link.ticket.reference])
    return _with_query(path, **{ROUND_PARAMETER: link.target_id, ANSWER_PARAMETER: answer if answer in (ACCEPT, REJECT) else None})


def confirmation_of_round(ticket: Ticket, round_id: str | None) -> SolutionConfirmation | None:
    """The ticket's solution round named by ?ronda= (its latest when not given)."""
    confirmations = SolutionConfirmation.objects.filter(ticket=ticket).order_by("-pk")
    if round_id:
        if not round_id.isdigit():
            return None
        confirmations = confirmations.filter(pk=int(round_id))
    confirmation = confirmations.first()
    if confirmation is not None:
        confirmation.ticket = ticket
    return confirmation


# The satisfaction survey ------------------------------------------------------------


def survey_path(survey: Survey, rating: int | None = None) -> str:
    """The survey page, without any secret; `rating` preselects a star."""
    return _with_query(reverse("surveys:survey", args=[survey.ticket.reference]), **{RATING_PARAMETER: rating})


def survey_url(survey: Survey, rating: int | None = None, *, links: EmailLinks) -> str:
    """The absolute link of one email (`links`); every star shares its token."""
    return links.url(
        "surveys:survey-open", Purpose.SURVEY, survey.pk, args=[survey.ticket.reference], query={RATING_PARAMETER: rating}
    )


def survey_destination(link: RequesterLink, request) -> str:
    rating = request.GET.get(RATING_PARAMETER, "")
    path = reverse("surveys:survey", args=[link.ticket.reference])
    return _with_query(path, **{RATING_PARAMETER: rating if rating.isdigit() else None})
