"""The requester's answers, reached from the emails' links (no password).

An email's link opens once (tickets.links) and leads to the page without its token, which
only a browser that opened one of the ticket's links may see. A GET only shows a page,
whatever it carries (?respuesta=, ?calificacion= just preselect): email scanners open
links, so only the requester's POST records anything. A wrong, tampered or another
ticket's token, or a page of a ticket this browser may not see, is a plain not-found page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tickets.link_views import link_open
from tickets.links import requester_page, ticket_in_scope
from tickets.models import RequesterLink

from .answers import confirmation_accept, confirmation_reject, survey_answer
from .forms import RejectForm, SurveyForm
from .links import (
    ACCEPT,
    ANSWER_PARAMETER,
    RATING_PARAMETER,
    REJECT,
    ROUND_PARAMETER,
    confirmation_destination,
    confirmation_of_round,
    confirmation_path,
    survey_destination,
)
from .models import RATING_CHOICES, RATING_SCALE, SolutionConfirmation, Survey, SurveyAnswer, SurveySettings

ACCEPT_ACTION, REJECT_ACTION = "aceptar", "rechazar"


def _render(request, template: str, context: dict, *, status: int = 200):
    # Dates as the desk reads them, whatever the browser.
    with timezone.override(settings.TIME_ZONE):
        return render(request, template, context, status=status)


def _not_found(request, reference: str = ""):
    return _render(request, "surveys/not_found.html", {"reference": reference}, status=404)


# The solution's confirmation --------------------------------------------------------


def _confirmation_stage(confirmation: SolutionConfirmation) -> str:
    """What the page shows: "ask" while this solution waits for the answer, "stale" when
    a later solution replaced it or the ticket left it by another way, else the outcome."""
    ticket = confirmation.ticket
    if SolutionConfirmation.objects.filter(ticket=ticket, pk__gt=confirmation.pk).exists():
        return "stale"  # a later solution was sent: its email and the ticket's page count
    if confirmation.is_pending:
        waiting = ticket.state == ticket.State.SOLVED and ticket.solved_at == confirmation.solved_at
        return "ask" if waiting else "stale"
    if confirmation.outcome == SolutionConfirmation.Outcome.SUPERSEDED:
        return "stale"
    return confirmation.outcome


def _confirmation_page(request, confirmation, *, form=None, error=None, status=200):
    ticket = confirmation.ticket
    chosen = request.GET.get(ANSWER_PARAMETER)
    context = {
        "ticket": ticket,
        "confirmation": confirmation,
        "stage": _confirmation_stage(confirmation),
        "chosen": chosen if chosen in (ACCEPT, REJECT) else "",
        "form": form or RejectForm(),
        "error": error,
        "accept_action": ACCEPT_ACTION,
        "reject_action": REJECT_ACTION,
    }
    return _render(request, "surveys/confirmation.html", context, status=status)


def confirmation_open(request, reference, token):
    """The solution email's link: spent once, then on to the page of its round."""
    return link_open(
        request,
        token,
        purpose=RequesterLink.Purpose.CONFIRMATION,
        reference=reference,
        destination=confirmation_destination,
        invalid_template="surveys/not_found.html",
    )


@requester_page
@require_http_methods(["GET", "POST"])
def confirmation(request, reference):
    ticket = ticket_in_scope(request, reference)
    found = confirmation_of_round(ticket, request.GET.get(ROUND_PARAMETER)) if ticket else None
    if found is None:
        return _not_found(request, reference)
    if request.method != "POST":
        return _confirmation_page(request, found)

    action = request.POST.get("accion")
    form = RejectForm(request.POST) if action == REJECT_ACTION else None
    try:
        if action == ACCEPT_ACTION:
            confirmation_accept(confirmation=found)
        elif action == REJECT_ACTION:
            if not form.is_valid():
                return _confirmation_page(request, found, form=form, status=400)
            confirmation_reject(confirmation=found, comment=form.cleaned_data["comment"])
        else:
            return _confirmation_page(request, found, status=400)
    except ValidationError as error:
        # Answered meanwhile (another tab, the other link) or the ticket moved on.
        found.refresh_from_db()
        found.ticket.refresh_from_db()
        return _confirmation_page(request, found, form=form, error=error, status=409)
    return redirect(confirmation_path(found))


# The satisfaction survey ------------------------------------------------------------


def _preselected_rating(request) -> int | None:
    value = request.GET.get(RATING_PARAMETER, "")
    return int(value) if value.isdigit() and int(value) in dict(RATING_CHOICES) else None


def _survey_form(survey: Survey, data=None, *, config: SurveySettings | None = None, **kwargs) -> SurveyForm:
    """The survey's questions: "¿Se resolvió?" only if the requester has not already said
    "Sí, quedó resuelto" (docs/process.md, «Satisfaction survey»)."""
    config = config or SurveySettings.load()
    return SurveyForm(data, survey_settings=config, ask_solved=not survey.solution_confirmed(), **kwargs)


def _survey_page(request, survey, *, form=None, answer=None, repeated=False, status=200):
    config = SurveySettings.load()
    ticket = survey.ticket
    if answer is None and form is None:
        form = _survey_form(survey, config=config, initial={"rating": _preselected_rating(request)})
    context = {
        "ticket": ticket,
        "survey": survey,
        "survey_settings": config,
        "rating_scale": RATING_SCALE,
        "form": form,
        "answer": answer,
        "repeated": repeated,
        "expired": answer is None and survey.is_expired(),
    }
    return _render(request, "surveys/survey.html", context, status=status)


def _answer_of(survey: Survey) -> SurveyAnswer | None:
    return SurveyAnswer.objects.filter(survey=survey).first()


def survey_open(request, reference, token):
    """The survey email's links: spent once, then on to the survey with the star chosen."""
    return link_open(
        request,
        token,
        purpose=RequesterLink.Purpose.SURVEY,
        reference=reference,
        destination=survey_destination,
        invalid_template="surveys/not_found.html",
    )


@requester_page
@require_http_methods(["GET", "POST"])
def survey(request, reference):
    ticket = ticket_in_scope(request, reference)
    found = Survey.objects.filter(ticket=ticket).first() if ticket else None
    if found is None:
        return _not_found(request, reference)
    found.ticket = ticket
    answer = _answer_of(found)
    if answer is not None:
        # One answer per ticket: a second one changes nothing and says so.
        return _survey_page(request, found, answer=answer, repeated=request.method == "POST",
                            status=409 if request.method == "POST" else 200)
    if found.is_expired():
        return _survey_page(request, found, status=410)
    if request.method != "POST":
        return _survey_page(request, found)

    form = _survey_form(found, request.POST)
    if not form.is_valid():
        return _survey_page(request, found, form=form, status=400)
    try:
        survey_answer(
            survey=found,
            rating=form.cleaned_data["rating"],
            solved=form.cleaned_data.get("solved"),
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        if error.code == "answered":
            return _survey_page(request, found, answer=_answer_of(found), repeated=True, status=409)
        return _survey_page(request, found, status=410)  # expired while the page was open
    return redirect("surveys:survey", reference=reference)
