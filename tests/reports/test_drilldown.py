"""The tickets behind a figure: each figure's list is the tickets it counts, named here by
hand for a small desk, and its length (or its events) is the figure of period_figures; the
pages' permissions, their 400s, pagination, the exports and their query counts.

The desk (the one of test_kpis, told again; Mexico City, Mon–Fri 09:00–18:00, Monday 17
November 2025 a holiday; priority alta: 2 h / 8 h of business time):

    A  Thu 13 10:00 opened (Nómina) · 10:30 taken by Ana · 12:00 solved · 15:00 accepted
       (closed, survey sent) · Fri 14 09:00 survey 5 ★, solved
    B  Fri 14 17:00 opened (Nómina) · Tue 18 09:30 taken (1.5 business hours: met) · 10:00
       waits for the requester · 14:00 resumes · 15:00 escalated to N2 · Wed 19 12:00
       solved · 14:00 rejected (a reopening) · Thu 20 10:00 solved again · Fri 21 11:00
       closed by Ana (14 business hours: breached) · 16:00 survey 2 ★, not solved
    C  Sat 15 11:00 opened (Facturación) · Mon 17 10:00 taken · 11:00 solved as a false
       incident · Tue 18 09:00 accepted · survey not answered
    D  Tue 18 11:00 opened · 12:00 cancelled (withdrawn)
    E  Wed 19 16:00 opened, untouched: the one ticket in course at the end of Friday 21
"""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.drilldown import FIGURES, TicketList
from reports.figures import period_figures
from reports.models import DailyFigure, FactEvent, MonthlyFigure, TicketFacts
from reports.query import Period, ReportQuery
from reports.refresh import refresh_tickets, reports_rebuild, reports_refresh
from tests.factories import (
    AgentFactory,
    ContactFactory,
    UserFactory,
)
from tickets.models import Ticket

from .desk import known_desk, mx
from .test_rollup import DAY0, DIMENSIONS, cast, change_tickets, make_ticket, ticket_plans, value_of  # noqa: F401 (cast: a fixture)

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"periodo": "rango", "desde": "2025-11-13", "hasta": "2025-11-21"}


def count_of(name: str, row) -> int:
    """The figure `name` of FIGURES as period_figures gives it."""
    counts = {
        "created": row.created,
        "solved": row.solved,
        "closed": row.closed,
        "backlog": row.backlog,
        "cancelled": row.cancelled,
        "first_responses": row.first_response.wall.count,
        "first_responses_met": row.first_response.met,
        "first_responses_breached": row.first_response.breached,
        "resolved": row.resolved,
        "resolved_met": row.resolution.met,
        "resolved_breached": row.resolution.breached,
        "first_contact": row.first_contact,
        "resolved_escalated": row.resolved_escalated,
        "escalations_n2": row.escalations[2],
        "escalations_n3": row.escalations[3],
        "resolved_reopened": row.resolved_reopened,
        "reopenings": row.reopenings,
        "false_incidents": row.false_incidents,
        "surveys_sent": row.satisfaction.sent,
        "surveys_answered": row.satisfaction.answered,
        "survey_solved": row.satisfaction.solved,
        **{f"cancelled_{reason}": n for reason, n in row.cancellations.items()},
        **{f"rating_{rating}": n for rating, n in row.satisfaction.distribution.items()},
    }
    return counts[name]


def listed(figure, start, end, *, breakdown="", value=None, agent=None):
    """(ticket ids in the list's order, the figure by the list: its events or its length)."""
    query = ReportQuery(period=Period.RANGE, start=start, end=end, breakdown=breakdown, agent=agent)
    tickets = TicketList(FIGURES[figure], query, value)
    ids = [row["pk"] for row in tickets.complete(tickets.ordered())]
    assert tickets.count() == len(ids)
    events = tickets.event_total()
    return ids, len(ids) if events is None else events


