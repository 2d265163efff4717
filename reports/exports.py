"""A table as a download: CSV (UTF-8 with its byte-order mark, which spreadsheets read
as UTF-8) or XLSX (openpyxl). Headers are given in the reader's language; instants are
written in the desk's time zone; a text cell that a spreadsheet would run as a formula is
escaped (docs/reports.md, «Exports»)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# A sheet holds 1 048 576 rows: the headers and this many rows of data.
XLSX_MAX_ROWS = 1_048_575

# A cell that starts with one of these is run as a formula by spreadsheets (CSV
# injection); tab and carriage return too, where a program strips them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A text that a spreadsheet shows as written: a leading apostrophe before a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def cell_value(value):
    """What a cell holds: numbers and dates as themselves (instants in the desk's time
    zone, without it: spreadsheets know no time zones), None as empty, text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, datetime.date):
        return value
    return safe_text(str(value))


def _csv_text(value) -> str:
    value = cell_value(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(str(header)) for header in headers])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "Hoja1")[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_text(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            value = cell_value(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                # Text stays text: openpyxl would otherwise read "=…" as a formula.
                cell.data_type = "s"
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(fmt: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "") -> HttpResponse:
    """The table as an attachment named `filename`.csv / .xlsx. `fmt` must be in FORMATS
    (the URL patterns allow no other)."""
    if fmt == "csv":
        content = csv_bytes(headers, rows)
    elif fmt == "xlsx":
        content = xlsx_bytes(headers, rows, title=title)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer's lines, one
    at a time, for a streamed response."""

    def write(self, value: str) -> str:
        return value


def streaming_csv(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A long table as a CSV attachment written while it is read (the same cells as
    csv_bytes): memory stays flat whatever the rows."""
    writer = csv.writer(_Line())

    def lines():
        yield "\ufeff" + writer.writerow([safe_text(str(header)) for header in headers])
        for row in rows:
            yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse((line.encode("utf-8") for line in lines()), content_type=FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
