"""The satisfaction survey (docs/process.md, «Satisfaction survey»): sent when a ticket closes, answered once from the
email's stars, expired after its window, low ratings told to the coordinators, and the
figures the reports read. "¿Se resolvió?" is asked only of a requester who did not close
the ticket with "Sí, quedó resuelto": `closed` is such a ticket (accepted by its
requester), `asked` one an agent closed."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from reports.figures import period_figures
from reports.refresh import reports_rebuild
from surveys.answers import confirmation_accept, confirmation_expire_due, survey_answer
from surveys.links import survey_path
from surveys.models import SolutionConfirmation, Survey, SurveyAnswer, SurveySettings
from tests.factories import AgentFactory, CoordinatorFactory, TicketFactory, UserFactory
from tests.links import open_link
from tickets import services
from tickets.models import Ticket

from .helpers import FRIDAY_10AM, MEXICO, confirmation_token, emails, requester_token, solve, survey_token, the_link

pytestmark = pytest.mark.django_db

# Monday 10 March 2025, 12:00 in Mexico City: the requester accepts the solution.
MONDAY_NOON = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=MEXICO)


@pytest.fixture(autouse=True)
def _an_hour_after_the_closing():
    """The surveys are answered soon after the ticket closes, unless a test travels on."""
    with time_machine.travel(MONDAY_NOON + datetime.timedelta(hours=1), tick=False):
        yield


def close(ticket, agent, when=MONDAY_NOON):
    """Solve on Friday, then the requester accepts at `when`: the survey goes out."""
    with time_machine.travel(FRIDAY_10AM, tick=False):
        solve(ticket, agent)
    with time_machine.travel(when, tick=False):
        confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
    ticket.refresh_from_db()
    return ticket


def close_by_desk(ticket, agent, when=MONDAY_NOON):
    """Solve on Friday, then the agent closes the ticket at `when` (the requester said
    nothing through the links): the survey goes out and asks whether it was solved."""
    with time_machine.travel(FRIDAY_10AM, tick=False):
        solve(ticket, agent)
    with time_machine.travel(when, tick=False):
        services.ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), by=agent)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def closed(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return close(ticket, agent)


@pytest.fixture
def asked(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return close_by_desk(ticket, agent)


def survey_email(ticket):
    (email,) = emails("survey_invitation", ticket)
    return email


def opened(client, ticket) -> None:
    """This browser opened the survey email's link: its session now sees the ticket."""
    open_link(client, the_link(survey_email(ticket).body_text, "encuesta"))


def checked_rating(html: str) -> list[str]:
    """The values of the rating radios that are checked in a page."""
    radios = re.findall(r'<input type="radio" name="rating"[^>]*>', html)
    assert len(radios) == 5
    return [re.search(r'value="(\d)"', radio).group(1) for radio in radios if " checked" in radio]


# The email ---------------------------------------------------------------------------


def test_closing_sends_the_survey_with_five_star_links(closed, mailoutbox):
    email = survey_email(closed)
    assert email.to == closed.requester.email
    assert closed.reference in email.subject
    survey = Survey.objects.get(ticket=closed)
    browser = Client()
    for rating in range(1, 6):
        link = the_link(email.body_text, "encuesta", f"calificacion={rating}")
        assert open_link(browser, link) == survey_path(survey, rating)
        assert f'href="https://mesa.example.mx{link}"' in email.body_html.replace("&amp;", "&")
    # Valid 14 days from the closing, said in the desk's time.
    assert survey.expires_at == MONDAY_NOON + datetime.timedelta(days=14)
    assert "24 de marzo de 2025 a las 12:00" in email.body_text
    # It also left the outbox, to the requester.
    assert [m.subject for m in mailoutbox if m.to == [closed.requester.email]][-1] == email.subject


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_a_star_in_the_email_opens_the_page_with_that_rating_chosen(rating, closed, client):
    link = the_link(survey_email(closed).body_text, "encuesta", f"calificacion={rating}")
    page = client.get(open_link(client, link))
    assert page.status_code == 200
    assert checked_rating(page.content.decode()) == [str(rating)]
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("query", ["calificacion=9", "calificacion=abc", "calificacion=", ""])
def test_a_page_without_a_valid_star_has_none_chosen(query, closed, client):
    opened(client, closed)
    path = survey_path(Survey.objects.get(ticket=closed))
    html = client.get(f"{path}?{query}" if query else path).content.decode()
    assert checked_rating(html) == []


