"""The import on its pages: the bank's file checked and previewed, or its problems by line with
nothing written; the confirmation writing it once; a period replaced with a reason and both kept
in the history; the import's page with its groups and totals; the template file."""

import csv
import html
import io
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from portal.extensions import db
from portal.figures.credit.models import CreditGroupFigures, CreditImport
from portal.figures.credit.sheet import read_sheet
from tests.conftest import login
from tests.factories import PNG
from tests.figures.credit.sheets import (
    HEADER,
    Q1_2026,
    as_csv_bytes,
    as_xlsx_bytes,
    import_rows,
    people,
    rows_of,
)

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026

NEW = "/figures/credit/imports/new"
CONFIRM = "/figures/credit/imports/confirm"


def upload(client, unit, data: bytes, name="ToTKVV_Q1.xlsx", period="2026-03-31"):
    return client.post_form(
        NEW,
        {"unit": str(unit.id), "period": period, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm_fields(page) -> dict[str, str]:
    """The confirmation form of a preview, as the browser would send it."""
    text = page.get_data(as_text=True)
    form = text[text.index(f'action="{CONFIRM}"') :]
    form = form[: form.index("</form>")]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form)
    }
    for name, value in re.findall(
        r'<textarea[^>]*name="(\w+)"[^>]*>\r?\n?(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value)
    fields.pop("csrf_token", None)
    return fields


def imports() -> list[CreditImport]:
    db.session.expire_all()  # what the requests wrote, not what this session saw before
    return list(db.session.scalars(sa.select(CreditImport).order_by(CreditImport.id)))


def test_preview_then_confirm_imports_once(client, units):
    organiser = people(units).province
    login(client, organiser)
    data = as_xlsx_bytes(rows_of({}, {"group": "Tổ TK&VV bản Na Hai", "commune": "Điện Biên Phủ"}))
    preview = upload(client, units["dien_bien"], data, name="Báo cáo/ToTKVV_Q1.xlsx")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'id="credit-preview"' in page and "Tổ TK&amp;VV bản Na Hai" in page
    assert "VND\xa02,500,000,000" in page  # the total outstanding
    assert imports() == []
    fields = confirm_fields(preview)
    first = client.post_form(CONFIRM, fields)
    again = client.post_form(CONFIRM, fields)
    assert first.status_code == again.status_code == 302
    assert first.location == again.location
    [made] = imports()
    assert made.file_name == "ToTKVV_Q1.xlsx" and made.period_end == Q1_2026
    assert first.location == f"/figures/credit/imports/{made.id}"
    assert db.session.scalar(sa.select(sa.func.count(CreditGroupFigures.id))) == 2
    shown = client.get(first.location).get_data(as_text=True)
    assert 'id="total-groups">2<' in shown and "Phường Điện Biên Phủ" in shown
    listed = client.get("/figures/credit/imports").get_data(as_text=True)
    assert f'id="credit-import-{made.id}"' in listed and "In force" in listed


def test_problems_are_reported_by_line_and_nothing_is_written(client, units):
    login(client, people(units).province)
    rows = rows_of(
        {}, {"group": "Tổ 2", "outstanding": "-5"}, {"group": "Tổ 3", "commune": "Xã Không Có"}
    )
    response = upload(client, units["dien_bien"], as_csv_bytes(rows), name="bank.csv")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "2 problems found; nothing was imported" in page
    assert "<tr><td>3</td><td>Outstanding: The amount cannot be negative.</td></tr>" in page
    assert (
        "<tr><td>4</td><td>There is no commune or ward “Xã Không Có” in Điện Biên.</td></tr>"
        in page
    )
    assert 'id="credit-preview"' not in page
    assert imports() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, "This file is not a spreadsheet"),
        (b"", "The file is empty."),
        (as_csv_bytes([], header=["Họ tên", "Số tiền"]), "The column names were not found."),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_a_message(client, units, data, message):
    login(client, people(units).province)
    response = upload(client, units["dien_bien"], data, name="bank.csv")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert imports() == []


def test_the_unit_must_be_hers_and_the_day_not_to_come(client, units):
    login(client, people(units).province)
    data = as_csv_bytes(rows_of({}))
    assert upload(client, units["lao_cai"], data).status_code == 422
    response = upload(client, units["dien_bien"], data, period="2026-06-30")
    assert response.status_code == 422
    assert "The figures cannot stand at a day in the future." in response.get_data(as_text=True)


def test_a_period_is_replaced_with_a_reason_and_both_stay_in_the_history(client, units):
    organiser = people(units).province
    first = import_rows(organiser, units["dien_bien"], Q1_2026, rows_of({})).written
    login(client, organiser)
    preview = upload(
        client, units["dien_bien"], as_csv_bytes(rows_of({"outstanding": "1.300.000.000"}))
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="replace-notice"' in page
    fields = confirm_fields(preview)
    assert fields["replaces"] == str(first.id)
    refused = client.post_form(CONFIRM, fields | {"reason": ""})
    assert refused.status_code == 422
    assert "Write why these figures replace those imported before." in refused.get_data(
        as_text=True
    )
    assert len(imports()) == 1
    fields = confirm_fields(refused) | {"reason": "Ngân hàng sửa dư nợ tổ bản Che Căn."}
    done = client.post_form(CONFIRM, fields)
    assert done.status_code == 302
    old, new = imports()
    assert (old.id, new.replaces_id, old.replacement, new.in_force) == (first.id, old.id, new, True)
    listed = html.unescape(client.get("/figures/credit/imports").get_data(as_text=True))
    assert "Replaced" in listed and "Ngân hàng sửa dư nợ tổ bản Che Căn." in listed
    replaced = client.get(f"/figures/credit/imports/{old.id}").get_data(as_text=True)
    assert 'id="replaced-notice"' in replaced and f"/figures/credit/imports/{new.id}" in replaced
    assert 'id="replaces-notice"' in client.get(done.location).get_data(as_text=True)
    # The same preview confirmed again, after the replacement: told so, nothing more written.
    stale = client.post_form(CONFIRM, fields | {"form_key": "a" * 32})
    assert stale.status_code == 409 and len(imports()) == 2


def test_a_preview_that_did_not_come_back_whole_is_asked_again(client, units):
    login(client, people(units).province)
    response = client.post_form(
        CONFIRM, {"unit": str(units["dien_bien"].id), "period": "2026-03-31", "lines": "[[1, 2]]"}
    )
    assert response.status_code == 302 and response.location == NEW
    assert imports() == []


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_has_the_column_names_the_import_reads(client, units, kind):
    login(client, people(units).province)
    response = client.get(f"/figures/credit/template.{kind}")
    assert response.status_code == 200
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(response.data), read_only=True)
        header = list(next(book.worksheets[0].iter_rows(values_only=True)))
    else:
        header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header == HEADER
    # Read back, it lacks only the groups.
    with force_locale("en"):
        [problem] = read_sheet(response.data).problems
        assert problem.message == "The file has no savings group below its column names."


def test_an_organiser_sees_the_imports_of_her_units_only(client, units):
    team = people(units)
    made = import_rows(team.province, units["dien_bien"], Q1_2026, rows_of({})).written
    login(client, team.other)
    listed = client.get("/figures/credit/imports").get_data(as_text=True)
    assert f'id="credit-import-{made.id}"' not in listed
    assert client.get(f"/figures/credit/imports/{made.id}").status_code == 403
    assert client.get("/figures/credit/imports/999").status_code == 404
