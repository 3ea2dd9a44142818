"""Reading the bank's spreadsheet (XLSX, or CSV in UTF-8) into lines of text, each with the row
number a spreadsheet shows, the columns found by their Vietnamese (or English) names wherever
they stand. Nothing here knows the database: services.py checks the lines.

The bank's sheets often start with a title above the column names and end with a total line;
the names are looked for in the first rows, and a total line ("Tổng cộng") is left out."""

import csv
import io
import json
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from portal.core.errors import DomainError
from portal.core.storage import sniff
from portal.core.text import fold

COLUMNS = (
    "commune",
    "group",
    "leader",
    "members",
    "borrowers",
    "outstanding",
    "overdue",
    "savings",
    "rating",
)
# The column names of the template, as the bank's sheets write them.
HEADERS = {
    "commune": "Xã, phường",
    "group": "Tên tổ TK&VV",
    "leader": "Tổ trưởng",
    "members": "Số thành viên",
    "borrowers": "Số hộ vay",
    "outstanding": "Dư nợ (đồng)",
    "overdue": "Nợ quá hạn (đồng)",
    "savings": "Tiền gửi tiết kiệm (đồng)",
    "rating": "Xếp loại",
}
COLUMN_LABELS = {
    "commune": _l("Commune or ward"),
    "group": _l("Savings group"),
    "leader": _l("Group leader"),
    "members": _l("Members"),
    "borrowers": _l("Borrowers"),
    "outstanding": _l("Outstanding"),
    "overdue": _l("Overdue"),
    "savings": _l("Savings"),
    "rating": _l("Rating"),
}
# Other names a sheet may give each column (folded: no diacritics, lower case, no "(đồng)").
_NAMES = {
    "commune": {"xa", "phuong", "xa/phuong", "xa phuong", "xa/phuong/dac khu", "don vi", "commune"},
    "group": {
        "to",
        "ten to",
        "to tk&vv",
        "ten to tk&vv",
        "to tk & vv",
        "ten to tk & vv",
        "to tiet kiem va vay von",
        "ten to tiet kiem va vay von",
        "group",
        "savings group",
    },
    "leader": {"to truong", "ho ten to truong", "ho va ten to truong", "leader", "group leader"},
    "members": {"so thanh vien", "thanh vien", "so to vien", "members"},
    "borrowers": {"so ho vay", "ho vay", "so ho con du no", "so nguoi vay", "borrowers"},
    "outstanding": {"du no", "tong du no", "outstanding"},
    "overdue": {"no qua han", "qua han", "du no qua han", "overdue"},
    "savings": {"tien gui tiet kiem", "tiet kiem", "so du tiet kiem", "tien tiet kiem", "savings"},
    "rating": {"xep loai", "xep loai to", "rating"},
}
_TOTAL_LINES = {"tong", "tong cong", "cong", "tong so", "total"}

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
MAX_CELL = 1000  # characters kept of a cell
HEADER_SEARCH = 10  # the column names are looked for in the first rows that are not blank


@dataclass(frozen=True)
class Line:
    number: int  # as the spreadsheet shows it: its first row is 1
    cells: dict[str, str]  # the text of each column of COLUMNS


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


@dataclass
class Sheet:
    lines: list[Line] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class SheetRefused(DomainError):
    """The file cannot be read as a spreadsheet at all."""

    def __init__(self, message):
        super().__init__(message, field="file")