@pytest.fixture
def desk():
    with time_machine.travel(mx(2025, 11, 13, 9, 0), tick=False) as traveller:
        at = traveller.move_to
        desk = known_desk(at)
        carla = desk["coordinator"]
        at(mx(2025, 11, 22, 8, 0))
        reports_refresh()
        tickets = {name: Ticket.objects.get(pk=desk[name].pk) for name in "abcde"}
        yield dict(desk, **tickets, carla=carla)


# Each figure, newest first: the tickets named by hand, and the figure of period_figures.
EXPECTED = {
    "created": "EDCBA",
    "solved": "BCA",
    "closed": "BCA",
    "backlog": "E",
    "cancelled": "D",
    "cancelled_withdrawn": "D",
    "cancelled_duplicate": "",
    "cancelled_unauthorized_contact": "",
    "cancelled_no_policy": "",
    "cancelled_other": "",
    "first_responses": "BCA",
    "first_responses_met": "BCA",
    "first_responses_breached": "",
    "resolved": "BCA",
    "resolved_met": "CA",
    "resolved_breached": "B",
    "first_contact": "CA",
    "resolved_escalated": "B",
    "escalations_n2": "B",
    "escalations_n3": "",
    "resolved_reopened": "B",
    "reopenings": "B",
    "false_incidents": "C",
    "surveys_sent": "BCA",
    "surveys_answered": "BA",
    "survey_solved": "A",
    "rating_1": "",
    "rating_2": "B",
    "rating_3": "",
    "rating_4": "",
    "rating_5": "A",
}


def test_every_figure_has_its_expected_list():
    assert set(EXPECTED) == set(FIGURES)


def test_each_figures_list_is_the_tickets_it_counts(desk):
    (row,) = period_figures(D(2025, 11, 13), D(2025, 11, 21)).rows
    got, wanted = {}, {}
    for figure, names in EXPECTED.items():
        ids, total = listed(figure, D(2025, 11, 13), D(2025, 11, 21))
        got[figure] = (ids, total, count_of(figure, row))
        wanted[figure] = ([desk[name.lower()].pk for name in names], len(names), len(names))
    assert got == wanted


def test_lists_by_a_value_of_a_dimension(desk):
    a, b, c = desk["a"], desk["b"], desk["c"]
    nomina = str(desk["nomina"].pk)
    assert listed("created", D(2025, 11, 13), D(2025, 11, 21), breakdown="modulo", value=nomina)[0] == [b.pk, a.pk]
    assert listed("resolved_breached", D(2025, 11, 13), D(2025, 11, 21), breakdown="modulo", value=nomina)[0] == [b.pk]
    # No module: D and E; the backlog at the end of Wednesday 19: B (pending) and E.
    assert listed("created", D(2025, 11, 13), D(2025, 11, 21), breakdown="modulo", value="")[0] == [desk["e"].pk, desk["d"].pk]
    assert listed("backlog", D(2025, 11, 13), D(2025, 11, 19))[0] == [desk["e"].pk, b.pk]
    assert listed("false_incidents", D(2025, 11, 13), D(2025, 11, 21), breakdown="canal", value="email")[0] == [c.pk]
    # One day: Thursday 13 holds A's creation, first response, solution and survey.
    assert listed("created", D(2025, 11, 13), D(2025, 11, 13))[0] == [a.pk]
    assert listed("surveys_answered", D(2025, 11, 13), D(2025, 11, 13))[0] == [a.pk]
    # An agent's own: Ana has A, B and C.
    assert listed("created", D(2025, 11, 13), D(2025, 11, 21), agent=desk["ana"])[0] == [c.pk, b.pk, a.pk]


def references(response) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/mesa/tickets/\d+/">([^<]+)</a>', response.content.decode())


def url(name, **params):
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({**PERIOD, **params})}"


