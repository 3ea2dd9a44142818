"""The entrusted-credit import: every kind of bad line is reported with its line number and nothing
is written; a file that is no spreadsheet, an empty one or one with wrong column names is refused
as a whole; a clean file is written whole, audited; a period is replaced only with a reason, the
replaced import kept in the history."""

import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.core import idempotency
from portal.core.audit import AuditLog
from portal.core.errors import DomainError, NotAllowed
from portal.extensions import db
from portal.figures.credit import services as credit
from portal.figures.credit.models import CreditGroupFigures, CreditImport, CreditRating
from portal.figures.credit.sheet import SheetRefused, read_sheet
from tests.factories import PNG
from tests.figures.credit.sheets import (
    HEADER,
    Q1_2026,
    Q4_2025,
    as_csv_bytes,
    as_xlsx_bytes,
    import_rows,
    lines,
    people,
    row,
    rows_of,
)

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026
TODAY = date(2026, 5, 10)


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(CreditImport.id))),
        db.session.scalar(sa.select(sa.func.count(CreditGroupFigures.id))),
        db.session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(AuditLog.object_type == "credit_import")
        ),
    )


def problems_of(units, rows, period=Q1_2026, who="province", unit="dien_bien"):
    actor = getattr(people(units), who)
    batch = credit.check(actor, units[unit].id, period, lines(rows), today=TODAY)
    return [(p.line, p.message) for p in batch.problems]


# --- A clean file ---------------------------------------------------------------------------------


def test_a_clean_file_is_imported_whole_and_audited(units):
    organiser = people(units).province
    rows = rows_of(
        {},
        {"group": "Tổ TK&VV bản Na Hai", "rating": "Khá", "overdue": "0"},
        {"commune": "Phường Điện Biên Phủ", "group": "Tổ TK&VV tổ 3", "rating": "TB"},
    )
    batch = import_rows(organiser, units["dien_bien"], Q1_2026, rows)
    assert batch.ok and batch.written is not None
    written = db.session.get(CreditImport, batch.written.id)
    assert (written.unit_id, written.period_end, written.file_name) == (
        units["dien_bien"].id,
        Q1_2026,
        "bank.csv",
    )
    assert written.in_force and written.imported_by_id == organiser.id
    groups = list(
        db.session.scalars(sa.select(CreditGroupFigures).order_by(CreditGroupFigures.line))
    )
    assert [g.line for g in groups] == [2, 3, 4]
    assert [g.rating for g in groups] == [
        CreditRating.GOOD,
        CreditRating.FAIR,
        CreditRating.AVERAGE,
    ]
    assert groups[0].outstanding == 1_250_000_000 and groups[1].overdue == 0
    assert groups[2].commune_id == units["dien_bien_phu"].id
    assert counts() == (1, 3, 1)
    log = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "credit_import.imported"))
    assert log.after["groups"] == 3 and log.after["outstanding"] == 3_750_000_000


def test_an_xlsx_sheet_with_a_title_numbers_and_a_total_line(units):
    data = as_xlsx_bytes(
        [
            [
                "Xã Mường Phăng",
                "Tổ TK&VV bản Co Mỵ",
                "Quàng Thị Ơn",
                30,
                25.0,
                900000000,
                0,
                12e6,
                "Tốt",
            ],
            ["Tổng cộng", None, None, 30, 25, 900000000, 0, 12000000, None],
        ],
        above=[["BÁO CÁO TỔ TIẾT KIỆM VÀ VAY VỐN"], [None]],
    )
    read = read_sheet(data)
    assert read.problems == []
    assert [line.number for line in read.lines] == [4]  # the total line is left out
    assert read.lines[0].cells["borrowers"] == "25" and read.lines[0].cells["savings"] == "12000000"
    batch = credit.check(
        people(units).province, units["dien_bien"].id, Q1_2026, read.lines, today=TODAY
    )
    assert batch.ok and batch.totals.outstanding == 900_000_000


@pytest.mark.parametrize(
    "written", ["Xã Mường Phăng", "Mường Phăng", "xa muong phang", "3325", "03325"]
)
def test_a_commune_is_found_by_its_name_with_or_without_xa_or_by_its_code(units, written):
    assert problems_of(units, rows_of({"commune": written})) == []


def test_semicolons_and_english_column_names_are_read(units):
    header = [
        "commune",
        "group",
        "leader",
        "members",
        "borrowers",
        "outstanding",
        "overdue",
        "savings",
        "rating",
    ]
    read = read_sheet(as_csv_bytes(rows_of({}), header=header, delimiter=";"))
    assert read.problems == [] and read.lines[0].cells["group"] == "Tổ TK&VV bản Che Căn"


