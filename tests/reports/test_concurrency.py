"""Refreshes at once on PostgreSQL: they take turns on the mark's row, and the rows they
leave, daily and monthly, are those of one refresh (and of a rebuild from nothing)."""


from reports.models import MonthlyFigure
from reports.refresh import reports_rebuild, reports_refresh
from tests.factories import AgentFactory, ContactFactory, SupportPolicyFactory, TicketFactory
from tests.races import POSTGRES_ONLY, race
from tickets import services

from .desk import answer, fresh, open_ticket, take
from .desk import stored_rows as daily_rows

pytestmark = POSTGRES_ONLY


def stored_rows() -> tuple[list, list]:
    """Every daily and monthly row, as tuples of its values (its id aside), in order."""
    names = [f.attname for f in MonthlyFigure._meta.concrete_fields if f.attname != "id"]
    return daily_rows(), sorted(MonthlyFigure.objects.values_list(*names))


def desk():
    policy = SupportPolicyFactory()
    requester = ContactFactory(organization=policy.organization, is_authorized=True)
    agent = AgentFactory()
    tickets = [TicketFactory(closed=True, assignee=agent) for _ in range(3)]
    tickets += [TicketFactory(in_progress=True, assignee=agent), TicketFactory(cancelled=True)]
    answer(tickets[0], 4, True)
    return requester, agent, tickets


def test_two_first_refreshes_at_once_leave_the_rows_of_one():
    desk()
    outcomes = race((None, lambda _: reports_refresh()), (None, lambda _: reports_refresh()))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    raced = stored_rows()
    assert raced[0] and raced[1] and sum(o.changed for o in outcomes) == 5  # the second one found nothing to change
    reports_rebuild()
    assert stored_rows() == raced


def test_refreshes_racing_a_lifecycle_change_miss_nothing():
    requester, agent, tickets = desk()
    reports_refresh()
    ticket = open_ticket(requester)

    def change(_):
        take(ticket, agent)
        services.ticket_escalate(ticket=fresh(ticket), by=agent, reason="Requiere acceso al servidor.")

    outcomes = race((None, lambda _: reports_refresh()), (None, change), (None, lambda _: reports_refresh()))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    reports_refresh()  # the next beat run
    refreshed = stored_rows()
    assert refreshed[1]
    reports_rebuild()
    assert stored_rows() == refreshed