def test_the_page_says_what_the_list_is(client, desk):
    client.force_login(desk["carla"])
    response = client.get(url("reports:tickets", cifra="resolved_breached", por="modulo", valor=desk["nomina"].pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 incumplimiento de resolución — Módulo: Nómina — 13 – 21 de noviembre de 2025" in html
    assert references(response) == [desk["b"].reference]
    # Its own columns: the solution's instant in Mexico City and the business time, 14 h, late.
    assert "20/11/2025 10:00" in html and "14 h" in html and "<td>No</td>" in html
    assert f'href="{reverse("workspace:ticket", args=[desk["b"].pk])}"' in html
    back = f'{reverse("reports:index")}?periodo=rango&amp;desde=2025-11-13&amp;hasta=2025-11-21&amp;por=modulo'
    assert back in html


def test_an_events_figure_shows_its_events_and_tickets(client, desk):
    client.force_login(desk["carla"])
    response = client.get(url("reports:tickets", cifra="escalations_n2"))
    html = response.content.decode()
    assert "1 escalamiento a N2 — 13 – 21 de noviembre de 2025" in html
    assert "En 1 ticket: la columna" in html
    assert references(response) == [desk["b"].reference]


def test_mine_lists_only_the_agents_own_whatever_valor_says(client, desk):
    ana, a, b, c = desk["ana"], desk["a"], desk["b"], desk["c"]
    client.force_login(ana)
    response = client.get(url("reports:mine-tickets", cifra="created", por="modulo", valor=desk["nomina"].pk))
    assert response.status_code == 200
    assert references(response) == [c.reference, b.reference, a.reference]
    assert "3 tickets creados — Agente: Ana Agente" in response.content.decode()
    client.force_login(AgentFactory(username="beto"))
    response = client.get(url("reports:mine-tickets", cifra="created", valor=ana.pk))
    assert (response.status_code, references(response)) == (200, [])
    assert "0 tickets creados" in response.content.decode()


@pytest.mark.parametrize("name", ["reports:tickets", "reports:tickets-export"])
def test_only_report_readers_see_the_desks_lists(client, desk, name):
    path = url(name, cifra="created") if name == "reports:tickets" else (
        f'{reverse(name, kwargs={"fmt": "csv"})}?periodo=mes&cifra=created'
    )
    assert client.get(path).status_code == 302  # anonymous: sign in
    client.force_login(UserFactory(username="visitante"))
    assert client.get(path).status_code == 403  # signed in, not an agent
    client.force_login(desk["ana"])
    refused = client.get(path)  # an agent without reports.view_reports
    assert refused.status_code == 403
    assert "Sus propias cifras están en «Mis indicadores»." in refused.content.decode()
    assert client.post(path).status_code == 405  # a list is read, never posted to
    client.force_login(desk["carla"])
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 405


def test_mine_needs_an_agent(client, desk):
    path = url("reports:mine-tickets", cifra="created")
    assert client.get(path)["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(username="visitante"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    "params, message",
    [
        ({"cifra": "nada"}, "La cifra «nada» no existe."),
        ({}, "La cifra «» no existe."),
        ({"cifra": "created", "valor": "3"}, "Un valor («valor») necesita un desglose («por»)."),
        ({"cifra": "created", "por": "modulo", "valor": "x"}, "«x» no es un valor del desglose por módulo."),
        ({"cifra": "created", "por": "canal", "valor": "fax"}, "«fax» no es un valor del desglose por canal."),
        ({"cifra": "created", "por": "nivel", "valor": ""}, "El desglose por nivel de soporte no tiene tickets sin valor."),
        ({"cifra": "created", "pagina": "dos"}, "La página «dos» no existe."),
        ({"cifra": "created", "pagina": "9"}, "La página «9» no existe."),
        ({"cifra": "created", "desde": "2025-11-21", "hasta": "2025-11-13"}, "La fecha final es anterior a la inicial."),
        ({"cifra": "created", "por": "color"}, "color"),
    ],
)
def test_a_bad_query_is_told_in_spanish(client, desk, params, message):
    client.force_login(desk["carla"])
    response = client.get(url("reports:tickets", **params))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_export_format_is_not_found(client, desk):
    client.force_login(desk["carla"])
    assert client.get("/mesa/informes/tickets/exportar.pdf?cifra=created").status_code == 404


def many_tickets(n, requester, *, subject="S"):
    tickets = [
        Ticket(requester=requester, subject=subject, description="D", channel="web", created_at=mx(2025, 11, 1 + k % 28, 10, k % 60))
        for k in range(n)
    ]
    Ticket.objects.bulk_create(tickets)
    reports_refresh()


def test_pages_of_fifty_keep_the_filters_and_take_the_same_queries(client, coordinator):
    client.force_login(coordinator)
    requester = ContactFactory()
    many_tickets(1, requester)
    path = f'{reverse("reports:tickets")}?periodo=rango&desde=2025-11-01&hasta=2025-11-30&cifra=created'
    client.get(path)  # warm up: the coordinator's permissions are read once, then kept
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    many_tickets(50, requester)
    with CaptureQueriesContext(connection) as first:
        response = client.get(path)
    assert len(references(response)) == 50
    html = response.content.decode()
    assert "51 tickets creados" in html and "Página 1 de 2" in html
    assert "?periodo=rango&amp;desde=2025-11-01&amp;hasta=2025-11-30&amp;cifra=created&amp;pagina=2" in html
    with CaptureQueriesContext(connection) as second:
        response = client.get(path + "&pagina=2")
    assert len(references(response)) == 1
    assert len(one) == len(first) == len(second)


def test_the_queries_do_not_grow_with_the_tickets_of_a_breakdown(client, coordinator, module):
    client.force_login(coordinator)
    requester = ContactFactory()
    many_tickets(2, requester)
    path = f'{reverse("reports:tickets")}?periodo=rango&desde=2025-11-01&hasta=2025-11-30&cifra=backlog&por=modulo&valor='
    client.get(path)  # warm up: the coordinator's permissions are read once, then kept
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    many_tickets(40, requester)
    with CaptureQueriesContext(connection) as more:
        response = client.get(path)
    assert "42 tickets pendientes al cierre — Módulo: Sin módulo" in response.content.decode()
    assert len(few) == len(more)


def export(client, fmt, **params):
    response = client.get(f'{reverse("reports:tickets-export", kwargs={"fmt": fmt})}?{"&".join(f"{k}={v}" for k, v in {**PERIOD, **params}.items())}')
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_exports_hold_the_whole_list_escaped_in_mexico_city_time(client, desk):
    client.force_login(desk["carla"])
    Ticket.objects.filter(pk=desk["a"].pk).update(subject='=HYPERLINK("http://x")')

    response, body = export(client, "csv", cifra="resolved")
    assert response["Content-Disposition"] == 'attachment; filename="tickets-resueltos-2025-11-13-2025-11-21.csv"'
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, *lines = rows
    assert header[:8] == ["Referencia", "Asunto", "Estado", "Prioridad", "Módulo", "Agente", "Organización", "Creado"]
    assert header[8:] == [
        "Solucionado", "Resolución, tiempo hábil (horas)", "Resolución, tiempo real (horas)", "Dentro del SLA", "Código de resolución",
    ]
    assert [line[0] for line in lines] == [desk["b"].reference, desk["c"].reference, desk["a"].reference]
    a = lines[2]
    assert a[1] == '\'=HYPERLINK("http://x")'
    assert (a[2], a[4], a[5], a[7], a[8]) == ("Cerrado", "Nómina", "Ana Agente", "2025-11-13 10:00:00", "2025-11-13 12:00:00")
    assert (a[9], a[10], a[11]) == ("2.0", "2.0", "Sí")
    assert lines[0][9:12] == ["14.0", "137.0", "No"]

    response, body = export(client, "xlsx", cifra="resolved", por="modulo", valor=desk["nomina"].pk)
    assert response["Content-Disposition"] == 'attachment; filename="tickets-resueltos-nomina-2025-11-13-2025-11-21.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Referencia", "Asunto")
    assert [line[0] for line in values[1:]] == [desk["b"].reference, desk["a"].reference]
    assert values[2][1] == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=3, column=2).data_type == "s"
    assert values[2][7] == datetime.datetime(2025, 11, 13, 10, 0)
    assert values[1][8] == datetime.datetime(2025, 11, 20, 10, 0)


def test_an_xlsx_longer_than_a_sheet_is_refused_for_csv(client, desk, monkeypatch):
    from reports import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    client.force_login(desk["carla"])
    response = client.get(f'{reverse("reports:tickets-export", kwargs={"fmt": "xlsx"})}?periodo=rango&desde=2025-11-13&hasta=2025-11-21&cifra=resolved')
    assert response.status_code == 400
    assert "La lista tiene 3 tickets y una hoja XLSX admite 2 filas: expórtela en CSV" in response.content.decode()


def test_a_survey_list_shows_the_rating_and_the_requesters_comment(client, desk):
    from surveys.models import SurveyAnswer

    SurveyAnswer.objects.filter(ticket=desk["b"]).update(comment="Tardaron demasiado.")
    client.force_login(desk["carla"])
    response, body = export(client, "csv", cifra="rating_2")
    header, line = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[8:] == ["Encuesta enviada", "Calificación", "¿Se resolvió?", "Comentario"]
    assert line[8:] == ["2025-11-21 11:00:00", "2", "No", "Tardaron demasiado."]


def test_mine_exports_only_the_agents_own(client, desk):
    client.force_login(desk["ana"])
    response = client.get(f'{reverse("reports:mine-tickets-export", kwargs={"fmt": "csv"})}?periodo=rango&desde=2025-11-13&hasta=2025-11-21&cifra=created&valor=')
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))[1:]
    assert [line[0] for line in lines] == [desk["c"].reference, desk["b"].reference, desk["a"].reference]