# Answering ---------------------------------------------------------------------------


def test_requester_answers_once_and_sees_the_thanks(closed, client):
    link = the_link(survey_email(closed).body_text, "encuesta", "calificacion=4")
    with time_machine.travel(MONDAY_NOON + datetime.timedelta(hours=3), tick=False):
        response = client.post(
            open_link(client, link).partition("?")[0], {"rating": "4", "solved": "si", "comment": "Muy amable el técnico."}, follow=True
        )

    page = response.content.decode()
    assert "¡Gracias por su opinión!" in page and "Su calificación: 4 de 5." in page
    answer = SurveyAnswer.objects.get(ticket=closed)
    assert (answer.rating, answer.solved, answer.comment) == (4, True, "Muy amable el técnico.")
    assert answer.answered_at == MONDAY_NOON + datetime.timedelta(hours=3)
    assert answer.survey == Survey.objects.get(ticket=closed)


@pytest.mark.parametrize(
    "data, error",
    [
        pytest.param({"solved": "si"}, "Elija de 1 a 5 estrellas.", id="no-rating"),
        pytest.param({"rating": "6", "solved": "si"}, "Elija de 1 a 5 estrellas.", id="rating-out-of-range"),
        pytest.param({"rating": "3"}, "Indique si se resolvió su problema.", id="no-solved"),
    ],
)
def test_rating_and_whether_it_was_solved_are_required(data, error, asked, client):
    opened(client, asked)
    response = client.post(survey_path(Survey.objects.get(ticket=asked)), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    # The question's group names its error, which a screen reader reads with it.
    (described,) = re.findall(r'<fieldset [^>]*aria-describedby="([^"]+)"', response.content.decode())
    assert f'<div class="field-errors" id="{described}"><p class="field-error">{error}</p></div>' in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_the_comment_is_optional(asked, client):
    opened(client, asked)
    client.post(survey_path(Survey.objects.get(ticket=asked)), {"rating": "5", "solved": "no"})
    answer = SurveyAnswer.objects.get(ticket=asked)
    assert (answer.rating, answer.solved, answer.comment) == (5, False, "")


def test_a_second_answer_shows_the_thanks_and_changes_nothing(closed, client):
    opened(client, closed)
    path = survey_path(Survey.objects.get(ticket=closed))
    client.post(path, {"rating": "4", "solved": "si", "comment": "Bien."})

    again = client.post(path, {"rating": "1", "solved": "no", "comment": "Cambié de opinión."})

    assert again.status_code == 409
    page = again.content.decode()
    assert "Ya habíamos recibido su respuesta" in page and "Su calificación: 4 de 5." in page
    answer = SurveyAnswer.objects.get(ticket=closed)
    assert (answer.rating, answer.solved, answer.comment) == (4, True, "Bien.")
    assert emails("survey_low_rating") == []


def test_one_answer_per_ticket_is_a_database_rule(closed):
    survey = Survey.objects.get(ticket=closed)
    survey_answer(survey=survey, rating=5, solved=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(survey=survey, ticket=closed, rating=1, solved=False)


def test_the_survey_expires_after_its_window(closed, client):
    opened(client, closed)
    path = survey_path(Survey.objects.get(ticket=closed))
    with time_machine.travel(MONDAY_NOON + datetime.timedelta(days=14, minutes=-1), tick=False):
        assert client.get(path).status_code == 200

    with time_machine.travel(MONDAY_NOON + datetime.timedelta(days=14), tick=False):
        page = client.get(path)
        late = client.post(path, {"rating": "5", "solved": "si"})

    assert page.status_code == late.status_code == 410
    assert "Esta encuesta ya cerró." in page.content.decode()
    assert "24 de marzo de 2025 a las 12:00" in page.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_wording_and_window_are_the_coordinators(ticket, agent, client):
    SurveySettings(
        survey_valid_days=7,
        intro="Queremos saber cómo le fue con nosotros.",
        rating_question="¿Qué tal le atendimos?",
        solved_question="¿Quedó resuelto?",
        comment_question="Cuéntenos más si quiere",
        thanks_message="¡Mil gracias!",
    ).save()

    close_by_desk(ticket, agent)
    opened(client, ticket)

    survey = Survey.objects.get(ticket=ticket)
    assert survey.expires_at == MONDAY_NOON + datetime.timedelta(days=7)
    body = survey_email(ticket).body_text
    assert "Queremos saber cómo le fue con nosotros." in body and "¿Qué tal le atendimos?" in body
    page = client.get(survey_path(survey)).content.decode()
    for text in ("¿Qué tal le atendimos?", "¿Quedó resuelto?", "Cuéntenos más si quiere"):
        assert text in page
    thanks = client.post(survey_path(survey), {"rating": "5", "solved": "si"}, follow=True).content.decode()
    assert "¡Mil gracias!" in thanks


# After «Sí, quedó resuelto» ------------------------------------------------------------

SOLVED_QUESTION = "¿Se resolvió su problema?"
ALREADY_CONFIRMED = "Ya nos confirmó que su problema quedó resuelto, así que no se lo volvemos a preguntar."


def expire(ticket, agent):
    """Solve on Friday; nobody answers, and the beat job closes it when the window ends
    (Wednesday 12 March at 10:00, three business days later)."""
    with time_machine.travel(FRIDAY_10AM, tick=False):
        solve(ticket, agent)
    assert confirmation_expire_due(now=datetime.datetime(2025, 3, 12, 10, 0, tzinfo=MEXICO)) == 1
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize(
    "closing, asks",
    [
        pytest.param(close, False, id="requester-said-yes"),
        pytest.param(close_by_desk, True, id="an-agent-closed-it"),
        pytest.param(expire, True, id="closed-without-an-answer"),
    ],
)
def test_the_survey_asks_whether_it_was_solved_unless_the_requester_said_yes(closing, asks, ticket, agent, client):
    closing(ticket, agent)
    opened(client, ticket)
    with time_machine.travel(datetime.datetime(2025, 3, 12, 11, 0, tzinfo=MEXICO), tick=False):
        page = client.get(survey_path(Survey.objects.get(ticket=ticket))).content.decode()
    assert (SOLVED_QUESTION in page, 'name="solved"' in page) == (asks, asks)
    assert (ALREADY_CONFIRMED in page) is not asks
    assert len(re.findall(r'<input type="radio" name="rating"', page)) == 5  # the stars, always


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"rating": "3"}, id="nothing-said"),
        pytest.param({"rating": "3", "solved": "no"}, id="a-no-sent-anyway"),
        pytest.param({"rating": "3", "solved": "si"}, id="a-yes-sent-anyway"),
    ],
)
def test_after_yes_the_answer_records_solved(data, closed, client):
    opened(client, closed)
    response = client.post(survey_path(Survey.objects.get(ticket=closed)), {**data, "comment": "Bien."})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get(ticket=closed)
    assert (answer.rating, answer.solved, answer.comment) == (3, True, "Bien.")


