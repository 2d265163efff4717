"""Helpers of the surveys tests: delivering a solution through tickets.services, and the
links the emails carry, as paths the test client follows."""

import datetime
import re
from zoneinfo import ZoneInfo

from notifications.models import OutgoingEmail
from tests.links import DESK_URL
from tests.reports.pages import Reader
from tickets import services
from tickets.models import Ticket

MEXICO = ZoneInfo("America/Mexico_City")
# Friday 7 March 2025, 10:00 in Mexico City: the default calendar is Mon–Fri 09:00–18:00.
FRIDAY_10AM = datetime.datetime(2025, 3, 7, 10, 0, tzinfo=MEXICO)
SOLUTION = "Se renovó el certificado de sello digital y el timbrado volvió a funcionar."


def solve(ticket, agent, solution=SOLUTION, code=Ticket.ResolutionCode.RESOLVED):
    """Deliver a solution as an agent does; `ticket` is brought up to date."""
    services.ticket_solve(ticket=ticket, by=agent, solution=solution, resolution_code=code)
    ticket.refresh_from_db()
    return ticket


def parse(html: str):
    """A page or an HTML email as a tree to look into (tests/reports/pages.py's reader)."""
    reader = Reader()
    reader.feed(html)
    return reader.root


def emails(template, ticket=None):
    """The outbox rows of one template, oldest first."""
    rows = OutgoingEmail.objects.filter(template=template).order_by("pk")
    return list(rows.filter(ticket=ticket) if ticket is not None else rows)


def links_in(text: str, kind: str) -> list[str]:
    """The desk's links of a kind ("solucion", "encuesta", "seguimiento") in an email body,
    as paths the test client can follow."""
    found = re.findall(rf"{re.escape(DESK_URL)}(/{kind}/[^\s\"<>]+)", text)
    return [link.replace("&amp;", "&") for link in found]


def the_link(text: str, kind: str, query: str = "") -> str:
    """The one distinct link of a kind whose query string is `query` ("" for none)."""
    matches = {link for link in links_in(text, kind) if link.partition("?")[2] == query}
    assert len(matches) == 1, f"expected one {kind} link with query {query!r}, got {matches}"
    return matches.pop()



def token_in(text: str, kind: str) -> str:
    """The one token of a kind of link ("solucion", "encuesta", "seguimiento") in an email."""
    from tests.links import TOKEN

    found = set(re.findall(rf"/{kind}/(?:[A-Z]+-[0-9]+/)?({TOKEN})/", text))
    assert len(found) == 1, f"expected one {kind} token, got {found}"
    return found.pop()


def confirmation_token(confirmation) -> str:
    """The token of the email that sent this solution round."""
    email = emails("ticket_solved", confirmation.ticket)[-1]
    return token_in(email.body_text, "solucion")


def survey_token(survey) -> str:
    return token_in(emails("survey_invitation", survey.ticket)[-1].body_text, "encuesta")


def requester_token(ticket) -> str:
    """The page link's token of the latest email to the requester that has one."""
    for email in OutgoingEmail.objects.filter(ticket=ticket, to=ticket.requester.email).order_by("-pk"):
        if "/seguimiento/" in email.body_text:
            return token_in(email.body_text, "seguimiento")
    raise AssertionError(f"no email to the requester of {ticket.reference} links to their page")
