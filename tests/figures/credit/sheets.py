"""What the entrusted-credit tests share: the bank's sheet written as CSV or XLSX, its lines, and
the people of the units (tests.factories.make_units: Điện Biên with Xã Mường Phăng and Phường
Điện Biên Phủ, Lào Cai with Phường Sa Pa)."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from portal.auth.models import Role, User
from portal.figures.credit import services as credit
from portal.figures.credit.sheet import COLUMNS, HEADERS, read_sheet
from tests.factories import UserFactory

HEADER = [HEADERS[c] for c in COLUMNS]
Q4_2025 = date(2025, 12, 31)
Q1_2026 = date(2026, 3, 31)


def row(**changes) -> list:
    """One group's line, as the bank writes it; `changes` by column name."""
    values = {
        "commune": "Xã Mường Phăng",
        "group": "Tổ TK&VV bản Che Căn",
        "leader": "Lò Thị Xuân",
        "members": "35",
        "borrowers": "28",
        "outstanding": "1.250.000.000",
        "overdue": "15.000.000",
        "savings": "21.000.000",
        "rating": "Tốt",
    }
    values.update(changes)
    return [values[c] for c in COLUMNS]


def rows_of(*groups: dict) -> list[list]:
    return [row(**g) for g in groups]


def as_csv_bytes(rows: list[list], header: list | None = None, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER if header is None else header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx_bytes(rows: list[list], header: list | None = None, above: list | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in above or []:
        sheet.append(line)
    sheet.append(HEADER if header is None else header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lines(rows: list[list]):
    read = read_sheet(as_csv_bytes(rows))
    assert read.problems == []
    return read.lines


def import_rows(actor: User, unit, period: date, rows: list[list], **kwargs) -> credit.Batch:
    return credit.import_period(actor, unit.id, period, "bank.csv", lines(rows), **kwargs)


@dataclass
class People:
    province: User  # organiser of Điện Biên
    commune: User  # organiser of Xã Mường Phăng
    other: User  # organiser of Lào Cai
    admin: User


def people(units) -> People:
    return People(
        UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="en"),
        UserFactory(roles=[(Role.ORGANISER, units["muong_phang"])], language="en"),
        UserFactory(roles=[(Role.ORGANISER, units["lao_cai"])], language="en"),
        UserFactory(roles=[Role.ADMIN], language="en"),
    )
