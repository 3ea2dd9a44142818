"""Exports as a spreadsheet: CSV that Excel opens as UTF-8, or XLSX (openpyxl, written as it
goes), with text a spreadsheet would run as a formula neutralised."""

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook


def inert(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is kept as plain text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_csv(header: list, rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so that Excel opens the Vietnamese text as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([inert(str(h)) for h in header])
    for values in rows:
        writer.writerow(["" if v is None else inert(v) for v in values])
    return buffer.getvalue()


def as_xlsx(title: str, header: list, rows: Iterable[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([inert(str(h)) for h in header])
    for values in rows:
        sheet.append([inert(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
