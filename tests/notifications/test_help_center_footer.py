"""Every email to a requester offers the public help center in its footer, in the HTML
part and in the text part, as an absolute link to /ayuda/."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.services import email_queue
from tests.factories import TicketFactory
from tickets.models import Ticket
from tickets.services import ticket_open

pytestmark = pytest.mark.django_db

REQUESTER_TEMPLATES = [
    "requester_link",
    "survey_invitation",
    "ticket_cancelled",
    "ticket_not_served",
    "ticket_received",
    "ticket_reply",
    "ticket_solved",
    "ticket_waiting_for_user",
    "ticket_waiting_for_vendor",
]


def test_the_acknowledgement_carries_the_help_center_in_html_and_text(
    requester, desk_address, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_open(requester=requester, subject="Sin correo", description="No llega el correo", channel=Ticket.Channel.WEB)

    message = mail.outbox[0]
    url = "https://mesa.example.mx" + reverse("help:index")
    html = message.alternatives[0][0]
    assert f"¿Tiene otra duda? Consulte el centro de ayuda: {url}" in message.body
    assert f'<a href="{url}" style="color:#1d4ed8;">¿Tiene otra duda? Consulte el centro de ayuda</a>' in html


@pytest.mark.parametrize("template", REQUESTER_TEMPLATES)
def test_every_requester_email_has_the_help_center_in_both_parts(desk_address, template):
    ticket = TicketFactory(subject="No timbra la factura")
    email = email_queue(to=ticket.requester.email, template=template, context={"ticket": ticket}, ticket=ticket)
    url = "https://mesa.example.mx/ayuda/"
    assert f"Consulte el centro de ayuda: {url}\n" in email.body_text
    assert f'href="{url}"' in email.body_html