# For random desks, every figure's list is as long as the rollup's count -----------------

def check_lengths(start, end, dimension):
    breakdown = {"all": "", "module": "modulo", "agent": "agente", "level": "nivel", "priority": "prioridad",
                 "organization": "organizacion", "channel": "canal", "kind": "tipo"}[dimension]
    rows = {row.value: row for row in period_figures(start, end, breakdown=dimension).rows}
    values = {value_of(facts, dimension) for facts in TicketFacts.objects.all()}
    for value in values:
        for figure in FIGURES:
            if value == "" and dimension not in ("module", "agent", "organization"):
                continue
            _ids, total = listed(figure, start, end, breakdown=breakdown, value=None if dimension == "all" else value)
            expected = count_of(figure, rows[value]) if value in rows else 0
            assert total == expected, (figure, value)


def stored_events():
    return sorted(FactEvent.objects.values_list("facts_id", "kind", "day", "until", "level"), key=repr)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    plans=st.lists(ticket_plans, min_size=1, max_size=8),
    changes=st.lists(st.tuples(st.integers(0, 7), ticket_plans), max_size=2),
    period=st.tuples(st.integers(0, 12), st.integers(0, 12)),
    dimension=st.sampled_from(DIMENSIONS),
)
def test_every_list_is_as_long_as_its_figure(cast, plans, changes, period, dimension):  # noqa: F811
    Ticket.objects.all().delete()
    FactEvent.objects.all().delete()
    TicketFacts.objects.all().delete()
    DailyFigure.objects.all().delete()
    MonthlyFigure.objects.all().delete()
    start, end = DAY0 + datetime.timedelta(days=min(period)), DAY0 + datetime.timedelta(days=max(period))
    tickets = [make_ticket(plan, cast) for plan in plans]
    refresh_tickets([t.pk for t in tickets])
    check_lengths(start, end, dimension)

    # Some tickets change or go (as in test_rollup): their events follow their facts.
    refresh_tickets(change_tickets(tickets, changes, cast))
    check_lengths(start, end, dimension)
    incremental = stored_events()
    reports_rebuild()
    assert stored_events() == incremental
