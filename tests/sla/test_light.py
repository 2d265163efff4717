"""What people see of the SLA: the traffic light with words and the time left, the same in
Python (one ticket: `TicketServiceLevel.sla_state`) and in SQL (lists and the admin filter:
`TicketServiceLevelQuerySet.in_sla_state`), written side by side in tickets/sla_rules.py;
the queue's column at a constant number of queries; the ticket page's deadlines, verdicts
and SLA timeline."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sla.display import duration_text, sla_light
from sla.sweep import sla_sweep
from tests.factories import AgentFactory, TicketFactory
from tests.workspace.test_queue import QueueRows
from tickets import services
from tickets.models import SLAState, Ticket

from .conftest import MIN, H, mx, open_ticket

pytestmark = pytest.mark.django_db

NOW = mx(2025, 6, 16, 12, 0)  # a Monday noon
QUEUE = reverse("workspace:queue")


def with_deadlines(state=Ticket.State.IN_PROGRESS, *, warn_in, due_in, first_response=True, **fields):
    """A ticket whose clock that matters warns and is due these spans from NOW (negative:
    already passed); the other clock is far away."""
    far = NOW + 100 * H
    columns = {
        "first_response_warn_at": far,
        "first_response_due": far,
        "resolution_warn_at": far,
        "resolution_due": far,
        "first_response_at": None if first_response else NOW - 5 * H,
    }
    prefix = "first_response" if first_response else "resolution"
    columns[f"{prefix}_warn_at"], columns[f"{prefix}_due"] = NOW + warn_in, NOW + due_in
    columns.update(fields)
    return TicketFactory(state=state, created_at=NOW - 10 * H, **columns)


# (ticket, light state, colour, words, detail)
CASES = {
    "owed, before the warning": (
        lambda: with_deadlines(Ticket.State.OPEN, warn_in=H, due_in=2 * H + 10 * MIN),
        SLAState.ON_TIME, "green", "En tiempo", "Primera respuesta: vence en 2 h 10 min",
    ),
    "owed, warned": (
        lambda: with_deadlines(Ticket.State.OPEN, warn_in=-MIN, due_in=35 * MIN),
        SLAState.AT_RISK, "yellow", "En riesgo", "Primera respuesta: vence en 35 min",
    ),
    "owed, breached": (
        lambda: with_deadlines(Ticket.State.OPEN, warn_in=-H, due_in=-35 * MIN),
        SLAState.BREACHED, "red", "Vencido", "Primera respuesta: venció hace 35 min",
    ),
    "exactly at the deadline is still in time": (
        lambda: with_deadlines(Ticket.State.OPEN, warn_in=-H, due_in=datetime.timedelta(0)),
        SLAState.AT_RISK, "yellow", "En riesgo", "Primera respuesta: vence en menos de 1 min",
    ),
    "answered while open: the resolution matters": (
        lambda: with_deadlines(Ticket.State.OPEN, warn_in=-H, due_in=50 * H, first_response=False),
        SLAState.AT_RISK, "yellow", "En riesgo", "Resolución: vence en 2 d 2 h",
    ),
    "in progress, breached": (
        lambda: with_deadlines(warn_in=-3 * H, due_in=-H, first_response=False),
        SLAState.BREACHED, "red", "Vencido", "Resolución: venció hace 1 h",
    ),
    "waiting in a pausing state, paused before the warning": (
        lambda: with_deadlines(
            Ticket.State.PENDING_USER, warn_in=-3 * H, due_in=-H, first_response=False,
            resolution_paused_since=NOW - 4 * H,
        ),
        SLAState.ON_TIME, "green", "En tiempo", "Resolución en pausa",
    ),
    "waiting, paused after the deadline": (
        lambda: with_deadlines(
            Ticket.State.PENDING_USER, warn_in=-3 * H, due_in=-2 * H, first_response=False,
            resolution_paused_since=NOW - H,
        ),
        SLAState.BREACHED, "red", "Vencido", "Resolución en pausa",
    ),
    "waiting for a vendor the plan does not pause for": (
        lambda: with_deadlines(Ticket.State.PENDING_VENDOR, warn_in=-3 * H, due_in=-H, first_response=False),
        SLAState.BREACHED, "red", "Vencido", "Resolución: venció hace 1 h",
    ),
}


@pytest.mark.parametrize("make, state, colour, words, detail", CASES.values(), ids=CASES.keys())
def test_the_light_in_python_and_in_sql_agree(make, state, colour, words, detail):
    """Ticket.sla_state (through sla_light) and TicketQuerySet.in_sla_state give one light."""
    ticket = make()
    light = sla_light(ticket, NOW)
    assert (light.state, light.colour, light.label, light.detail) == (state, colour, words, detail)
    for bucket in SLAState.values:
        assert Ticket.objects.in_sla_state(bucket, NOW).filter(pk=ticket.pk).exists() is (bucket == state), bucket


@pytest.mark.parametrize(
    "fields, words, colour",
    [
        ({"state": Ticket.State.SOLVED, "resolution_met": True}, "Resuelto a tiempo", "green"),
        ({"state": Ticket.State.CLOSED, "resolution_met": False}, "Resuelto fuera de plazo", "red"),
        ({"state": Ticket.State.CANCELLED}, "Sin plazo", ""),
        ({"state": Ticket.State.OPEN, "first_response_due": None, "resolution_due": None}, "Sin plazo", ""),
    ],
)
def test_stopped_clocks_show_the_verdict_and_no_light_in_course(fields, words, colour):
    ticket = with_deadlines(warn_in=-H, due_in=H, **{k: v for k, v in fields.items() if k != "state"})
    Ticket.objects.filter(pk=ticket.pk).update(state=fields["state"])
    ticket.refresh_from_db()
    light = sla_light(ticket, NOW)
    assert (light.label, light.colour) == (words, colour)
    assert not any(Ticket.objects.in_sla_state(bucket, NOW).filter(pk=ticket.pk).exists() for bucket in SLAState.values)


@pytest.mark.parametrize(
    "span, text",
    [
        (datetime.timedelta(seconds=59), "menos de 1 min"),
        (35 * MIN, "35 min"),
        (H, "1 h"),
        (2 * H + 10 * MIN, "2 h 10 min"),
        (24 * H, "1 d"),
        (76 * H + 59 * MIN, "3 d 4 h"),
    ],
)
def test_time_left_reads_in_days_hours_and_minutes(span, text):
    assert duration_text(span) == text


# The queue ----------------------------------------------------------------------------


def sla_cells(client):
    html = client.get(QUEUE, {"vista": "todos"}).content.decode()
    return {row[1]: row[-1] for row in QueueRows(html).rows}, html


def test_the_queue_shows_each_tickets_light_in_words_and_the_time_left(agent_client, desk, customer, agent):
    open_ticket(customer, subject="Tranquilo", urgency=1)  # bajo: first response Monday 16:30
    open_ticket(customer, subject="En riesgo")  # alto: first response Monday 10:30
    breached = services.ticket_take(ticket=open_ticket(customer, subject="Vencido"), agent=agent)
    services.ticket_wait_for_user(
        ticket=services.ticket_take(ticket=open_ticket(customer, subject="Esperando"), agent=agent),
        by=agent, message="¿Nos confirma?", notify=False,
    )
    desk.at(mx(2025, 6, 16, 10, 15))
    Ticket.objects.filter(pk=breached.pk).update(resolution_due=mx(2025, 6, 16, 9, 40))
    cells, html = sla_cells(agent_client)
    assert cells == {
        "Tranquilo": "En tiempo Primera respuesta: vence en 6 h 15 min",
        "En riesgo": "En riesgo Primera respuesta: vence en 15 min",
        "Vencido": "Vencido Resolución: venció hace 35 min",
        "Esperando": "En tiempo Resolución en pausa",
    }
    # Colour repeats the words (for who cannot see it), and the exact deadline is at hand.
    assert html.count('class="sla-light sla-green') == 2 and 'class="sla-light sla-red"' in html
    assert 'title="Plazo: 16 de junio de 2025 a las 10:30"' in html
    assert 'href="/static/sla/sla.css"' in html


def test_the_queue_costs_the_same_queries_with_more_tickets_under_sla(agent_client, desk, customer, agent):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(QUEUE, {"vista": "todos"}).status_code == 200
        return len(queries)

    for n in range(3):
        services.ticket_take(ticket=open_ticket(customer, subject=f"Caso {n}"), agent=AgentFactory())
    count()
    few = count()
    for n in range(22):
        services.ticket_take(ticket=open_ticket(customer, subject=f"Otro {n}"), agent=AgentFactory())
    desk.at(mx(2025, 6, 16, 15, 0))
    count()  # the new agents made the kept lists (permissions, the bulk bar's agents) be read again
    assert count() == few


# The ticket page ----------------------------------------------------------------------


def page(client, ticket):
    return client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()


def text_of(html, element_id):
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</dd>', html, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_ticket_page_shows_both_deadlines_in_the_desks_time_zone(agent_client, desk, customer):
    ticket = open_ticket(customer)
    html = page(agent_client, ticket)
    assert text_of(html, "sla-first-response") == (
        "Vence el 16 de junio de 2025 a las 10:30 Objetivo: 2 h hábiles · aviso el 16 de junio de 2025 a las 10:00"
    )
    assert text_of(html, "sla-resolution").startswith("Vence el 16 de junio de 2025 a las 16:30")
    assert "Plan estándar" in html and 'id="ticket-sla"' in html


def test_the_ticket_page_shows_met_and_missed_with_the_figures(agent_client, desk, customer, agent):
    ticket = open_ticket(customer)
    desk.at(mx(2025, 6, 16, 10, 0))
    ticket = services.ticket_take(ticket=ticket, agent=agent)
    desk.at(mx(2025, 6, 16, 17, 0))
    ticket = services.ticket_solve(ticket=ticket, by=agent, solution="Listo.", resolution_code="resolved", notify=False)
    html = page(agent_client, ticket)
    assert text_of(html, "sla-first-response") == "A tiempo 1 h 30 min hábiles de 2 h Plazo: 16 de junio de 2025 a las 10:30"
    assert text_of(html, "sla-resolution") == "Fuera de plazo 8 h 30 min hábiles de 8 h Plazo: 16 de junio de 2025 a las 16:30"


def test_a_paused_ticket_says_since_when(agent_client, desk, customer, agent):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 11, 0))
    ticket = services.ticket_wait_for_user(ticket=ticket, by=agent, message="¿Captura?", notify=False)
    assert text_of(page(agent_client, ticket), "sla-resolution") == (
        "En pausa desde el 16 de junio de 2025 a las 11:00: el plazo se recorre al reanudar. "
        "Plazo antes de la pausa: 16 de junio de 2025 a las 16:30"
    )


def test_sla_events_are_in_the_timeline(agent_client, desk, customer, agent, coordinator):
    ticket = services.ticket_take(ticket=open_ticket(customer), agent=agent)
    desk.at(mx(2025, 6, 16, 14, 31))
    sla_sweep()
    desk.at(mx(2025, 6, 16, 16, 31))
    sla_sweep()
    html = page(agent_client, ticket)
    entries = re.findall(r'data-sla-event="\d+">(.*?)</li>', html, re.DOTALL)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", entry).split()) for entry in entries]
    # Newest first, as the ticket page's timeline reads (docs/workspace.md, «The ticket page»).
    assert texts == [
        "Nivel de servicio (SLA) · 16 de junio de 2025 a las 16:30 "
        "Venció el plazo de resolución: 16 de junio de 2025 a las 16:30. Se avisó por correo.",
        "Nivel de servicio (SLA) · 16 de junio de 2025 a las 14:30 "
        "El plazo de resolución vence el 16 de junio de 2025 a las 16:30. Se avisó por correo.",
    ]


# The coordinators' admin ------------------------------------------------------------------


def test_the_admin_filters_by_light_and_shows_it(client, coordinator, desk, customer):
    client.force_login(coordinator)
    calm = open_ticket(customer, subject="Tranquilo", urgency=1)
    late = open_ticket(customer, subject="Atrasado")
    desk.at(mx(2025, 6, 16, 10, 45))
    changelist = reverse("admin:tickets_ticket_changelist")
    for bucket, expected in (("on_time", [calm]), ("at_risk", []), ("breached", [late])):
        response = client.get(changelist, {"sla": bucket})
        assert list(response.context["cl"].result_list) == expected, bucket
    html = client.get(changelist).content.decode()
    assert "Vencido" in html and "Primera respuesta: venció hace 15 min" in html
