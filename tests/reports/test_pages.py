"""Informes and Mis indicadores as a coordinator and an agent read them, on a desk whose
figures are worked out by hand (tests/reports/pages.py)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.refresh import reports_refresh
from tests.factories import ContactFactory, CoordinatorFactory, ModuleFactory, UserFactory
from tickets.models import Ticket

from .desk import mx
from .pages import PERIOD, build_desk, figure_row, headline, read, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_desk(db):
    with time_machine.travel(mx(2025, 11, 13, 9, 0), tick=False) as traveller:
        yield build_desk(traveller)

INFORMES = "/mesa/informes/"
MINE = "/mesa/mis-indicadores/"


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_urls_are_the_agreed_ones():
    assert reverse("reports:index") == INFORMES
    assert reverse("reports:mine") == MINE
    assert reverse("reports:export", kwargs={"fmt": "xlsx"}) == "/mesa/informes/exportar.xlsx"
    assert reverse("reports:mine-export", kwargs={"fmt": "csv"}) == "/mesa/mis-indicadores/exportar.csv"


def test_a_coordinator_reads_the_whole_desk(client, known_desk):
    client.force_login(known_desk["coordinator"])
    response = client.get(INFORMES, PERIOD)
    assert response.status_code == 200
    page = read(response)
    text = page.text()

    assert "Periodo: 13 – 21 de noviembre de 2025" in text
    assert "Comparado con el periodo anterior: 4 – 12 de noviembre de 2025" in text
    # The refresh ran on 22 November at 08:00, Mexico City.
    assert "Cifras al 22/11 08:00" in text

    cards = headline(page)
    created = cards["Creados"]
    assert created.find("span", class_="headline-value").text() == "6"
    # Nothing the nine days before: six more.
    assert created.find("p", class_="headline-change").find("span").text() == "↑ 6"
    assert cards["Resolución dentro del SLA"].find("span", class_="headline-value").text() == "75,0 %"
    assert cards["Calificación media"].find("span", class_="headline-value").text() == "2,7"
    # A definition any reader reaches: the figure's link names it.
    link = created.find("a")
    definition = page.find(id=link.attrs["aria-describedby"])
    assert definition.text() == "Tickets reportados en el periodo, por su fecha de creación."

    assert figure_row(page, "created")[:3] == ["Creados", "6", "0"]
    assert figure_row(page, "solved")[1] == "4"
    assert figure_row(page, "backlog")[1] == "1"
    assert figure_row(page, "cancelled")[1] == "1"
    assert figure_row(page, "res_within")[1] == "75,0 %"
    assert figure_row(page, "res_breached")[1] == "1"
    assert figure_row(page, "fr_within")[1] == "100,0 %"
    assert figure_row(page, "fcr")[1] == "75,0 %"
    assert figure_row(page, "escalations_n2")[1] == "1"
    assert figure_row(page, "escalations_n3")[1] == "0"
    assert figure_row(page, "cancelled_withdrawn")[:2] == ["Cancelados: Retirado por el solicitante", "1"]
    assert figure_row(page, "cancelled_duplicate")[1] == "0"
    # Surveys sent: A, C, F, B; answered A (5), F (1), B (2); solved: A and F, whose
    # requesters said "Sí, quedó resuelto", not B.
    assert figure_row(page, "answer_rate")[1] == "75,0 %"
    assert figure_row(page, "survey_solved")[1] == "66,7 %"
    assert [figure_row(page, f"rating_{n}")[1] for n in range(1, 6)] == ["1", "1", "0", "0", "1"]
    # Resolution, business time: A 2 h, B 14 h, C 0, F 35 min → mean 4 h 8 min (rounded down).
    assert figure_row(page, "res_mean")[1] == "4 h 8 min"
    # Wall clock too: A 2 h, B 137 h, C 48 h, F 35 min → 46 h 53 min.
    assert figure_row(page, "res_wall_mean")[1] == "1 d 22 h"


def test_every_figure_links_to_its_tickets(client, known_desk):
    client.force_login(known_desk["coordinator"])
    page = read(client.get(INFORMES, {**PERIOD, "por": "modulo"}))
    created = params(figure_row_link(page, "created"))
    assert created == {"periodo": ["rango"], "desde": ["2025-11-13"], "hasta": ["2025-11-21"], "por": ["modulo"], "cifra": ["created"]}
    assert params(figure_row_link(page, "cancelled_withdrawn"))["cifra"] == ["cancelled_withdrawn"]
    assert params(figure_row_link(page, "rating_2"))["cifra"] == ["rating_2"]
    assert urlsplit(figure_row_link(page, "created")).path == "/mesa/informes/tickets/"

    nomina = known_desk["nomina"]
    row = page.find("tr", **{"data-value": str(nomina.pk)})
    first = params(row.find("a").attrs["href"])
    assert (first["cifra"], first["valor"]) == (["created"], [str(nomina.pk)])
    total = page.find("tr", class_="total-row")
    assert "valor" not in params(total.find("a").attrs["href"])


def figure_row_link(page, key):
    return page.find("tr", **{"data-figure": key}).find("a").attrs["href"]


def test_the_breakdown_table_has_a_row_a_value_and_the_whole_desk(client, known_desk):
    client.force_login(known_desk["coordinator"])
    page = read(client.get(INFORMES, {**PERIOD, "por": "modulo"}))
    rows = table_rows(page)
    assert list(rows) == ["Facturación", "Nómina", "Sin módulo", "Toda la mesa"]
    # Columns: created, solved, closed, backlog, …
    assert [rows[name][0] for name in rows] == ["2", "2", "2", "6"]
    assert rows["Nómina"][1:4] == ["2", "2", "0"]
    assert rows["Sin módulo"][3] == "1"  # E, open
    # The headline stays the whole desk's.
    assert headline(page)["Creados"].find("span", class_="headline-value").text() == "6"


def test_an_agent_sees_only_their_own_figures(client, known_desk):
    client.force_login(known_desk["ana"])
    # A breakdown or another agent's value in the query string changes nothing.
    response = client.get(MINE, {**PERIOD, "por": "agente", "valor": str(known_desk["beto"].pk)})
    assert response.status_code == 200
    page = read(response)
    assert headline(page)["Creados"].find("span", class_="headline-value").text() == "3"
    assert figure_row(page, "res_within")[1] == "66,7 %"
    assert figure_row(page, "rating")[1] == "3,5"
    assert page.find("select", name="por") is None
    rows = table_rows(page)
    assert list(rows) == ["Ana Agente"]
    assert rows["Ana Agente"][0] == "3"
    # Her charts: no modules' chart; her ratings are A's 5 and B's 2 (F's 1 is Beto's).
    charts = [figure.attrs["id"] for figure in page.all("figure", class_="report-chart")]
    assert charts == ["chart-volume", "chart-sla", "chart-ratings"]
    ratings = page.find("figure", id="chart-ratings").find("tbody")
    assert [row.find("td").text() for row in ratings.all("tr")] == ["0", "1", "0", "0", "1"]
    # B's low rating is Ana's; F's (Beto's) is not shown to her.
    comments = page.find("ul", class_="low-ratings").text()
    assert "Tardaron una semana." in comments and "Nadie me llamó." not in comments
    for href in page.links():
        if href and "/tickets/?" in href:
            assert urlsplit(href).path == "/mesa/mis-indicadores/tickets/"
            assert "valor" not in params(href)


def test_the_low_ratings_newest_first_each_linking_to_its_ticket(client, known_desk):
    client.force_login(known_desk["coordinator"])
    page = read(client.get(INFORMES, PERIOD))
    items = list(page.find("ul", class_="low-ratings").all("li"))
    assert [item.find("blockquote").text() for item in items] == ["Tardaron una semana.", "Nadie me llamó."]
    b = Ticket.objects.get(pk=known_desk["b"].pk)
    assert items[0].find("a").attrs["href"] == f"/mesa/tickets/{b.pk}/"
    assert items[0].find("a").text() == b.reference
    assert "2 de 5" in items[0].text()


def test_the_charts_are_images_with_their_numbers_beside(client, known_desk):
    client.force_login(known_desk["coordinator"])
    page = read(client.get(INFORMES, PERIOD))
    svgs = list(page.all("svg"))
    assert len(svgs) == 4
    for svg in svgs:
        assert svg.attrs["role"] == "img"
        assert svg.find("title").text()
        assert "style" not in svg.attrs and not any("style" in node.attrs for node in svg.all())
    ratings = page.find("figure", id="chart-ratings")
    assert "Calificaciones de 3 respuestas" in ratings.find("title").text()
    data = [[cell.text() for cell in row.children if not isinstance(cell, str)] for row in ratings.find("tbody").all("tr")]
    assert data == [["1 de 5", "1"], ["2 de 5", "1"], ["3 de 5", "0"], ["4 de 5", "0"], ["5 de 5", "1"]]
    # Two ISO weeks: Thu 13–Sun 16 and Mon 17–Fri 21. Resolution verdicts: A met (13);
    # C met (17), F met (18), B breached (20): 2 of 3.
    sla = page.find("figure", id="chart-sla")
    weeks = [[cell.text() for cell in row.children if not isinstance(cell, str)] for row in sla.find("tbody").all("tr")]
    assert weeks == [["13/11/2025", "100,0 %", "100,0 %"], ["17/11/2025", "100,0 %", "66,7 %"]]
    modules = page.find("figure", id="chart-modules")
    assert [row.find("th").text() for row in modules.find("tbody").all("tr")] == ["Facturación", "Nómina"]


def test_a_period_without_figures_says_so(client, known_desk):
    client.force_login(known_desk["coordinator"])
    page = read(client.get(INFORMES, {"periodo": "rango", "desde": "2025-10-01", "hasta": "2025-10-31"}))
    assert page.find("svg") is None
    assert [figure.find("p", class_="empty").text() for figure in page.all("figure", class_="report-chart")] == [
        "Sin datos en este periodo"
    ] * 4
    assert figure_row(page, "res_within")[1] == "—"


@pytest.mark.parametrize(
    "query, message",
    [
        ({"periodo": "rango", "desde": "2025-11-21", "hasta": "2025-11-13"}, "La fecha final es anterior a la inicial."),
        ({"periodo": "rango", "desde": "2025-13-01", "hasta": "2025-11-13"}, "Desde: Introduzca una fecha válida."),
        ({"periodo": "mes", "por": "planeta"}, "Desglose: Escoja una opción válida."),
        ({"periodo": "rango", "desde": "2025-11-13"}, "Indique la fecha inicial y la final del periodo."),
    ],
)
def test_filters_that_are_not_valid_are_answered_400_in_spanish(client, known_desk, query, message):
    client.force_login(known_desk["coordinator"])
    response = client.get(INFORMES, query)
    assert response.status_code == 400
    page = read(response)
    assert message in page.find("div", class_="report-errors").text()
    # No figures of another period.
    assert page.find("li", class_="headline-card") is None and page.find("table", class_="breakdown-table") is None
    # The form keeps what was asked, to correct it.
    if "desde" in query:
        assert page.find("input", name="desde").attrs["value"] == query["desde"]


def test_an_unknown_export_format_is_not_a_page(client, known_desk):
    client.force_login(known_desk["coordinator"])
    assert client.get("/mesa/informes/exportar.pdf").status_code == 404


def test_htmx_asks_for_the_body_alone_and_gets_its_address_to_push(client, known_desk):
    client.force_login(known_desk["coordinator"])
    response = client.get(INFORMES, {**PERIOD, "por": "modulo"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="report-body"')
    assert "<html" not in content and "workspace-nav" not in content and "report-filters" not in content
    assert "HX-Request" in response["Vary"]
    assert params(response["HX-Push-Url"])["por"] == ["modulo"]
    # Not valid: the messages alone, 400.
    bad = client.get(INFORMES, {"periodo": "rango", "desde": "2025-11-21", "hasta": "2025-11-13"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "La fecha final es anterior a la inicial." in bad.content.decode()
    assert "<html" not in bad.content.decode()
    # The back button with no history cache asks for the whole page.
    restore = client.get(INFORMES, PERIOD, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode() and "report-filters" in restore.content.decode()


def test_without_a_query_string_it_is_this_month(client, known_desk):
    client.force_login(known_desk["coordinator"])
    # The clock stands on Saturday 22 November 2025: this month is 1–22 November.
    page = read(client.get(INFORMES))
    assert "Periodo: 1 – 22 de noviembre de 2025" in page.text()
    # Against the same days of October.
    assert "Comparado con el periodo anterior: 1 – 22 de octubre de 2025" in page.text()
    chosen = [option.attrs["value"] for option in page.find("select", name="periodo").all("option") if "selected" in option.attrs]
    assert chosen == ["mes"]
    assert headline(page)["Creados"].find("span", class_="headline-value").text() == "6"


def test_who_may_see_each_page(client, known_desk):
    ana = known_desk["ana"]
    # Anonymous: sign in first.
    for url in (INFORMES, MINE, "/mesa/informes/exportar.csv", "/mesa/mis-indicadores/exportar.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/entrar/")
    # An agent: their own figures, not the desk's.
    client.force_login(ana)
    response = client.get(INFORMES, PERIOD)
    assert response.status_code == 403
    assert "Sin acceso" in response.content.decode()
    assert "Sus propias cifras están en «Mis indicadores»." in response.content.decode()
    assert b'href="/mesa/mis-indicadores/"' in response.content
    assert client.get("/mesa/informes/exportar.csv", PERIOD).status_code == 403
    assert client.get(MINE, PERIOD).status_code == 200
    # Signed in without a role (a requester's account, say): neither.
    client.force_login(UserFactory(username="solicitante", is_staff=False))
    response = client.get(INFORMES)
    assert response.status_code == 403
    assert "no tiene acceso a la cola de tickets" in response.content.decode()
    assert client.get(MINE).status_code == 403
    # Given the permission alone, Informes opens.
    from django.contrib.auth.models import Permission

    reader = UserFactory(username="lectora", is_staff=False)
    reader.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client.force_login(reader)
    assert client.get(INFORMES, PERIOD).status_code == 200


def test_the_navigation_names_each_page(client, known_desk):
    client.force_login(known_desk["coordinator"])
    nav = read(client.get(INFORMES, PERIOD)).find("nav", class_="workspace-nav")
    links = {link.text(): link for link in nav.all("a")}
    assert links["Informes"].attrs.get("aria-current") == "page"
    assert "aria-current" not in links["Mis indicadores"].attrs
    client.force_login(known_desk["ana"])
    nav = read(client.get(MINE, PERIOD)).find("nav", class_="workspace-nav")
    links = {link.text(): link for link in nav.all("a")}
    assert "Informes" not in links
    assert links["Mis indicadores"].attrs.get("aria-current") == "page"


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [INFORMES, MINE])
def test_the_queries_do_not_grow_with_tickets_days_or_values(client, url):
    coordinator = CoordinatorFactory(username="carla")
    requester = ContactFactory()
    client.force_login(coordinator)
    few = {"periodo": "rango", "desde": "2025-11-01", "hasta": "2025-11-01", "por": "modulo"}
    many = {"periodo": "rango", "desde": "2025-11-01", "hasta": "2025-11-30", "por": "modulo"}
    if url == MINE:
        few.pop("por"), many.pop("por")

    def add(count, modules):
        for n in range(count):
            ticket = Ticket.objects.create(
                requester=requester, subject="S", description="D", channel="web", module=modules[n % len(modules)],
                assignee=coordinator, created_at=mx(2025, 11, 1 + n % 28, 10),
            )
            Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.IN_PROGRESS)
        reports_refresh()

    with time_machine.travel(mx(2025, 12, 2, 9, 0), tick=False):
        add(1, [ModuleFactory(name="Nómina")])
        _queries(client, url, few)  # warm up: the coordinator's permissions are read once, then kept
        one = _queries(client, url, few)
        add(40, [ModuleFactory(name=f"Módulo {n}") for n in range(8)])
        assert _queries(client, url, many) == one


def test_a_deleted_module_reads_as_its_id(client, known_desk):
    client.force_login(known_desk["coordinator"])
    pk = known_desk["facturacion"].pk
    Ticket.objects.filter(module_id=pk).update(module=None)
    from catalog.models import Module

    Module.objects.filter(pk=pk).delete()
    rows = table_rows(read(client.get(INFORMES, {**PERIOD, "por": "modulo"})))
    assert f"{pk} (ya no existe)" in rows


def test_named_periods_start_and_end_on_the_desks_days(client, known_desk):
    client.force_login(known_desk["coordinator"])
    # Saturday 22 November 2025 at 08:00 in Mexico City (14:00 UTC): this week is Mon 17–Sat 22.
    page = read(client.get(INFORMES, {"periodo": "semana"}))
    assert "Periodo: 17 – 22 de noviembre de 2025" in page.text()
    # Against the same weekdays of the week before.
    assert "Comparado con el periodo anterior: 10 – 15 de noviembre de 2025" in page.text()
    with time_machine.travel(datetime.datetime(2025, 12, 1, 5, 30, tzinfo=datetime.UTC), tick=False):
        # Still 30 November in Mexico City: "Mes anterior" is October.
        page = read(client.get(INFORMES, {"periodo": "mes-anterior"}))
        assert "Periodo: 1 – 31 de octubre de 2025" in page.text()
        assert "Comparado con el periodo anterior: 1 – 30 de septiembre de 2025" in page.text()


def test_a_label_is_text_in_the_charts_and_tables(client, known_desk):
    from catalog.models import Module

    Module.objects.filter(pk=known_desk["nomina"].pk).update(name='<script>alert("x")</script>')
    client.force_login(known_desk["coordinator"])
    content = client.get(INFORMES, {**PERIOD, "por": "modulo"}).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
