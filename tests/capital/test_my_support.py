"""What she sees of her loan on her phone: her next instalment and how much, what is overdue and
since when, what she still owes, and her receipts; the receipt is a PDF in Vietnamese that
another borrower cannot open."""

import html
import io
from datetime import date

import pypdf
import pytest

from portal.capital.loans import services as loans
from tests.capital.loans.test_services import approved_loan
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("frozen_time")  # 10 May 2026


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_her_next_instalment_what_is_overdue_and_her_receipts(client, published):
    # 6,000,000 over 3 months at 0.5 %, disbursed 10 March: due 10 April, 10 May, 10 June.
    _, agreement = approved_loan(published)
    loan = loans.disburse(published.organiser, agreement, date(2026, 3, 10))
    first = loans.record_repayment(
        published.organiser,
        loan,
        paid_on=date(2026, 4, 8),
        amount=1_000_000,
        method="cash",
        reference="BL-01",
    )
    login(client, published.applicants[0])
    page = text(client.get("/my/support"))
    # 2,030,000 was due on 10 April; 1,000,000 paid: 1,030,000 overdue since then.
    assert "1.030.000\xa0₫, từ ngày 10 thg 4, 2026" in page
    assert "Kỳ trả tiếp theo của chị" in page and "2.020.000\xa0₫ vào ngày 10 thg 5, 2026" in page
    assert "5.060.000\xa0₫" in page  # still to pay in all: 6,060,000 − 1,000,000
    receipt = f"/capital/repayments/{first.id}/receipt.pdf"
    assert receipt in page
    pdf = client.get(receipt)
    assert pdf.mimetype == "application/pdf"
    words = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "BIÊN NHẬN TRẢ NỢ" in words and "1.000.000" in words and "BL-01" in words
    assert "5.030.000" in words  # principal still owed after it (970,000 of it repaid)
    login(client, published.applicants[1])
    assert client.get(receipt).status_code == 403
    login(client, published.organiser)
    loans.reverse_repayment(published.organiser, first, "Ghi nhầm")
    words = pypdf.PdfReader(io.BytesIO(client.get(receipt).data)).pages[0].extract_text()
    assert "ĐÃ HỦY" in words and "Ghi nhầm" in words
