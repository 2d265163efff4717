"""A small desk built through the services at known instants, for the reports' tests."""

import datetime
from zoneinfo import ZoneInfo

from reports.models import DailyFigure
from surveys.answers import confirmation_accept, confirmation_reject, survey_answer
from surveys.models import SolutionConfirmation
from tickets import services
from tickets.models import Ticket, Urgency

MEXICO = ZoneInfo("America/Mexico_City")


def mx(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=MEXICO)


def open_ticket(requester, *, module=None, channel="web", urgency=Urgency.HIGH):
    """Urgency alta, impact sin evaluar: priority alta, 2 h / 8 h of business time."""
    return services.ticket_open(
        requester=requester,
        subject="No timbra ninguna factura",
        description="Todas las facturas fallan al timbrar.",
        channel=channel,
        module=module,
        urgency=urgency,
        notify=False,
    )


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def take(ticket, agent):
    return services.ticket_take(ticket=fresh(ticket), agent=agent)


def solve(ticket, agent, code=Ticket.ResolutionCode.RESOLVED):
    return services.ticket_solve(ticket=fresh(ticket), by=agent, solution="Se reinició el servicio.", resolution_code=code, notify=False)


def pending(ticket) -> SolutionConfirmation:
    return SolutionConfirmation.objects.get(ticket=ticket, outcome=SolutionConfirmation.Outcome.PENDING)


def accept(ticket):
    confirmation_accept(confirmation=pending(ticket))


def reject(ticket):
    confirmation_reject(confirmation=pending(ticket), comment="Sigue fallando.")


def answer(ticket, rating, solved):
    survey_answer(survey=fresh(ticket).survey, rating=rating, solved=solved)


def stored_rows() -> list[tuple]:
    """Every daily row, as tuples of its values (its id aside), in order."""
    names = [f.attname for f in DailyFigure._meta.concrete_fields if f.attname != "id"]
    return sorted(DailyFigure.objects.values_list(*names))