def test_without_the_requesters_yes_the_service_needs_the_answer(asked):
    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=asked.survey, rating=3)
    assert refused.value.code == "required"
    assert not SurveyAnswer.objects.exists()


def test_the_reports_count_the_yes_of_the_confirmation_as_solved(requester, agent, client):
    # Two tickets reported on Friday morning, solved at 10:00, their surveys sent on Monday
    # 10 March at noon: one closed by "Sí, quedó resuelto" and rated with its stars only,
    # one an agent closed, answered "No". «¿Se resolvió?»: 1 of 2.
    with time_machine.travel(FRIDAY_10AM - datetime.timedelta(hours=1), tick=False):
        confirmed, other = (TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent) for _ in range(2))
    close(confirmed, agent)
    close_by_desk(other, agent)
    opened(client, confirmed)
    client.post(survey_path(confirmed.survey), {"rating": "4"})
    survey_answer(survey=other.survey, rating=2, solved=False)
    reports_rebuild()

    (row,) = period_figures(datetime.date(2025, 3, 10), datetime.date(2025, 3, 10)).rows
    assert (row.satisfaction.sent, row.satisfaction.answered, row.satisfaction.solved) == (2, 2, 1)
    assert row.satisfaction.solved_share == 0.5
    assert Survey.objects.summary().solved == 1