def _text(value) -> str:
    """A cell as text: a whole number without ".0", everything trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return " ".join(str(value).split())[:MAX_CELL]


def _workbook_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a zip that is no workbook, a damaged one: the same answer
        raise SheetRefused(_l("This file is not a spreadsheet that can be read.")) from None
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read every row
        rows = []
        for number, values in enumerate(
            sheet.iter_rows(min_row=1, max_row=MAX_LINES + HEADER_SEARCH, values_only=True),
            start=1,
        ):
            rows.append((number, [_text(v) for v in values]))
        return rows
    except Exception:  # noqa: BLE001 - a broken sheet inside a readable zip
        raise SheetRefused(_l("This file is not a spreadsheet that can be read.")) from None
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    if b"\x00" in data[:4096] or sniff(data) is not None:  # a picture, a PDF, UTF-16 text…
        raise SheetRefused(_l("This file is not a spreadsheet: send the bank's XLSX or CSV file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetRefused(
            _l("Save the sheet as XLSX, or as CSV in UTF-8 (in Excel: CSV UTF-8), then try again.")
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count) if first.strip() else ","
    try:
        return [
            (number, [_text(v) for v in values])
            for number, values in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            )
        ]
    except csv.Error:
        raise SheetRefused(_l("This file is not a spreadsheet that can be read.")) from None


def _header_key(text: str) -> str:
    key = re.sub(r"\(.*?\)", "", fold(text))  # "Dư nợ (đồng)"
    return " ".join(key.strip(" .:*").split())


_NAMES = {column: names | {_header_key(HEADERS[column])} for column, names in _NAMES.items()}


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _header_key(title)
        for column, names in _NAMES.items():
            if key in names and column not in found:
                found[column] = index
    return found


def read_sheet(data: bytes) -> Sheet:
    """The lines of the bank's sheet, or the problems of its column names; SheetRefused when the
    file is empty, too large or no spreadsheet."""
    if not data:
        raise SheetRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise SheetRefused(_l("The file is larger than 5 MB."))
    if data[:4] == b"PK\x03\x04":
        rows = _workbook_rows(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetRefused(_l("This is an old Excel file (.xls): save it as .xlsx, then send it."))
    else:
        rows = _csv_rows(data)
    filled = [(number, values) for number, values in rows if any(values)]
    if not filled:
        raise SheetRefused(_l("The file is empty."))
    sheet = Sheet()
    header_at, columns = None, {}
    for position, (_number, values) in enumerate(filled[:HEADER_SEARCH]):
        found = _columns(values)
        if len(found) >= 3:
            header_at, columns = position, found
            break
    if header_at is None:
        sheet.problems.append(
            Problem(
                filled[0][0],
                str(
                    _l(
                        "The column names were not found. The first row must name the columns: "
                        "%(headers)s.",
                        headers="; ".join(HEADERS.values()),
                    )
                ),
            )
        )
        return sheet
    header_line = filled[header_at][0]
    for column in COLUMNS:
        if column not in columns:
            sheet.problems.append(
                Problem(
                    header_line,
                    str(
                        _l(
                            "The column “%(header)s” (%(column)s) is missing.",
                            header=HEADERS[column],
                            column=COLUMN_LABELS[column],
                        )
                    ),
                )
            )
    if sheet.problems:
        return sheet
    for number, values in filled[header_at + 1 :]:
        if number > MAX_LINES + 1:
            raise SheetRefused(_l("A file may have at most 20,000 lines."))
        cells = {c: values[i] if i < len(values) else "" for c, i in columns.items()}
        first = next((v for v in values if v), "")
        if fold(cells["commune"] or first) in _TOTAL_LINES and not cells["group"]:
            continue  # the sheet's total line
        sheet.lines.append(Line(number, cells))
    if not sheet.lines:
        sheet.problems.append(
            Problem(header_line, str(_l("The file has no savings group below its column names.")))
        )
    return sheet


def lines_to_json(lines: list[Line]) -> str:
    """The lines checked in the preview, carried to the confirmation as they were read."""
    return json.dumps(
        [[line.number, [line.cells[c] for c in COLUMNS]] for line in lines], ensure_ascii=False
    )


def lines_from_json(text: str | None) -> list[Line] | None:
    """The lines the confirmation carried back; None when they are not what the preview wrote."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(data, list) or not data or len(data) > MAX_LINES:
        return None
    lines = []
    for item in data:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], int)
            and not isinstance(item[0], bool)
            and 1 <= item[0] <= MAX_LINES + HEADER_SEARCH
            and isinstance(item[1], list)
            and len(item[1]) == len(COLUMNS)
            and all(isinstance(v, str) and len(v) <= MAX_CELL for v in item[1])
        ):
            return None
        lines.append(Line(item[0], dict(zip(COLUMNS, item[1], strict=True))))
    return lines
