"""A small desk built through the services at known instants, for the reports' tests."""

import datetime
from zoneinfo import ZoneInfo

from reports.models import DailyFigure
from surveys.answers import confirmation_accept, confirmation_reject, survey_answer
from surveys.models import SolutionConfirmation
from tests.factories import AgentFactory, ContactFactory, CoordinatorFactory, ModuleFactory, SupportPolicyFactory
from tickets import services
from tickets.models import Ticket, Urgency

D = datetime.date
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


def known_desk(at) -> dict:
    """The desk whose figures tests/reports/test_kpis.py computes by hand (see there), built
    through the services; `at(instant)` moves the clock. Mexico City, Mon–Fri 09:00–18:00,
    17 November 2025 a holiday, priority alta (first response 2 h, resolution 8 h)."""
    policy = SupportPolicyFactory(starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    requester = ContactFactory(organization=policy.organization, is_authorized=True)
    ana = AgentFactory(username="ana", first_name="Ana", last_name="Agente")
    coordinator = CoordinatorFactory(username="carla")
    nomina, facturacion = ModuleFactory(name="Nómina"), ModuleFactory(name="Facturación")

    at(mx(2025, 11, 13, 10, 0))
    a = open_ticket(requester, module=nomina)
    at(mx(2025, 11, 13, 10, 30))
    take(a, ana)
    at(mx(2025, 11, 13, 12, 0))
    solve(a, ana)
    at(mx(2025, 11, 13, 15, 0))
    accept(a)
    at(mx(2025, 11, 14, 9, 0))
    answer(a, 5, True)

    at(mx(2025, 11, 14, 17, 0))
    b = open_ticket(requester, module=nomina)
    at(mx(2025, 11, 15, 11, 0))
    c = open_ticket(requester, module=facturacion, channel="email")
    at(mx(2025, 11, 17, 10, 0))
    take(c, ana)
    at(mx(2025, 11, 17, 11, 0))
    solve(c, ana, Ticket.ResolutionCode.FALSE_INCIDENT)
    at(mx(2025, 11, 18, 9, 0))
    accept(c)
    at(mx(2025, 11, 18, 9, 30))
    take(b, ana)
    at(mx(2025, 11, 18, 10, 0))
    services.ticket_wait_for_user(ticket=Ticket.objects.get(pk=b.pk), by=ana, message="¿Qué equipo usa?", notify=False)
    at(mx(2025, 11, 18, 11, 0))
    d = open_ticket(requester)
    at(mx(2025, 11, 18, 12, 0))
    services.ticket_cancel(ticket=Ticket.objects.get(pk=d.pk), by=coordinator, reason=Ticket.CancelReason.WITHDRAWN, notify=False)
    at(mx(2025, 11, 18, 14, 0))
    services.ticket_resume(ticket=Ticket.objects.get(pk=b.pk), by=ana)
    at(mx(2025, 11, 18, 15, 0))
    services.ticket_escalate(ticket=Ticket.objects.get(pk=b.pk), by=ana, reason="Requiere acceso al servidor.")
    at(mx(2025, 11, 19, 12, 0))
    solve(b, ana)
    at(mx(2025, 11, 19, 14, 0))
    reject(b)
    at(mx(2025, 11, 19, 16, 0))
    e = open_ticket(requester)
    at(mx(2025, 11, 20, 10, 0))
    solve(b, ana)
    at(mx(2025, 11, 21, 11, 0))
    services.ticket_close(ticket=Ticket.objects.get(pk=b.pk), by=ana)
    at(mx(2025, 11, 21, 16, 0))
    answer(b, 2, False)
    return dict(a=a, b=b, c=c, d=d, e=e, ana=ana, coordinator=coordinator, nomina=nomina,
                facturacion=facturacion, requester=requester)