# Bad links ---------------------------------------------------------------------------


BAD_LINKS = [
    pytest.param(lambda s, other: (s.ticket.reference, survey_token(s).split(".")[0] + "." + "A" * 43), id="tampered-signature"),
    pytest.param(lambda s, other: (s.ticket.reference, f"{s.pk}:{'A' * 43}"), id="old-signed-link"),
    pytest.param(lambda s, other: (s.ticket.reference, survey_token(other)), id="another-ticket-token"),
    pytest.param(lambda s, other: (other.ticket.reference, survey_token(s)), id="another-ticket-reference"),
    pytest.param(
        lambda s, other: (s.ticket.reference, confirmation_token(SolutionConfirmation.objects.get(ticket=s.ticket))),
        id="confirmation-token",
    ),
    pytest.param(lambda s, other: (s.ticket.reference, requester_token(s.ticket)), id="requester-page-token"),
]


@pytest.mark.parametrize("make", BAD_LINKS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_survey_link_is_a_plain_not_found_page(make, method, closed, requester, agent, client):
    other = close(TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent), agent)
    reference, token = make(Survey.objects.get(ticket=closed), Survey.objects.get(ticket=other))

    response = getattr(client, method)(f"/encuesta/{reference}/{token}/", {"rating": "1", "solved": "no"})

    assert response.status_code == 404
    assert "Enlace no válido" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_answering_needs_csrf(closed):
    client = Client(enforce_csrf_checks=True)
    opened(client, closed)
    response = client.post(survey_path(Survey.objects.get(ticket=closed)), {"rating": "5", "solved": "si"})
    assert response.status_code == 403
    assert not SurveyAnswer.objects.exists()


# Low ratings -------------------------------------------------------------------------


@pytest.mark.parametrize("rating, alerted", [(1, True), (2, True), (3, False), (4, False), (5, False)])
def test_a_rating_of_two_or_less_alerts_the_active_coordinators(
    rating, alerted, closed, coordinator, agent, client, django_capture_on_commit_callbacks
):
    opened(client, closed)
    second = CoordinatorFactory(username="dora", first_name="Dora")
    CoordinatorFactory(username="eva", is_active=False)
    CoordinatorFactory(username="fany", email="")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(survey_path(Survey.objects.get(ticket=closed)), {"rating": str(rating), "solved": "no"})

    alerts = emails("survey_low_rating", closed)
    assert sorted(a.to for a in alerts) == (sorted([coordinator.email, second.email]) if alerted else [])


def test_a_low_rating_alerts_whoever_accounts_roles_counts_as_coordinator(closed, coordinator, client):
    # By permission, not by group: a superuser too; an agent does not.
    opened(client, closed)
    root = UserFactory(username="raiz", is_superuser=True)
    AgentFactory(username="gil")

    client.post(survey_path(Survey.objects.get(ticket=closed)), {"rating": "1", "solved": "no"})

    assert sorted(a.to for a in emails("survey_low_rating", closed)) == sorted([coordinator.email, root.email])


def test_a_caller_replaying_history_records_a_low_rating_without_alerting(
    asked, coordinator, django_capture_on_commit_callbacks
):
    """survey_answer(notify=False) is for replays such as the demo loader."""
    with django_capture_on_commit_callbacks(execute=True):
        answer = survey_answer(survey=asked.survey, rating=1, solved=False, comment="Sigue fallando.", notify=False)

    assert (answer.rating, answer.solved, answer.comment) == (1, False, "Sigue fallando.")
    assert emails("survey_low_rating") == []


