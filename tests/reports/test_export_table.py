"""The breakdown table as CSV and XLSX: Spanish headers that say each unit, numbers as
numbers, a label that a spreadsheet would run as a formula escaped."""

import csv
import io

import openpyxl
import pytest
import time_machine

from catalog.models import Module

from .desk import mx
from .pages import PERIOD, build_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_desk(db):
    with time_machine.travel(mx(2025, 11, 13, 9, 0), tick=False) as traveller:
        yield build_desk(traveller)


def read_csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_csv_has_a_row_a_module_and_the_whole_desk(client, known_desk):
    client.force_login(known_desk["coordinator"])
    response = client.get("/mesa/informes/exportar.csv", {**PERIOD, "por": "modulo"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="informe-2025-11-13-2025-11-21-modulo.csv"'
    header, *rows = read_csv(response)
    assert header[:5] == ["Módulo", "Creados", "Solucionados", "Cerrados", "Pendientes al cierre"]
    assert "Tiempo medio de primera respuesta (horas hábiles)" in header
    assert "Percentil 90 de resolución (horas hábiles)" in header
    assert "Resolución dentro del SLA (%)" in header
    assert "Calificación media (1 a 5)" in header
    table = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert list(table) == ["Facturación", "Nómina", "Sin módulo", "Toda la mesa"]
    desk = table["Toda la mesa"]
    assert (desk["Creados"], desk["Solucionados"], desk["Cancelados"]) == ("6", "4", "1")
    # Resolution, business time: A 2 h, B 14 h, C 0, F 35 min → 16.58 h / 4 = 4.15 h.
    assert desk["Tiempo medio de resolución (horas hábiles)"] == "4.15"
    assert desk["Resolución dentro del SLA (%)"] == "75.0"
    assert table["Nómina"]["Tiempo medio de resolución (horas hábiles)"] == "8.0"  # (2 h + 14 h) / 2
    assert table["Nómina"]["Calificación media (1 a 5)"] == "3.5"
    # Nothing to measure is an empty cell, not a zero.
    assert table["Sin módulo"]["Tiempo medio de primera respuesta (horas hábiles)"] == ""


def test_the_xlsx_holds_numbers_and_the_same_headers(client, known_desk):
    client.force_login(known_desk["coordinator"])
    response = client.get("/mesa/informes/exportar.xlsx", PERIOD)
    assert response["Content-Disposition"] == 'attachment; filename="informe-2025-11-13-2025-11-21.xlsx"'
    header, *rows = read_xlsx(response)
    assert header[0] == "Toda la mesa" and header[1] == "Creados"
    (desk,) = rows
    values = dict(zip(header, desk, strict=True))
    assert values["Creados"] == 6
    assert values["Tiempo medio de resolución (horas hábiles)"] == 4.15
    assert values["Primera respuesta dentro del SLA (%)"] == 100.0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_label_that_reads_as_a_formula_is_escaped(client, known_desk, fmt):
    Module.objects.filter(pk=known_desk["nomina"].pk).update(name='=HYPERLINK("x")')
    client.force_login(known_desk["coordinator"])
    response = client.get(f"/mesa/informes/exportar.{fmt}", {**PERIOD, "por": "modulo"})
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    labels = [row[0] for row in rows]
    assert "'=HYPERLINK(\"x\")" in labels
    assert '=HYPERLINK("x")' not in labels
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cell = next(row[0] for row in sheet.iter_rows() if row[0].value == "'=HYPERLINK(\"x\")")
        assert cell.data_type == "s"


def test_an_agents_export_is_their_own_row(client, known_desk):
    client.force_login(known_desk["ana"])
    response = client.get("/mesa/mis-indicadores/exportar.csv", {**PERIOD, "por": "agente"})
    assert response["Content-Disposition"] == 'attachment; filename="mis-indicadores-2025-11-13-2025-11-21.csv"'
    header, *rows = read_csv(response)
    assert header[0] == "Agente"
    (mine,) = rows
    values = dict(zip(header, mine, strict=True))
    assert (values["Agente"], values["Creados"], values["Resolución dentro del SLA (%)"]) == ("Ana Agente", "3", "66.7")


def test_an_export_of_filters_that_are_not_valid_is_400(client, known_desk):
    client.force_login(known_desk["coordinator"])
    response = client.get("/mesa/informes/exportar.csv", {"periodo": "rango", "desde": "2025-11-21", "hasta": "2025-11-13"})
    assert response.status_code == 400
    assert "La fecha final es anterior a la inicial." in response.content.decode()
