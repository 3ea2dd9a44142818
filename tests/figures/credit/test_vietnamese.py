"""The entrusted-credit pages in Vietnamese, as an organiser reads them: the form, the report of
problems by line, the preview, the history with a replaced period, the import's page, the records
behind a figure — in her words, with no raw code."""

import html
import re

import pytest

from portal.auth.models import Role
from tests.conftest import login
from tests.factories import UserFactory
from tests.figures.credit.sheets import Q1_2026, as_csv_bytes, import_rows, rows_of
from tests.figures.credit.test_views import upload

pytestmark = pytest.mark.usefixtures("frozen_time")

VI = {"Accept-Language": "vi"}


def text_of(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(page).split())


@pytest.fixture
def organiser(units, client):
    person = UserFactory(roles=[(Role.ORGANISER, units["dien_bien"])], language="vi")
    login(client, person)
    return person


def test_the_form_and_the_report_of_problems_speak_vietnamese(client, units, organiser):
    form = text_of(client.get("/figures/credit/imports/new", headers=VI))
    assert "Nhập số liệu của ngân hàng" in form
    assert "Số liệu đến ngày" in form and "Tệp của ngân hàng (XLSX hoặc CSV)" in form
    rows = rows_of(
        {"members": "ba mươi"},
        {"group": "Tổ 2", "commune": "Xã Không Có", "rating": "Xuất sắc"},
        {"group": "Tổ 3", "outstanding": "-5.000.000", "borrowers": "50"},
    )
    response = upload(client, units["dien_bien"], as_csv_bytes(rows))
    assert response.status_code == 422
    page = text_of(response)
    assert "Thành viên: nhập một số nguyên, ví dụ 25." in page
    assert "Không có xã, phường “Xã Không Có” trong Điện Biên." in page
    assert "Xếp loại: “Xuất sắc” không phải là một mức xếp loại của ngân hàng" in page
    assert "Dư nợ: Số tiền không được là số âm." in page
    assert "Số hộ vay (50) nhiều hơn số thành viên (35)." in page
    assert "Hãy sửa các dòng này trong tệp rồi gửi lại" in page
    refused = text_of(upload(client, units["dien_bien"], b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    assert "Tệp này không phải là bảng tính" in refused


def test_the_preview_history_and_import_page_speak_vietnamese(client, units, organiser):
    first = import_rows(organiser, units["dien_bien"], Q1_2026, rows_of({})).written
    response = upload(client, units["dien_bien"], as_csv_bytes(rows_of({"rating": "Khá"})))
    preview = text_of(response)
    assert "Xem trước" in preview and "Lý do thay số liệu" in preview
    assert 'value="Thay số liệu của kỳ này"' in response.get_data(as_text=True)
    import_rows(
        organiser,
        units["dien_bien"],
        Q1_2026,
        rows_of({"rating": "Khá"}),
        replaces_id=first.id,
        reason="Ngân hàng gửi lại số liệu.",
    )
    history = text_of(client.get("/figures/credit/imports", headers=VI))
    assert "Tín dụng ủy thác: số liệu của ngân hàng" in history
    assert "Đã thay thế" in history and "Đang có hiệu lực" in history
    assert "Ngân hàng gửi lại số liệu." in history
    old = text_of(client.get(f"/figures/credit/imports/{first.id}", headers=VI))
    assert "Số liệu ngân hàng của Điện Biên đến ngày" in old
    assert "Xem số liệu thay thế" in old and "Tổ trưởng" in old and "Tốt" in old
    assert "1.250.000.000" in old
    for code in ("good", "fair", "credit_import"):
        assert not re.search(rf"(?<![\w.]){code}(?![\w])", old)


def test_the_records_behind_a_figure_speak_vietnamese(client, units, organiser):
    import_rows(organiser, units["dien_bien"], Q1_2026, rows_of({"rating": "Trung bình"}))
    page = text_of(client.get("/figures/credit_outstanding?from=2026&to=2026", headers=VI))
    assert "Dư nợ tín dụng ủy thác" in page
    assert "Mỗi xã, phường lấy theo kỳ gần nhất" in page
    assert "Tổ TK&VV bản Che Căn" in page and "Trung bình" in page and "1.250.000.000" in page
    assert "average" not in page
