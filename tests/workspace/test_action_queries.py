"""What the ticket page and its most frequent actions (take, reply, solve) cost the
database: a constant number of queries, whatever the ticket's history, so that a desk of
a million tickets answers as fast as a small one. The actions write each step once: one
UPDATE of the ticket (the transition's columns with the SLA's deadlines), one INSERT of its
history rows; the locked row reuses the requester, organization and assignee the page
read with the ticket."""

import pytest
from django.urls import reverse

from tests.factories import ModuleFactory
from tickets.models import Impact, Message, Ticket, TicketChange
from tickets.services import ticket_open, ticket_take

pytestmark = pytest.mark.django_db

# Every signed-in request: the session and the user, read by the authentication. The
# user's permissions are read once (the warm-up request of each test) and then kept
# (accounts/backends.py).
REQUEST_QUERIES = 2
# Then the ticket with what the page shows of it; an action's transaction (2: its
# savepoint or BEGIN and its end), the locked row.
TICKET_QUERIES = 1
ACTION_QUERIES = TICKET_QUERIES + 2 + 1
# Take: the history rows (state and assignee, one INSERT), the SLA's recorded events (for
# the sweep's next look), the ticket's UPDATE.
TAKE_QUERIES = REQUEST_QUERIES + ACTION_QUERIES + 3
# A public reply once the first response is given: the message, the requester's link, the outbox row.
REPLY_QUERIES = REQUEST_QUERIES + ACTION_QUERIES + 3
# Solve (with the module or impact the form asks while unset, or without): the history
# rows (one INSERT), the ticket's UPDATE, a confirmation still pending, the organization's
# policy in force (its plan's confirmation window), the new confirmation, the solution as a
# public reply, the email's two links (the ticket's page, the confirmation), the outbox row.
SOLVE_QUERIES = REQUEST_QUERIES + ACTION_QUERIES + 9
# The page of a ticket never solved: the messages, the history, the SLA's events, the
# attachments, the policy in force, the tickets cancelled as its duplicates, the articles
# made from it and the ones its report was shown.
PAGE_QUERIES = REQUEST_QUERIES + TICKET_QUERIES + 8


@pytest.fixture(autouse=True)
def _no_expiry(monkeypatch):
    """The process caches' copies (plans, calendars, the priority matrix) do not expire
    during a test, however slow the machine: what is measured is the request's own work."""
    monkeypatch.setattr("helpdesk.process_cache.time.monotonic", lambda: 1_000.0)


def reported(requester, module=None, number=1) -> Ticket:
    """A ticket opened by the service, with its deadlines and history as in production."""
    return ticket_open(
        requester=requester,
        subject=f"No timbra la factura ({number})",
        description="Error 500 al timbrar.",
        channel=Ticket.Channel.WEB,
        module=module,
    )


def sql_of(captured) -> str:
    return "\n".join(query["sql"][:150] for query in captured.captured_queries)


def test_taking_a_ticket_takes_a_constant_number_of_queries(agent_client, requester, django_assert_num_queries):
    first, second = reported(requester, number=1), reported(requester, number=2)
    agent_client.post(reverse("workspace:ticket-take", args=[first.pk]))  # the plans and calendars, once a process

    with django_assert_num_queries(TAKE_QUERIES) as captured:
        response = agent_client.post(reverse("workspace:ticket-take", args=[second.pk]))

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == Ticket.State.IN_PROGRESS and second.first_response_met is not None
    assert second.sla_next_check_at is not None
    fields = set(second.changes.exclude(field=TicketChange.Field.CREATED).values_list("field", flat=True))
    assert fields == {TicketChange.Field.STATE, TicketChange.Field.ASSIGNEE}
    assert sum(query["sql"].startswith("UPDATE") for query in captured.captured_queries) == 1, sql_of(captured)


def test_a_reply_takes_a_constant_number_of_queries(agent_client, agent, requester, django_assert_num_queries):
    first, second = reported(requester, number=1), reported(requester, number=2)
    for ticket in (first, second):
        ticket_take(ticket=ticket, agent=agent)
    reply = {"body": "Buen día, ya revisamos su reporte."}
    agent_client.post(reverse("workspace:ticket-reply", args=[first.pk]), reply)

    with django_assert_num_queries(REPLY_QUERIES):
        response = agent_client.post(reverse("workspace:ticket-reply", args=[second.pk]), reply)

    assert response.status_code == 302
    assert second.messages.filter(kind=Message.Kind.PUBLIC_REPLY).count() == 1
    assert second.emails.filter(template="ticket_reply").count() == 1


@pytest.mark.parametrize("asks", ["impact", "nothing"], ids=["with-the-impact-the-form-asks", "nothing-more"])
def test_solving_takes_a_constant_number_of_queries(agent_client, agent, requester, asks, django_assert_num_queries):
    module = ModuleFactory()
    tickets = [reported(requester, module=module, number=n) for n in (1, 2)]
    for ticket in tickets:
        ticket_take(ticket=ticket, agent=agent)
        if asks == "nothing":
            Ticket.objects.filter(pk=ticket.pk).update(impact=Impact.LOW)
    data = {"solution": "Se reinició el servicio de timbrado.", "resolution_code": Ticket.ResolutionCode.RESOLVED}
    if asks == "impact":
        data["impact"] = Impact.MEDIUM  # "sin evaluar" counts as medio: the priority stays
    agent_client.post(reverse("workspace:ticket-solve", args=[tickets[0].pk]), data)

    with django_assert_num_queries(SOLVE_QUERIES) as captured:
        response = agent_client.post(reverse("workspace:ticket-solve", args=[tickets[1].pk]), data)

    assert response.status_code == 302
    solved = Ticket.objects.get(pk=tickets[1].pk)
    assert solved.state == Ticket.State.SOLVED and solved.resolution_met is not None
    assert solved.impact in (Impact.MEDIUM, Impact.LOW)
    assert solved.solution_confirmations.filter(outcome="pending").count() == 1
    email = solved.emails.get(template="ticket_solved")
    assert "/solucion/" in email.body_text  # the confirmation's links, from the round just opened
    assert sum(query["sql"].startswith("UPDATE") for query in captured.captured_queries) == 1, sql_of(captured)


def test_the_ticket_page_takes_a_constant_number_of_queries(agent_client, agent, requester, django_assert_num_queries):
    first, second = reported(requester, number=1), reported(requester, number=2)
    for ticket in (first, second):
        ticket_take(ticket=ticket, agent=agent)
    agent_client.get(reverse("workspace:ticket", args=[first.pk]))

    with django_assert_num_queries(PAGE_QUERIES):
        response = agent_client.get(reverse("workspace:ticket", args=[second.pk]))

    assert response.status_code == 200
    assert second.sla_plan.name in response.content.decode()  # the SLA card's plan, kept per process
