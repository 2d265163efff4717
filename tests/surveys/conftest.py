import pytest

from tests.factories import TicketFactory
from tickets.models import Ticket

from .helpers import DESK


@pytest.fixture(autouse=True)
def _desk_address(settings):
    settings.HELPDESK_BASE_URL = DESK


@pytest.fixture
def ticket(requester, agent):
    """A ticket in progress, assigned to the agent, of an authorized requester."""
    return TicketFactory(
        requester=requester, state=Ticket.State.IN_PROGRESS, assignee=agent, subject="No timbra la factura"
    )
