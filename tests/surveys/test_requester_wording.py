"""What the requester reads of their solution (docs/process.md, «Solution confirmation» and
«Email»): the resolution code's neutral sentence instead of the code, in the email, on the
confirmation page and on their ticket's page under «Solución»; and "ticket" as the pages
say it."""

import re

import pytest
from django.test import Client

from notifications.models import OutgoingEmail
from surveys.answers import confirmation_accept
from surveys.links import survey_path
from surveys.models import SolutionConfirmation, Survey
from tests.links import follow_page, open_link
from tickets.models import Ticket

from .helpers import SOLUTION, emails, parse, solve, the_link

pytestmark = pytest.mark.django_db

Code = Ticket.ResolutionCode

# Each resolution code and the sentence its requester reads instead, written out here.
NEUTRAL_SENTENCES = [
    (Code.RESOLVED, "Encontramos la causa del problema y la corregimos; en la solución le explicamos lo que hicimos."),
    (
        Code.WORKAROUND,
        "Le dejamos una forma de seguir trabajando sin el problema; en la solución le explicamos cómo aplicarla.",
    ),
    (
        Code.FALSE_INCIDENT,
        "Revisamos su reporte y no encontramos una falla que corregir; le explicamos lo que vimos en la solución.",
    ),
    (Code.REQUEST_FULFILLED, "Atendimos lo que nos pidió; en la solución le contamos lo que hicimos."),
    (
        Code.NOT_REPRODUCIBLE,
        "Revisamos el problema y no volvió a presentarse en nuestras pruebas; en la solución le contamos lo que "
        "revisamos. Si vuelve a ocurrir, díganos.",
    ),
    (
        Code.VENDOR_FIX,
        "El proveedor del servicio corrigió el problema; en la solución le explicamos lo que cambió.",
    ),
]
# The codes' own names, which only the desk reads.
CODE_NAMES = ["Resuelto", "Solución temporal", "Falsa incidencia", "Solicitud atendida", "No reproducible",
              "Resuelto por el proveedor"]


def text_of(html: str) -> str:
    """An HTML email's words as it reads (no space left before a full stop after a tag)."""
    return re.sub(r" ([.,:;])", r"\1", parse(html).text())


def solve_with(ticket, agent, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return solve(ticket, agent, code=code)


def requester_texts(ticket) -> list[str]:
    """Everything the desk emailed the ticket's requester: subjects and both bodies."""
    rows = OutgoingEmail.objects.filter(ticket=ticket, to=ticket.requester.email)
    return [text for row in rows for text in (row.subject, row.body_text, row.body_html)]


def test_every_resolution_code_has_a_sentence():
    assert {code for code, _ in NEUTRAL_SENTENCES} == set(Code.values)


# The solution ------------------------------------------------------------------------


@pytest.mark.parametrize("code, sentence", NEUTRAL_SENTENCES)
def test_the_solution_email_says_the_codes_sentence_never_the_code(
    code, sentence, ticket, agent, django_capture_on_commit_callbacks
):
    solve_with(ticket, agent, code, django_capture_on_commit_callbacks)

    (email,) = emails("ticket_solved", ticket)
    html = text_of(email.body_html)
    for body in (email.body_text, html):
        assert sentence in body
        assert SOLUTION in body
        assert "Resultado" not in body
        for name in CODE_NAMES:
            assert name not in body
    # The sentence comes first, then the solution under its name.
    assert email.body_text.index(sentence) < email.body_text.index(f"Solución:\n{SOLUTION}")
    assert ticket.resolution_code == code  # the desk keeps the code


@pytest.mark.parametrize("code, sentence", NEUTRAL_SENTENCES)
def test_the_requesters_pages_show_the_sentence_under_solucion(
    code, sentence, ticket, agent, client, django_capture_on_commit_callbacks
):
    solve_with(ticket, agent, code, django_capture_on_commit_callbacks)

    page = parse(client.get(follow_page(client, ticket)).content.decode())
    section = page.find("section", class_="follow-solution")
    assert section.find("h2").text() == "Solución"
    assert sentence in section.text() and SOLUTION in section.text()
    # The confirmation page the email's buttons open says it too.
    accept = the_link(emails("ticket_solved", ticket)[0].body_text, "solucion", "respuesta=si")
    confirmation = client.get(open_link(client, accept)).content.decode()
    assert sentence in parse(confirmation).text()
    for html in (page.text(), parse(confirmation).text()):
        for name in CODE_NAMES:
            assert name not in html


def test_a_false_incident_is_never_named_to_the_requester(ticket, agent, client, django_capture_on_commit_callbacks):
    solve_with(ticket, agent, Code.FALSE_INCIDENT, django_capture_on_commit_callbacks)
    follow = follow_page(client, ticket)
    solved_page = client.get(follow).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_accept(confirmation=SolutionConfirmation.objects.get(ticket=ticket))
    closed_page = client.get(follow).content.decode()
    survey_page = client.get(survey_path(Survey.objects.get(ticket=ticket))).content.decode()

    assert emails("ticket_solved", ticket) and emails("survey_invitation", ticket)
    for text in [*requester_texts(ticket), solved_page, closed_page, survey_page]:
        assert "Falsa incidencia" not in text
    assert "Solución" in parse(closed_page).find("section", class_="follow-solution").text()
    # The agents still read the code.
    staff = Client()
    staff.force_login(agent)
    assert "Falsa incidencia" in staff.get(f"/mesa/tickets/{ticket.pk}/").content.decode()


def test_the_solution_email_says_ticket_as_the_pages_do(ticket, agent, django_capture_on_commit_callbacks):
    solve_with(ticket, agent, Code.RESOLVED, django_capture_on_commit_callbacks)
    (email,) = emails("ticket_solved", ticket)
    assert email.subject == f"Su ticket {ticket.reference} fue solucionado"
    html = text_of(email.body_html)
    for body in (email.body_text, html):
        assert f"Le enviamos la solución de su ticket {ticket.reference}." in body
        assert "la página de su ticket" in body
        assert "su reporte" not in body
    assert "Ver mi ticket" in html
