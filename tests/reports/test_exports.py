"""The reports' downloads: what a spreadsheet shows is what the desk wrote, never a formula
it runs; Spanish headers; instants in the desk's time zone."""

import csv
import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports.exports import download, safe_text


@pytest.fixture(autouse=True)
def spanish():
    with translation.override("es"):
        yield


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=HYPERLINK(\"http://x\",\"clic\")", "'=HYPERLINK(\"http://x\",\"clic\")"),
        ("+52 55 1234 5678", "'+52 55 1234 5678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Nómina", "Nómina"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
    ],
)
def test_a_text_that_would_run_as_a_formula_is_escaped(text, shown):
    assert safe_text(text) == shown


HEADERS = ["Referencia", "Asunto", "Creado", "Día", "Horas hábiles", "Dentro del SLA", "Sin dato"]
ROW = [
    "INC-000123",
    "=cmd|' /C calc'!A0",
    # 18:30 UTC is 12:30 in Mexico City (UTC-6, no daylight saving time since 2022).
    datetime.datetime(2026, 11, 3, 18, 30, 15, 123456, tzinfo=datetime.UTC),
    datetime.date(2026, 11, 3),
    -1.5,
    True,
    None,
]


def test_the_csv_has_its_headers_escaped_text_and_local_instants():
    response = download("csv", "informe-2026-11", HEADERS, [ROW])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="informe-2026-11.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # spreadsheets read the file as UTF-8
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows == [
        HEADERS,
        ["INC-000123", "'=cmd|' /C calc'!A0", "2026-11-03 12:30:15", "2026-11-03", "-1.5", "Sí", ""],
    ]


def test_the_xlsx_keeps_numbers_and_dates_and_escapes_text():
    response = download("xlsx", "informe", HEADERS, [ROW], title="Informe de noviembre")
    assert response["Content-Disposition"] == 'attachment; filename="informe.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Informe de noviembre"
    header, row = list(sheet.iter_rows(values_only=True))
    assert list(header) == HEADERS
    assert sheet["A1"].font.bold
    reference, subject, created, day, hours, within, empty = row
    assert subject == "'=cmd|' /C calc'!A0"
    assert sheet["B2"].data_type == "s"  # text, not a formula
    assert created == datetime.datetime(2026, 11, 3, 12, 30, 15)
    assert day == datetime.datetime(2026, 11, 3, 0, 0)
    assert hours == -1.5  # a negative number is a number, not a formula
    assert within == "Sí"
    assert empty in (None, "")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError):
        download("pdf", "x", ["a"], [])
