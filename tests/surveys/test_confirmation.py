"""The solution's confirmation (docs/process.md, «Solution confirmation»): the solution email's two actions, the page they
open, the requester's page, and the beat job that closes what nobody answered."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from notifications.models import OutgoingEmail
from sla.models import ALWAYS_OPEN_CALENDAR_NAME, Calendar, SLAPlan
from surveys.answers import confirmation_expire_due
from surveys.links import confirmation_path, survey_path
from surveys.models import SolutionConfirmation, Survey, SurveyAnswer
from surveys.records import business_days_after, survey_send
from surveys.tasks import confirmation_expire_due_task
from tests.factories import TicketFactory
from tests.links import TOKEN, open_link
from tickets import services
from tickets.models import Message, RequesterLink, Ticket, TicketChange

from .helpers import (
    FRIDAY_10AM,
    MEXICO,
    SOLUTION,
    confirmation_token,
    emails,
    requester_token,
    solve,
    survey_token,
    the_link,
)

pytestmark = pytest.mark.django_db

COMMENT = "Sigue saliendo el error 500 al timbrar la factura F-1020."


def at(year, month, day, hour=10, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=MEXICO)


@pytest.fixture
def solved(ticket, agent, django_capture_on_commit_callbacks):
    """The ticket solved on Friday 7 March 2025 at 10:00, its email sent."""
    with time_machine.travel(FRIDAY_10AM, tick=False), django_capture_on_commit_callbacks(execute=True):
        solve(ticket, agent)
    ticket.refresh_from_db()
    return ticket


def solution_email(ticket):
    (email,) = emails("ticket_solved", ticket)
    return email


def state_of(ticket):
    ticket.refresh_from_db()
    return ticket.state


# The window -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "solved_at, days, due",
    [
        pytest.param(at(2025, 3, 3), 3, at(2025, 3, 6), id="monday-three-days"),
        pytest.param(at(2025, 3, 7), 3, at(2025, 3, 12), id="friday-skips-the-weekend"),
        pytest.param(at(2025, 3, 7), 1, at(2025, 3, 10), id="friday-one-day-is-monday"),
        pytest.param(at(2025, 3, 14), 3, at(2025, 3, 20), id="weekend-and-monday-holiday"),
        pytest.param(at(2025, 3, 8, 11), 3, at(2025, 3, 12, 11), id="solved-on-saturday"),
        pytest.param(at(2025, 3, 7, 17, 45), 3, at(2025, 3, 12, 17, 45), id="late-friday"),
    ],
)
def test_window_counts_business_days_of_the_plan_calendar(solved_at, days, due):
    calendar = SLAPlan.objects.default().calendar.business_calendar()
    assert business_days_after(solved_at, days, calendar) == due


def test_window_of_a_24x7_calendar_counts_every_day():
    calendar = Calendar.objects.get(name=ALWAYS_OPEN_CALENDAR_NAME).business_calendar()
    assert business_days_after(at(2025, 3, 7), 3, calendar) == at(2025, 3, 10)


def test_solving_opens_a_confirmation_due_after_the_default_three_business_days(solved):
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    assert confirmation.outcome == SolutionConfirmation.Outcome.PENDING
    assert (confirmation.business_days, confirmation.due_at) == (3, at(2025, 3, 12))
    # The requester is told until when, in the desk's time.
    assert "12 de marzo de 2025 a las 10:00" in solution_email(solved).body_text


def test_window_follows_the_plan_of_the_organization_policy(requester, agent):
    plan = SLAPlan.objects.create(
        name="Plan 24×7", calendar=Calendar.objects.get(name=ALWAYS_OPEN_CALENDAR_NAME), confirmation_business_days=2
    )
    requester.organization.policies.update(sla_plan=plan)
    ticket = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent)

    solve(ticket, agent)

    ticket.refresh_from_db()
    confirmation = SolutionConfirmation.objects.get(ticket=ticket)
    assert (confirmation.business_days, confirmation.due_at - ticket.solved_at) == (2, datetime.timedelta(days=2))


def test_a_coordinator_edits_the_window_on_the_plan(ticket, agent):
    SLAPlan.objects.filter(is_default=True).update(confirmation_business_days=1)
    with time_machine.travel(FRIDAY_10AM, tick=False):
        solve(ticket, agent)
    assert SolutionConfirmation.objects.get(ticket=ticket).due_at == at(2025, 3, 10)


# The solution email -----------------------------------------------------------------


def test_solution_email_carries_both_actions_as_signed_links(solved):
    email = solution_email(solved)
    accept = the_link(email.body_text, "solucion", "respuesta=si")
    reject = the_link(email.body_text, "solucion", "respuesta=no")
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    # One token per email, shared by both answers; it opens the page of this solution.
    assert accept.partition("?")[0] == reject.partition("?")[0]
    assert re.fullmatch(rf"/solucion/{solved.reference}/{TOKEN}/", accept.partition("?")[0])
    assert open_link(Client(), accept) == confirmation_path(confirmation, "si")
    # The HTML part has the same two buttons.
    assert f'href="https://mesa.example.mx{accept}"' in email.body_html
    assert f'href="https://mesa.example.mx{reject}"' in email.body_html
    assert "Sí, quedó resuelto" in email.body_html and "No, sigue el problema" in email.body_html


# Accept ----------------------------------------------------------------------------


def test_requester_accepts_from_the_email_and_the_ticket_closes(solved, client, django_capture_on_commit_callbacks):
    accept = the_link(solution_email(solved).body_text, "solucion", "respuesta=si")

    opened = open_link(client, accept)
    page = client.get(opened)
    assert page.status_code == 200
    assert SOLUTION in page.content.decode()
    assert state_of(solved) == Ticket.State.SOLVED  # opening the link recorded nothing

    with time_machine.travel(at(2025, 3, 10, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post(opened, {"accion": "aceptar"}, follow=True)

    assert response.status_code == 200
    assert "¡Gracias! Su ticket quedó cerrado." in response.content.decode()
    assert state_of(solved) == Ticket.State.CLOSED
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    assert (confirmation.outcome, confirmation.answered_at) == (SolutionConfirmation.Outcome.ACCEPTED, at(2025, 3, 10, 12))
    closing = solved.changes.filter(field=TicketChange.Field.STATE).last()
    assert (closing.new_value, closing.actor, closing.note) == (Ticket.State.CLOSED, None, "")
    # The survey goes out, and the page offers it at once.
    (survey_email,) = emails("survey_invitation", solved)
    assert survey_email.to == solved.requester.email
    assert survey_path(Survey.objects.get(ticket=solved)) in response.content.decode()


def test_csrf_is_required_to_answer(solved):
    accept = the_link(solution_email(solved).body_text, "solucion", "respuesta=si")
    client = Client(enforce_csrf_checks=True)
    response = client.post(open_link(client, accept), {"accion": "aceptar"})
    assert response.status_code == 403
    assert state_of(solved) == Ticket.State.SOLVED


# Reject ----------------------------------------------------------------------------


def test_requester_rejects_with_a_comment_and_the_ticket_goes_back_to_work(
    solved, agent, client, django_capture_on_commit_callbacks
):
    reject = the_link(solution_email(solved).body_text, "solucion", "respuesta=no")
    opened = open_link(client, reject)
    page = client.get(opened).content.decode()
    assert "¿Qué sigue fallando?" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(opened, {"accion": "rechazar", "comment": COMMENT}, follow=True)

    assert "Recibimos su respuesta: retomamos su ticket." in response.content.decode()
    solved.refresh_from_db()
    assert (solved.state, solved.assignee, solved.reopen_count) == (Ticket.State.IN_PROGRESS, agent, 1)
    message = solved.messages.order_by("created_at", "pk").last()
    assert (message.kind, message.author, message.body) == (Message.Kind.FROM_REQUESTER, None, COMMENT)
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    assert (confirmation.outcome, confirmation.comment) == (SolutionConfirmation.Outcome.REJECTED, COMMENT)
    # The assignee is told, with the comment and the link to the ticket.
    (notice,) = emails("confirmation_rejected", solved)
    assert notice.to == agent.email
    assert COMMENT in notice.body_text and f"/mesa/tickets/{solved.pk}/" in notice.body_text
    assert emails("survey_invitation") == []


def test_rejecting_requires_a_comment(solved, client, mailoutbox):
    reject = the_link(solution_email(solved).body_text, "solucion", "respuesta=no")
    sent_before = len(mailoutbox)

    response = client.post(open_link(client, reject), {"accion": "rechazar", "comment": "   "})

    assert response.status_code == 400
    assert "Cuéntenos qué sigue fallando" in response.content.decode()
    # The box names its hint and its error, which a screen reader reads with it.
    html = response.content.decode()
    (described,) = re.findall(r'<textarea [^>]*aria-describedby="([^"]+)"', html)
    hint, error = described.split()
    assert f'id="{hint}"' in html
    assert re.search(rf'<div class="field-errors" id="{error}"><p class="field-error">Cuéntenos qué sigue fallando', html)
    assert state_of(solved) == Ticket.State.SOLVED
    assert len(mailoutbox) == sent_before


def test_the_comment_is_escaped_in_the_assignee_email(solved, client):
    reject = the_link(solution_email(solved).body_text, "solucion", "respuesta=no")
    client.post(open_link(client, reject), {"accion": "rechazar", "comment": "<script>alert(1)</script> sigue"})
    (notice,) = emails("confirmation_rejected", solved)
    assert "<script>" not in notice.body_html
    assert "&lt;script&gt;" in notice.body_html


# No answer: the beat job -----------------------------------------------------------


def test_no_answer_closes_the_ticket_when_the_window_ends(solved, django_capture_on_commit_callbacks):
    # Wednesday 12 March 09:59: the weekend did not count, one minute is left.
    with time_machine.travel(at(2025, 3, 12, 9, 59), tick=False):
        assert confirmation_expire_due() == 0
    assert state_of(solved) == Ticket.State.SOLVED

    with time_machine.travel(at(2025, 3, 12, 10, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        confirmation_expire_due_task.delay()

    assert state_of(solved) == Ticket.State.CLOSED
    closing = solved.changes.filter(field=TicketChange.Field.STATE).last()
    assert closing.actor is None and "Cerrado automáticamente" in closing.note
    assert SolutionConfirmation.objects.get(ticket=solved).outcome == SolutionConfirmation.Outcome.EXPIRED
    survey = Survey.objects.get(ticket=solved)
    assert survey.closed_automatically
    (survey_email,) = emails("survey_invitation", solved)
    assert "no recibimos su respuesta" in survey_email.body_text

    # Running again changes nothing and sends nothing.
    with time_machine.travel(at(2025, 3, 13), tick=False):
        assert confirmation_expire_due() == 0
    assert len(emails("survey_invitation", solved)) == 1


def test_beat_job_works_through_every_due_ticket_in_batches(requester, agent):
    tickets = [TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent) for _ in range(5)]
    for minutes, ticket in enumerate(tickets):
        with time_machine.travel(FRIDAY_10AM + datetime.timedelta(minutes=minutes), tick=False):
            solve(ticket, agent)
    late = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent)
    with time_machine.travel(at(2025, 3, 10), tick=False):
        solve(late, agent)

    with time_machine.travel(at(2025, 3, 12, 11), tick=False):
        assert confirmation_expire_due(batch_size=2) == 5

    assert [state_of(t) for t in tickets] == [Ticket.State.CLOSED] * 5
    assert state_of(late) == Ticket.State.SOLVED


def test_beat_job_is_in_the_schedule_and_registered():
    from helpdesk.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["surveys-close-unconfirmed"]
    assert entry["task"] == confirmation_expire_due_task.name == "surveys.close_unconfirmed"
    assert entry["task"] in app.tasks


def test_beat_job_leaves_a_ticket_the_desk_reopened(solved, agent):
    services.ticket_reopen(ticket=solved, by=agent, message="El cliente llamó: sigue fallando.")

    with time_machine.travel(at(2025, 3, 13), tick=False):
        assert confirmation_expire_due() == 0

    assert state_of(solved) == Ticket.State.IN_PROGRESS
    assert SolutionConfirmation.objects.get(ticket=solved).outcome == SolutionConfirmation.Outcome.SUPERSEDED


def test_beat_job_leaves_a_cancelled_ticket_and_no_survey_is_sent(solved, coordinator):
    services.ticket_cancel(ticket=solved, by=coordinator, reason=Ticket.CancelReason.WITHDRAWN, notify=False)

    with time_machine.travel(at(2025, 3, 13), tick=False):
        assert confirmation_expire_due() == 0

    assert state_of(solved) == Ticket.State.CANCELLED
    assert not Survey.objects.filter(ticket=solved).exists()
    assert emails("survey_invitation") == []


def test_an_agent_closing_settles_the_confirmation_and_sends_the_survey(solved, agent, client):
    services.ticket_close(ticket=solved, by=agent)

    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    assert confirmation.outcome == SolutionConfirmation.Outcome.CLOSED_BY_DESK
    assert len(emails("survey_invitation", solved)) == 1
    accept = the_link(solution_email(solved).body_text, "solucion", "respuesta=si")
    assert "La mesa de ayuda cerró el ticket." in client.get(open_link(client, accept)).content.decode()


# Links that must not act -------------------------------------------------------------


def test_opening_any_link_records_nothing(solved, requester, agent, client):
    """Email scanners open every link: GET shows pages, never answers."""
    closed = TicketFactory(requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent)
    solve(closed, agent)
    services.ticket_close(ticket=closed, by=agent)
    confirmation_email = solution_email(solved)
    survey_email = emails("survey_invitation", closed)[0]
    links = [
        the_link(confirmation_email.body_text, "solucion", "respuesta=si"),
        the_link(confirmation_email.body_text, "solucion", "respuesta=no"),
        the_link(survey_email.body_text, "encuesta"),
        *[the_link(survey_email.body_text, "encuesta", f"calificacion={n}") for n in range(1, 6)],
        f"/seguimiento/{requester_token(solved)}/",
        f"/seguimiento/{requester_token(closed)}/",
    ]
    changes, outbox = TicketChange.objects.count(), OutgoingEmail.objects.count()

    for link in links:
        assert client.get(link).status_code == 200
    assert not RequesterLink.objects.filter(used_at__isnull=False).exists()  # a GET spends no link
    # Nor do the pages they lead to, once opened.
    for link in links:
        assert Client().get(open_link(client, link)).status_code == 404  # another browser sees nothing
        assert client.get(open_link(client, link)).status_code == 200

    assert state_of(solved) == Ticket.State.SOLVED
    assert SolutionConfirmation.objects.get(ticket=solved).outcome == SolutionConfirmation.Outcome.PENDING
    assert not SurveyAnswer.objects.exists()
    assert (TicketChange.objects.count(), OutgoingEmail.objects.count()) == (changes, outbox)


def _other_solved_ticket(requester, agent):
    other = TicketFactory(solved=True, requester=requester, assignee=agent)
    return SolutionConfirmation.objects.get(ticket=other)


BAD_LINKS = [
    pytest.param(
        lambda c, other: (c.ticket.reference, confirmation_token(c).split(".")[0] + "." + "A" * 43), id="tampered-signature"
    ),
    pytest.param(lambda c, other: (c.ticket.reference, confirmation_token(c).split(".")[0]), id="no-signature"),
    pytest.param(lambda c, other: (c.ticket.reference, f"{c.pk}:{'A' * 43}"), id="old-signed-link"),
    pytest.param(lambda c, other: (c.ticket.reference, confirmation_token(other)), id="another-ticket-token"),
    pytest.param(lambda c, other: (other.ticket.reference, confirmation_token(c)), id="another-ticket-reference"),
    pytest.param(lambda c, other: (c.ticket.reference, requester_token(c.ticket)), id="requester-page-token"),
    pytest.param(lambda c, other: (c.ticket.reference, "x" * 60), id="garbage"),
]


@pytest.mark.parametrize("make", BAD_LINKS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_confirmation_link_is_a_plain_not_found_page(make, method, solved, requester, agent, client):
    confirmation = SolutionConfirmation.objects.get(ticket=solved)
    other = _other_solved_ticket(requester, agent)
    reference, token = make(confirmation, other)

    response = getattr(client, method)(f"/solucion/{reference}/{token}/", {"accion": "aceptar"})

    assert response.status_code == 404
    assert "Enlace no válido" in response.content.decode()
    assert state_of(solved) == state_of(other.ticket) == Ticket.State.SOLVED


def test_a_survey_token_does_not_open_the_confirmation(solved, client):
    services.ticket_close(ticket=solved, by=None)
    survey = Survey.objects.get(ticket=solved)
    response = client.get(f"/solucion/{solved.reference}/{survey_token(survey)}/")
    assert response.status_code == 404


def test_a_link_from_an_earlier_solution_cannot_act_on_the_new_one(solved, agent, client):
    first_accept = the_link(solution_email(solved).body_text, "solucion", "respuesta=si")
    first_page = open_link(client, first_accept)
    client.post(first_page, {"accion": "rechazar", "comment": COMMENT})
    solve(Ticket.objects.get(pk=solved.pk), agent, solution="Se reinstaló el complemento de timbrado.")

    page = client.get(first_accept, follow=True)
    assert "Este enlace ya no está vigente." in page.content.decode()
    response = client.post(first_page, {"accion": "aceptar"})
    assert response.status_code == 409
    assert state_of(solved) == Ticket.State.SOLVED

    # The new email's link does act.
    second = emails("ticket_solved", solved)[-1]
    second_accept = the_link(second.body_text, "solucion", "respuesta=si")
    assert second_accept != first_accept
    client.post(open_link(client, second_accept), {"accion": "aceptar"})
    assert state_of(solved) == Ticket.State.CLOSED


def test_a_reused_link_changes_nothing(solved, client):
    accept = open_link(client, the_link(solution_email(solved).body_text, "solucion", "respuesta=si"))
    client.post(accept, {"accion": "aceptar"})

    again = client.post(accept, {"accion": "aceptar"})
    reject = client.post(accept, {"accion": "rechazar", "comment": COMMENT})

    assert again.status_code == reject.status_code == 409
    assert "Ya habíamos recibido su respuesta" in reject.content.decode()
    solved.refresh_from_db()
    assert (solved.state, solved.reopen_count) == (Ticket.State.CLOSED, 0)
    assert len(emails("survey_invitation", solved)) == 1


# The requester's page --------------------------------------------------------------


def test_requester_page_offers_both_actions_while_solved(solved, client):
    page = client.get(open_link(client, f"/seguimiento/{requester_token(solved)}/")).content.decode()
    action = confirmation_path(SolutionConfirmation.objects.get(ticket=solved))
    assert page.count(f'action="{action}"') == 2
    assert 'value="aceptar"' in page and 'value="rechazar"' in page
    assert "12 de marzo de 2025 a las 10:00" in page


def test_requester_accepts_from_their_page_then_sees_the_survey_and_their_thanks(solved, client):
    follow = open_link(client, f"/seguimiento/{requester_token(solved)}/")
    action = confirmation_path(SolutionConfirmation.objects.get(ticket=solved))

    client.post(action, {"accion": "aceptar"})

    assert state_of(solved) == Ticket.State.CLOSED
    survey = Survey.objects.get(ticket=solved)
    page = client.get(follow).content.decode()
    assert "¿Cómo lo atendimos?" in page and f'href="{survey_path(survey)}"' in page
    assert 'value="aceptar"' not in page

    client.post(survey_path(survey), {"rating": "5", "solved": "si"})
    page = client.get(follow).content.decode()
    assert "Calificó la atención con 5 de 5." in page
    assert f'href="{survey_path(survey)}"' not in page


def test_requester_rejects_from_their_page(solved, client):
    follow = open_link(client, f"/seguimiento/{requester_token(solved)}/")
    action = confirmation_path(SolutionConfirmation.objects.get(ticket=solved))
    client.post(action, {"accion": "rechazar", "comment": COMMENT})
    solved.refresh_from_db()
    assert (solved.state, solved.reopen_count) == (Ticket.State.IN_PROGRESS, 1)
    page = client.get(follow).content.decode()
    assert 'value="aceptar"' not in page and COMMENT in page


def test_a_caller_replaying_history_records_the_survey_without_emailing_it(solved):
    """survey_send(notify=False) is for replays such as the demo loader, which answers some."""
    survey = survey_send(ticket=solved, automatic=True, notify=False)
    assert SolutionConfirmation.objects.get(ticket=solved).outcome == SolutionConfirmation.Outcome.EXPIRED
    assert list(Survey.objects.all()) == [survey] and survey.closed_automatically
    assert emails("survey_invitation") == []