# --- Every kind of bad line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"commune": "Xã Không Có"}, "There is no commune or ward “Xã Không Có” in Điện Biên."),
        ({"commune": "Phường Sa Pa"}, "There is no commune or ward “Phường Sa Pa” in Điện Biên."),
        ({"commune": ""}, "Commune or ward is missing."),
        ({"leader": ""}, "Group leader is missing."),
        ({"rating": ""}, "Rating is missing."),
        ({"outstanding": "-5.000.000"}, "Outstanding: The amount cannot be negative."),
        ({"savings": "-1"}, "Savings: The amount cannot be negative."),
        ({"members": "-3"}, "Members: it cannot be negative."),
        ({"members": "ba mươi"}, "Members: write a whole number, for example 25."),
        ({"borrowers": "12,5"}, "Borrowers: write a whole number, for example 25."),
        (
            {"outstanding": "một tỷ"},
            "Outstanding: Write the amount in digits, for example 5.000.000.",
        ),
        ({"overdue": "1500000.5"}, "Overdue: Write a whole number of đồng, without decimals."),
        (
            {"rating": "Xuất sắc"},
            "Rating: “Xuất sắc” is not a rating of the bank: write Tốt, Khá, Trung bình, Yếu.",
        ),
        ({"borrowers": "40"}, "More borrowers (40) than members (35)."),
        ({"members": "0", "borrowers": "0"}, "A savings group has at least one member."),
        ({"overdue": "2.000.000.000"}, "The overdue amount is more than the outstanding amount."),
        ({"group": "T" * 201}, "Savings group: at most 200 characters."),
    ],
)
def test_each_bad_line_is_reported_with_its_line_number(units, changes, message):
    rows = rows_of({"group": "Tổ TK&VV bản Nà Nhạn"}, changes, {"group": "Tổ TK&VV bản Pá Khôm"})
    assert problems_of(units, rows) == [(3, message)]


def test_a_group_twice_in_the_file(units):
    rows = rows_of({}, {"group": "Tổ TK&VV bản Na Hai"}, {"group": "tổ tk&vv bản che căn"})
    assert problems_of(units, rows) == [
        (4, "The group “tổ tk&vv bản che căn” of Xã Mường Phăng is also on line 2.")
    ]


def test_the_same_name_in_two_communes_is_two_groups(units):
    rows = rows_of(
        {"group": "Tổ TK&VV số 1"}, {"group": "Tổ TK&VV số 1", "commune": "Phường Điện Biên Phủ"}
    )
    assert problems_of(units, rows) == []


def test_a_group_already_in_another_units_figures_for_the_period(units):
    team = people(units)
    import_rows(team.commune, units["muong_phang"], Q1_2026, rows_of({}))
    rows = rows_of({"group": "Tổ TK&VV bản Na Hai"}, {})
    assert problems_of(units, rows) == [
        (
            3,
            "The group “Tổ TK&VV bản Che Căn” of Xã Mường Phăng is already in the figures of Xã Mường Phăng for this period.",
        )
    ]
    # Another period is another set of figures.
    assert problems_of(units, rows, period=Q4_2025) == []


def test_a_commune_imports_only_its_own_groups(units):
    rows = rows_of({}, {"commune": "Phường Điện Biên Phủ"})
    assert problems_of(units, rows, who="commune", unit="muong_phang") == [
        (3, "There is no commune or ward “Phường Điện Biên Phủ” in Xã Mường Phăng.")
    ]


def test_one_bad_line_and_nothing_is_written(units):
    organiser = people(units).province
    rows = rows_of({}, {"group": "Tổ TK&VV bản Na Hai"}, {"group": "Tổ 3", "outstanding": "-1"})
    batch = import_rows(organiser, units["dien_bien"], Q1_2026, rows)
    assert not batch.ok and batch.written is None and batch.groups == []
    assert [p.line for p in batch.problems] == [4]
    assert counts() == (0, 0, 0)


# --- Files that are not the bank's sheet ------------------------------------------------------------


def test_wrong_column_names_are_reported_on_their_line(units):
    header = [h for h in HEADER if h != "Số hộ vay"] + ["Ghi chú"]
    read = read_sheet(as_csv_bytes([row()[:4] + row()[5:] + [""]], header=header))
    assert [(p.line, p.message) for p in read.problems] == [
        (1, "The column “Số hộ vay” (Borrowers) is missing.")
    ]
    read = read_sheet(as_csv_bytes([["a", "b"]], header=["Họ tên", "Số tiền"]))
    assert read.problems[0].line == 1
    assert read.problems[0].message.startswith("The column names were not found.")


def test_a_file_with_column_names_and_no_group(units):
    read = read_sheet(as_csv_bytes([]))
    assert [(p.line, p.message) for p in read.problems] == [
        (1, "The file has no savings group below its column names.")
    ]


