"""The requester's answers as timeline events, for the agents' ticket page."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from surveys.answers import confirmation_accept, confirmation_reject, survey_answer
from surveys.models import SolutionConfirmation, Survey
from surveys.timeline import confirmation_and_survey_events

from .helpers import FRIDAY_10AM, solve

pytestmark = pytest.mark.django_db


def test_answers_become_timeline_events_in_order(ticket, agent):
    with time_machine.travel(FRIDAY_10AM, tick=False) as traveller:
        solve(ticket, agent)
        traveller.shift(datetime.timedelta(hours=1))
        confirmation_reject(confirmation=SolutionConfirmation.objects.get(ticket=ticket), comment="Sigue el <b>error</b>.")
        ticket.refresh_from_db()
        traveller.shift(datetime.timedelta(hours=1))
        solve(ticket, agent, solution="Se reinstaló el complemento.")
        traveller.shift(datetime.timedelta(hours=1))
        confirmation_accept(confirmation=SolutionConfirmation.objects.pending().get(ticket=ticket))
        traveller.shift(datetime.timedelta(hours=1))
        survey_answer(survey=Survey.objects.get(ticket=ticket), rating=2, solved=True, comment="Tardó dos intentos.")

    events = confirmation_and_survey_events(ticket)

    kinds = [e.confirmation.outcome if e.confirmation else "survey" for e in events]
    assert kinds == ["rejected", "accepted", "survey"]
    html = "".join(render_to_string("surveys/_timeline_entry.html", {"event": e, "ticket": ticket}) for e in events)
    assert "Rechazó la solución: el problema sigue." in html
    assert "Sigue el &lt;b&gt;error&lt;/b&gt;." in html
    assert "Confirmó la solución: el problema quedó resuelto." in html
    assert "Encuesta de satisfacción: 2 de 5." in html and "Tardó dos intentos." in html


def test_the_agents_ticket_page_shows_the_requesters_answers(client, ticket, agent):
    with time_machine.travel(FRIDAY_10AM, tick=False) as traveller:
        solve(ticket, agent)
        traveller.shift(datetime.timedelta(hours=1))
        confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
        traveller.shift(datetime.timedelta(hours=1))
        survey_answer(survey=Survey.objects.get(ticket=ticket), rating=5, solved=True, comment="Muy <i>rápido</i>.")

    client.force_login(agent)
    html = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()

    assert "Confirmó la solución: el problema quedó resuelto." in html
    assert "Encuesta de satisfacción: 5 de 5." in html
    assert "Muy &lt;i&gt;rápido&lt;/i&gt;." in html
