"""Races between real threads on PostgreSQL: references stay unique, one agent wins
a ticket, one of two concurrent transitions wins and the other is told."""

import re
import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tests.factories import TicketFactory
from tests.races import POSTGRES_ONLY, TIMEOUT, race
from tickets.models import Message, Ticket, TicketChange
from tickets.services import TicketConflict, ticket_open, ticket_take, ticket_transition

pytestmark = POSTGRES_ONLY


def split(outcomes):
    """Winners and losers; anything but a refusal is re-raised so the test shows it."""
    winners = [o for o in outcomes if isinstance(o, Ticket)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    for other in outcomes:
        if not isinstance(other, (Ticket, ValidationError)):
            raise other if isinstance(other, BaseException) else AssertionError(f"unexpected outcome {other!r}")
    return winners, losers


def test_references_are_unique_under_concurrent_intake(requester):
    def open_one(number):
        return lambda _: ticket_open(
            requester=requester, subject=f"Sin red {number}", description="Piso 3", channel=Ticket.Channel.EMAIL
        )

    winners, losers = split(race(*[(None, open_one(n)) for n in range(8)]))

    assert losers == []
    references = [t.reference for t in winners]
    assert len(set(references)) == 8
    assert all(re.fullmatch(r"INC-\d{6}", reference) for reference in references)
    assert sorted(Ticket.objects.values_list("reference", flat=True)) == sorted(references)


def test_two_agents_taking_one_ticket_one_wins_other_is_told_who(requester, agent, other_agent):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)

    def take_as(user):
        return (lambda: Ticket.objects.get(pk=ticket.pk), lambda stale: ticket_take(ticket=stale, agent=user))

    winners, losers = split(race(take_as(agent), take_as(other_agent)))

    assert (len(winners), len(losers)) == (1, 1)
    winner = winners[0].assignee
    assert isinstance(losers[0], TicketConflict)
    # Who took it is checked deterministically in the next test (the loser must have waited).
    assert "ya fue tomado por" in losers[0].messages[0]
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == (Ticket.State.IN_PROGRESS, winner)
    taken = ticket.changes.filter(field=TicketChange.Field.STATE)
    assert [(c.new_value, c.actor) for c in taken] == [(Ticket.State.IN_PROGRESS, winner)]


def wait_until_a_backend_waits_on_a_lock():
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_agent_who_waited_for_the_lock_is_told_who_took_it(requester, agent, other_agent):
    ticket = ticket_open(requester=requester, subject="Sin red", description="Piso 3", channel=Ticket.Channel.WEB)
    first_took, release = threading.Event(), threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():  # holds the row lock until released
                outcomes["first"] = ticket_take(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent)
                first_took.set()
                release.wait(TIMEOUT)
        except BaseException as error:  # noqa: BLE001
            outcomes["first"] = error
        finally:
            first_took.set()
            connection.close()

    def second():
        try:
            stale = Ticket.objects.get(pk=ticket.pk)
            first_took.wait(TIMEOUT)
            outcomes["second"] = ticket_take(ticket=stale, agent=other_agent)
        except BaseException as error:  # noqa: BLE001
            outcomes["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_took.wait(TIMEOUT)
    second_waited = wait_until_a_backend_waits_on_a_lock()
    release.set()
    for thread in threads:
        thread.join(TIMEOUT)

    assert second_waited, "the second agent never waited for the first one's lock"
    assert isinstance(outcomes["first"], Ticket), outcomes["first"]
    assert isinstance(outcomes["second"], TicketConflict), outcomes["second"]
    assert "ya fue tomado por Ana Agente" in outcomes["second"].messages[0]


def test_two_concurrent_transitions_one_wins_and_history_has_one_row(agent, other_agent):
    ticket = TicketFactory(state=Ticket.State.IN_PROGRESS, assignee=agent)
    solve = ("solve", agent, {"solution": "Se reinició el servicio.", "resolution_code": "resolved"})
    ask = ("wait_for_user", other_agent, {"message": "¿Desde qué equipo se conecta?"})

    def attempt(name, user, arguments):
        return (
            lambda: Ticket.objects.get(pk=ticket.pk),
            lambda stale: ticket_transition(ticket=stale, name=name, by=user, **arguments),
        )

    winners, losers = split(race(attempt(*solve), attempt(*ask)))

    assert (len(winners), len(losers)) == (1, 1)
    assert isinstance(losers[0], TicketConflict)
    assert "cambió mientras usted lo consultaba" in losers[0].messages[0]
    ticket.refresh_from_db()
    assert ticket.state == winners[0].state
    assert ticket.state in (Ticket.State.SOLVED, Ticket.State.PENDING_USER)
    state_rows = ticket.changes.filter(field=TicketChange.Field.STATE)
    assert [(r.old_value, r.new_value) for r in state_rows] == [(Ticket.State.IN_PROGRESS, ticket.state)]
    assert ticket.messages.filter(kind=Message.Kind.PUBLIC_REPLY).count() == 1
