from tickets.models import Ticket
from tickets.services import ticket_open, ticket_take


def test_open_and_take(requester, agent):
    ticket = ticket_open(requester=requester, subject="Sin red", description="No hay red en el piso 3", channel=Ticket.Channel.WEB)
    assert ticket.reference == f"INC-{ticket.pk:06d}"
    assert ticket.state == Ticket.State.OPEN
    assert ticket.priority == 2
    ticket = ticket_take(ticket=ticket, agent=agent)
    assert ticket.state == Ticket.State.IN_PROGRESS
    assert ticket.assignee == agent
    assert ticket.changes.count() == 3


def test_factory_users_can_sign_in(client, agent):
    assert client.login(username="ana", password="clave-segura-123")
