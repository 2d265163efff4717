"""One download response for both sides: the agents' and the requester's attachment views
hand a file out with the same headers, and say "not found" when its stored file is gone."""

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tests.files import PNG, make_attachment
from tests.links import follow_page

pytestmark = pytest.mark.django_db

EXPECTED_HEADERS = {
    "Content-Type": "image/png",
    "Content-Disposition": 'attachment; filename="captura.png"',
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "no-store, private, max-age=0",
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def agent_side(client, agent, ticket, attachment):
    client.force_login(agent)
    return reverse("workspace:ticket-attachment", args=[ticket.pk, attachment.pk])


def requester_side(client, agent, ticket, attachment):
    follow_page(client, ticket)
    return reverse("follow:attachment", args=[ticket.reference, attachment.pk])


@pytest.mark.parametrize("side", [agent_side, requester_side], ids=["agent", "requester"])
def test_both_sides_hand_out_a_file_with_the_same_headers(client, agent, side):
    ticket = TicketFactory()
    attachment = make_attachment(ticket, name="captura.png")

    response = client.get(side(client, agent, ticket, attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert {name: response[name] for name in EXPECTED_HEADERS} == EXPECTED_HEADERS


@pytest.mark.parametrize("side", [agent_side, requester_side], ids=["agent", "requester"])
def test_a_file_gone_from_storage_is_not_found_on_both_sides(client, agent, side):
    ticket = TicketFactory()
    attachment = make_attachment(ticket, name="captura.png")
    attachment.file.delete(save=False)

    response = client.get(side(client, agent, ticket, attachment))

    assert response.status_code == 404
