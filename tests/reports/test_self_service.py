"""Informes' «Autoservicio» section: the period's deflection rate, deflections, reports
sent after suggestions and the articles suggested most, worked out by hand."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge.models import Article
from tests.factories import AgentFactory, CoordinatorFactory
from tests.knowledge.test_stats import deflect, public, report_after, vote
from tests.reports.desk import mx
from tests.reports.pages import read

pytestmark = pytest.mark.django_db

INFORMES = "/mesa/informes/"
NOVEMBER = {"periodo": "rango", "desde": "2025-11-01", "hasta": "2025-11-30"}


@pytest.fixture
def desk(db):
    printer, vpn = public("Cola de impresión detenida"), public("VPN sin conexión")
    deflect(printer, mx(2025, 11, 3, 9, 0))
    deflect(printer, mx(2025, 11, 10, 12, 0))
    deflect(vpn, mx(2025, 11, 20, 18, 0))
    deflect(vpn, mx(2025, 10, 31, 23, 59))  # the day before
    report_after([printer, vpn], mx(2025, 11, 15, 10, 0))
    vote(printer, "b1", True, mx(2025, 11, 5, 8, 0))
    vote(printer, "b2", True, mx(2025, 11, 6, 8, 0))
    vote(printer, "b3", False, mx(2025, 11, 7, 8, 0))
    vote(printer, "b4", False, mx(2025, 10, 7, 8, 0))  # the month before
    Article.objects.filter(pk=printer.pk).update(views=12)
    return {"printer": printer, "vpn": vpn, "coordinator": CoordinatorFactory(username="carla")}


def section(page):
    return page.find("section", class_="self-service")


def figures(page) -> dict[str, str]:
    return {
        row.attrs["data-figure"]: row.find("td", class_="number").text()
        for row in section(page).find("table", class_="report-figures").all("tr")
        if "data-figure" in row.attrs
    }


def articles(page) -> list[list[str]]:
    table = section(page).find("table", class_="self-service-articles")
    return [[cell.text() for cell in row.all() if cell.tag in ("th", "td")] for row in table.find("tbody").all("tr")]


def test_informes_shows_the_period_s_self_service(client, desk):
    client.force_login(desk["coordinator"])
    page = read(client.get(INFORMES, NOVEMBER))
    assert section(page).find("h2").text() == "Autoservicio"
    # 3 deflections ÷ (3 + 1 report sent after suggestions) = 75,0 %.
    assert figures(page) == {"deflection_rate": "75,0 %", "deflections": "3", "reports_after_suggestions": "1"}
    # The printer's: suggested once, 2 deflections, 3 votes of November (2 yes) = 66,7 %.
    assert articles(page) == [
        ["Cola de impresión detenida", "1", "2", "3", "66,7 %", "12"],
        ["VPN sin conexión", "1", "1", "0", "—", "0"],
    ]
    links = section(page).find("table", class_="self-service-articles").links()
    assert links == [f"/mesa/articulos/{desk['printer'].pk}/", f"/mesa/articulos/{desk['vpn'].pk}/"]


def test_the_breakdown_does_not_apply_and_says_so(client, desk):
    client.force_login(desk["coordinator"])
    page = read(client.get(INFORMES, {**NOVEMBER, "por": "modulo"}))
    assert "el desglose no se aplica a esta sección" in section(page).text()
    assert figures(page)["deflection_rate"] == "75,0 %"


def test_a_period_without_self_service_shows_a_dash(client, desk):
    client.force_login(desk["coordinator"])
    page = read(client.get(INFORMES, {"periodo": "rango", "desde": "2025-09-01", "hasta": "2025-09-30"}))
    assert figures(page) == {"deflection_rate": "—", "deflections": "0", "reports_after_suggestions": "0"}
    assert section(page).find("table", class_="self-service-articles") is None
    assert "Ningún artículo se sugirió ni evitó una incidencia en este periodo." in section(page).text()


def test_an_agent_s_own_figures_have_no_self_service_and_informes_is_not_theirs(client, desk):
    client.force_login(AgentFactory())
    assert section(read(client.get("/mesa/mis-indicadores/", NOVEMBER))) is None
    assert client.get(INFORMES, NOVEMBER).status_code == 403


def test_the_queries_do_not_grow_with_articles_or_deflections(client, desk):
    client.force_login(desk["coordinator"])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INFORMES, NOVEMBER).status_code == 200
        return len(captured)

    few = count()
    for n in range(12):
        article = public(f"Artículo {n}")
        deflect(article, mx(2025, 11, 12, 9, n))
        report_after([article], mx(2025, 11, 13, 9, n))
        vote(article, "b7", True, mx(2025, 11, 14, 9, n))
    assert count() == few
    assert len(articles(read(client.get(INFORMES, NOVEMBER)))) == 10
