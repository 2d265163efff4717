"""What the SLA tests share: a desk clock that travels in Mexico City time, and tickets
driven through the services, as an agent and a requester would."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.models import SLAPlan
from tests.factories import ContactFactory, SupportPolicyFactory
from tickets import services
from tickets.models import Impact, Message, Urgency

MEXICO = ZoneInfo("America/Mexico_City")
H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)


def mx(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=MEXICO)


class Desk:
    """The clock on the wall: `desk.at(mx(...))` moves it there (and stays put)."""

    def __init__(self, traveller):
        self.traveller = traveller

    def at(self, when: datetime.datetime) -> datetime.datetime:
        self.traveller.move_to(when)
        return when


@pytest.fixture
def desk():
    # Friday 13 June 2025, 17:30 in Mexico City: no holiday near it.
    with time_machine.travel(mx(2025, 6, 13, 17, 30), tick=False) as traveller:
        yield Desk(traveller)


@pytest.fixture
def customer(db, desk):
    """An authorized contact whose organization's policy is in force (made on the desk's day)."""
    policy = SupportPolicyFactory(
        starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31)
    )
    return ContactFactory(organization=policy.organization, is_authorized=True)


def open_ticket(requester, *, urgency=Urgency.HIGH, subject="No timbra ninguna factura"):
    """Urgency alta, impact sin evaluar (medio): priority 4 alto, 2 h / 8 h by default."""
    return services.ticket_open(
        requester=requester,
        subject=subject,
        description="Todas las facturas fallan al timbrar desde esta mañana.",
        channel="web",
        urgency=urgency,
        notify=False,
    )


def set_impact(ticket, by, impact=Impact.HIGH):
    return services.ticket_classify(ticket=ticket, by=by, impact=impact)


def requester_replies(ticket, body="Ya le envié la captura."):
    services.ticket_add_message(ticket=ticket, kind=Message.Kind.FROM_REQUESTER, body=body, notify=False)
    ticket.refresh_from_db()
    return ticket


def default_plan() -> SLAPlan:
    return SLAPlan.objects.default()