def test_no_line_at_all_is_no_import(units):
    batch = credit.import_period(
        people(units).province, units["dien_bien"].id, Q1_2026, "x.csv", []
    )
    assert [p.line for p in batch.problems] == [1] and counts() == (0, 0, 0)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n ; ;\r\n", "The file is empty."),
        (as_xlsx_bytes([], header=[]), "The file is empty."),
        (PNG, "This file is not a spreadsheet: send the bank's XLSX or CSV file."),
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
            "This file is not a spreadsheet: send the bank's XLSX or CSV file.",
        ),
        (
            "Xã,Tên tổ".encode("utf-16"),
            "This file is not a spreadsheet: send the bank's XLSX or CSV file.",
        ),
        (_zip(), "This file is not a spreadsheet that can be read."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "This is an old Excel file (.xls): save it as .xlsx, then send it.",
        ),
        (
            "Tên;Dư".encode("cp1258"),
            "Save the sheet as XLSX, or as CSV in UTF-8 (in Excel: CSV UTF-8), then try again.",
        ),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_whole(data, message):
    with pytest.raises(SheetRefused) as refused:
        read_sheet(data)
    assert refused.value.message == message and refused.value.field == "file"


# --- The unit and the period ------------------------------------------------------------------------


def test_only_the_units_organisers_and_admins_import(units):
    team = people(units)
    with pytest.raises(NotAllowed):
        credit.check(team.other, units["dien_bien"].id, Q1_2026, lines(rows_of({})), today=TODAY)
    with pytest.raises(NotAllowed):
        credit.check(team.commune, units["dien_bien"].id, Q1_2026, lines(rows_of({})), today=TODAY)
    assert credit.check(
        team.admin, units["dien_bien"].id, Q1_2026, lines(rows_of({})), today=TODAY
    ).ok
    assert [u.name for u in credit.units_for(team.commune)] == ["Xã Mường Phăng"]


def test_figures_of_a_day_to_come_are_refused(units):
    with pytest.raises(credit.CreditRefused) as refused:
        credit.check(
            people(units).province,
            units["dien_bien"].id,
            date(2026, 6, 30),
            lines(rows_of({})),
            today=TODAY,
        )
    assert refused.value.field == "period"


# --- Replacing a period -----------------------------------------------------------------------------


def test_a_period_imported_is_replaced_only_with_a_reason_and_stays_in_the_history(units):
    team = people(units)
    first = import_rows(team.province, units["dien_bien"], Q1_2026, rows_of({})).written
    again = rows_of({"outstanding": "1.300.000.000"})
    batch = credit.check(team.province, units["dien_bien"].id, Q1_2026, lines(again), today=TODAY)
    assert batch.ok and batch.in_force.id == first.id  # the preview says what it replaces
    # Not without choosing to replace it, and not without a reason.
    with pytest.raises(credit.PeriodTaken):
        import_rows(team.province, units["dien_bien"], Q1_2026, again)
    with pytest.raises(DomainError) as refused:
        import_rows(
            team.province, units["dien_bien"], Q1_2026, again, replaces_id=first.id, reason="  "
        )
    assert refused.value.field == "reason"
    assert counts() == (1, 1, 1)
    second = import_rows(
        team.province,
        units["dien_bien"],
        Q1_2026,
        again,
        replaces_id=first.id,
        reason="Ngân hàng sửa dư nợ của tổ bản Che Căn.",
    ).written
    old = db.session.get(CreditImport, first.id)
    assert not old.in_force and old.replacement.id == second.id
    assert old.replaced_reason == "Ngân hàng sửa dư nợ của tổ bản Che Căn."
    assert old.replaced_by_id == team.province.id
    assert counts() == (2, 2, 3)  # the replaced rows are kept
    replaced = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "credit_import.replaced")
    )
    assert replaced.object_id == first.id and replaced.after["replacement"] == second.id
    assert db.session.get(CreditImport, second.id).replaces_id == first.id
    # The history lists both, the one in force first.
    assert [i.id for i in db.session.scalars(credit.imports_query(team.province))] == [
        second.id,
        first.id,
    ]


def test_a_replacement_made_since_the_preview_is_a_conflict(units):
    team = people(units)
    first = import_rows(team.province, units["dien_bien"], Q1_2026, rows_of({})).written
    import_rows(
        team.admin, units["dien_bien"], Q1_2026, rows_of({}), replaces_id=first.id, reason="Sửa"
    )
    with pytest.raises(credit.PeriodTaken) as taken:
        import_rows(
            team.province,
            units["dien_bien"],
            Q1_2026,
            rows_of({}),
            replaces_id=first.id,
            reason="Sửa",
        )
    assert taken.value.status == 409
    assert counts() == (2, 2, 3)


def test_the_same_confirmation_twice_is_one_import(units):
    organiser = people(units).province
    key = idempotency.new_key()
    import_rows(organiser, units["dien_bien"], Q1_2026, rows_of({}), form_key=key)
    with pytest.raises(idempotency.AlreadySent) as sent:
        import_rows(organiser, units["dien_bien"], Q1_2026, rows_of({}), form_key=key)
    assert sent.value.earlier.object_type == "credit_import"
    assert counts() == (1, 1, 1)
