"""The import on a page: the files checked and previewed, the problems by file and line with
nothing written, the confirmation writing the loans once even when it is sent twice."""

import html
import io
import re

import pytest
import sqlalchemy as sa

from portal.capital.models import SupportAgreement
from portal.capital.sources import services as sources
from portal.extensions import db
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("frozen_time")

HEADER = "reference,project,source,principal,rate,periods,grace,frequency,method,disbursed_on"


def upload(client, loans: str, repayments: str | None = None):
    data = {"loans": (io.BytesIO(loans.encode()), "loans.csv")}
    if repayments is not None:
        data["repayments"] = (io.BytesIO(repayments.encode("utf-8-sig")), "repayments.csv")
    return client.post_form("/capital/import", data, content_type="multipart/form-data")


def imported():
    return set(db.session.scalars(sa.select(SupportAgreement.reference)))


def test_preview_then_confirm_imports_once(client, published):
    source = sources.create_source(
        published.organiser, published.competition.unit_id, "Quỹ 12", "support_fund"
    )
    login(client, published.organiser)
    loans = f"{HEADER}\nVAY-7,{published.entries[0].reference},{source.id},5000000,0.6,10,0,monthly,flat,2026-02-01\n"
    preview = upload(client, loans, "loan,paid_on,amount\nVAY-7,2026-03-01,530000\n")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "VAY-7" in page and "4.500.000" in page  # outstanding after one instalment
    assert "VAY-7" not in imported()
    fields = dict(re.findall(r'<textarea[^>]*name="(\w+)"[^>]*>\r?\n?(.*?)</textarea>', page, re.S))
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    form = {
        "loans_csv": html.unescape(fields["loans_csv"]),
        "repayments_csv": html.unescape(fields["repayments_csv"]),
        "openings_csv": fields.get("openings_csv", ""),
        "form_key": key,
    }
    first = client.post_form("/capital/import/confirm", form)
    again = client.post_form("/capital/import/confirm", form)
    assert first.status_code == again.status_code == 302
    assert "VAY-7" in imported()
    assert len([r for r in imported() if r == "VAY-7"]) == 1
    portfolio = client.get("/capital/portfolio?as_of=2026-05-10").get_data(as_text=True)
    assert "VAY-7" in portfolio


def test_problems_are_shown_by_file_and_line(client, published):
    login(client, published.organiser)
    response = upload(client, f"{HEADER}\nX,NOPE,1,abc,0.5,3,0,monthly,flat,2026-01-01\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "NOPE" in page and 'id="import-preview"' not in page
    assert not imported() & {"X"}


def test_a_file_not_in_utf8_is_refused_clearly(client, published):
    login(client, published.organiser)
    data = {"loans": (io.BytesIO("Mã,dự án".encode("utf-16")), "loans.csv")}
    response = client.post_form("/capital/import", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