def test_the_alert_says_what_the_requester_said(asked, coordinator, client):
    opened(client, asked)
    client.post(
        survey_path(Survey.objects.get(ticket=asked)),
        {"rating": "1", "solved": "no", "comment": "Nadie me <b>llamó</b>."},
    )
    (alert,) = emails("survey_low_rating", asked)
    assert asked.reference in alert.subject and "1 de 5" in alert.subject
    assert "Nadie me <b>llamó</b>." in alert.body_text
    assert "Nadie me &lt;b&gt;llamó&lt;/b&gt;." in alert.body_html
    assert "no se resolvió" in alert.body_text and "Ana Agente" in alert.body_text
    assert f"/mesa/tickets/{asked.pk}/" in alert.body_text


# Reports -----------------------------------------------------------------------------


def test_summary_gives_answer_rate_and_mean_rating(requester, agent):
    tickets = [
        close_by_desk(TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent), agent)
        for _ in range(4)
    ]
    for ticket, (rating, solved) in zip(tickets[:3], [(5, True), (4, True), (1, False)], strict=True):  # the 4th: no answer
        survey_answer(survey=ticket.survey, rating=rating, solved=solved)

    summary = Survey.objects.summary()

    assert (summary.sent, summary.answered, summary.solved, summary.low) == (4, 3, 2, 1)
    assert summary.answer_rate == 0.75
    assert summary.mean_rating == pytest.approx(10 / 3)
    assert summary.solved_rate == pytest.approx(2 / 3)
    assert SurveyAnswer.objects.mean_rating() == pytest.approx(10 / 3)
    assert Survey.objects.sent_between(MONDAY_NOON, MONDAY_NOON + datetime.timedelta(seconds=1)).count() == 4
    assert Survey.objects.sent_between(MONDAY_NOON + datetime.timedelta(seconds=1), MONDAY_NOON + datetime.timedelta(days=1)).count() == 0


def test_summary_of_nothing_sent_has_no_rates(db):
    summary = Survey.objects.summary()
    assert (summary.sent, summary.answer_rate, summary.mean_rating) == (0, None, None)


# The admin ---------------------------------------------------------------------------


def test_coordinators_see_the_figures_of_the_surveys(closed, coordinator, client):
    survey_answer(survey=closed.survey, rating=2, solved=False)
    client.force_login(coordinator)

    page = client.get("/admin/surveys/survey/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Tasa de respuesta" in html and "100 %" in html and "2,0" in html
    assert client.get("/admin/surveys/surveyanswer/").status_code == 200
    assert client.get("/admin/surveys/solutionconfirmation/").status_code == 200


def test_coordinators_edit_the_wording_and_window(coordinator, client):
    client.force_login(coordinator)
    assert client.get("/admin/surveys/surveysettings/").url == "/admin/surveys/surveysettings/add/"
    form = client.get("/admin/surveys/surveysettings/add/").content.decode()
    assert "¿Cómo califica la atención que recibió?" in form  # the defaults, ready to edit

    response = client.post(
        "/admin/surveys/surveysettings/add/",
        {
            "survey_valid_days": "10",
            "intro": "Su opinión cuenta.",
            "rating_question": "¿Cómo le fue?",
            "solved_question": "¿Se resolvió?",
            "comment_question": "Comentarios (opcional)",
            "thanks_message": "Gracias.",
        },
    )

    assert response.status_code == 302
    assert SurveySettings.load().survey_valid_days == 10
    assert client.get("/admin/surveys/surveysettings/").url == "/admin/surveys/surveysettings/1/change/"


def test_agents_cannot_edit_the_survey(agent, client):
    client.force_login(agent)
    assert client.get("/admin/surveys/surveysettings/1/change/").status_code in (302, 403)
    assert client.post("/admin/surveys/surveysettings/add/", {"survey_valid_days": "1"}).status_code == 403
    assert not SurveySettings.objects.exists()
