"""A coordinator reads the reports: Informes from the navigation, another period, a
breakdown, the back button, the CSV, and a figure's tickets."""

import csv
import io
import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.screens import sign_in, watch_console
from tests.reports.desk import mx
from tests.reports.pages import build_desk
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def known_desk(transactional_db):
    with time_machine.travel(mx(2025, 11, 13, 9, 0), tick=False) as traveller:
        desk = build_desk(traveller)
    return desk


def test_a_coordinator_reads_informes_by_period_and_module(page, known_desk, accessible):
    # The strict CSP reports what it blocks (an inline style, a script) as console errors.
    errors = watch_console(page)
    sign_in(page, "carla")

    page.get_by_role("navigation", name="Espacio de trabajo").get_by_role("link", name="Informes").click()
    page.wait_for_url(re.compile(r"/mesa/informes/$"))
    expect(page.get_by_role("heading", name="Informes", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Informes")).to_have_attribute("aria-current", "page")
    # This month, today: the desk's figures are of November 2025.
    expect(page.locator("#chart-volume")).to_contain_text("Sin datos en este periodo")
    accessible(page)

    body = page.locator("#report-body")
    # htmx swaps the report's body: the page itself stays (this mark would be lost).
    page.evaluate("window.reportMark = 'kept'")
    with page.expect_response(re.compile(r"/mesa/informes/\?")):
        page.get_by_label("Periodo", exact=True).select_option(label="Otro periodo")
    with page.expect_response(re.compile(r"desde=2025-11-13")):
        page.get_by_label("Desde", exact=True).fill("2025-11-13")
    with page.expect_response(re.compile(r"hasta=2025-11-21")):
        page.get_by_label("Hasta", exact=True).fill("2025-11-21")
    expect(body).to_contain_text("Periodo: 13 – 21 de noviembre de 2025")
    expect(page.locator(".headline-card").filter(has_text="Creados").locator(".headline-value")).to_have_text("6")
    # The address says what the page shows: a link to share, a step for the back button.
    assert re.search(r"periodo=rango&desde=2025-11-13&hasta=2025-11-21", page.url)
    table = page.locator("table.breakdown-table")
    expect(table.locator("tbody tr")).to_have_count(0)
    assert page.evaluate("window.reportMark") == "kept"
    accessible(page)

    with page.expect_response(re.compile(r"por=modulo")):
        page.get_by_label("Desglose", exact=True).select_option(label="Módulo")
    expect(table.locator("tbody th")).to_have_text(["Facturación", "Nómina", "Sin módulo"])
    expect(page).to_have_url(re.compile(r"por=modulo"))
    accessible(page)

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"por=modulo"))
    expect(page).to_have_url(re.compile(r"hasta=2025-11-21"))
    expect(table.locator("tbody tr")).to_have_count(0)
    expect(page.locator(".headline-card").filter(has_text="Creados").locator(".headline-value")).to_have_text("6")
    accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar CSV").click()
    download = download_info.value
    assert download.suggested_filename == "informe-2025-11-13-2025-11-21.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Toda la mesa", "Creados"] and rows[1][:2] == ["Toda la mesa", "6"]

    assert errors == []

    page.locator(".headline-card").filter(has_text="Creados").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/mesa/informes/tickets/\?.*cifra=created"))
    assert "desde=2025-11-13" in page.url
    # The figure's six tickets, each a link to its page.
    expect(page.get_by_role("heading", level=1)).to_have_text("6 tickets creados — 13 – 21 de noviembre de 2025")
    created = Ticket.objects.filter(created_at__gte=mx(2025, 11, 13, 0, 0), created_at__lt=mx(2025, 11, 22, 0, 0)).order_by("-created_at")
    references = [ticket.reference for ticket in created]
    assert len(references) == 6
    expect(page.locator("table tbody th[scope=row] a")).to_have_text(references)
    accessible(page)
    page.get_by_role("link", name=references[0], exact=True).click()
    page.wait_for_url(re.compile(rf"/mesa/tickets/{created[0].pk}/$"))
    page.go_back()
    page.wait_for_url(re.compile(r"/mesa/informes/tickets/\?"))

    # Back on the report, a period that ends before it starts is refused in Spanish.
    page.go_back()
    with page.expect_response(re.compile(r"hasta=2025-11-01")) as refused:
        page.get_by_label("Hasta", exact=True).fill("2025-11-01")
    assert refused.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("La fecha final es anterior a la inicial.")
    expect(page.locator(".headline-card")).to_have_count(0)
    accessible(page)
