"""The OCOP pages: the owner adds a product, the organiser records an evaluation (refused for a
part over its maximum, what she typed kept), the project page shows the stars and their history,
the list counts the women owners."""

import html

import pytest

from portal.extensions import db
from portal.projects.ocop.models import OcopProduct
from tests.conftest import login
from tests.factories import project_of
from tests.factories.projects import ocop_scheme

pytestmark = pytest.mark.usefixtures("frozen_time")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_product_is_added_and_rated_in_vietnamese(client, published):
    ocop_scheme()
    db.session.commit()
    project = project_of(published.entries[0])
    login(client, published.applicants[0])
    url = f"/projects/{project.id}/ocop/new"
    assert "Nhóm sản phẩm OCOP" in text(client.get(url))
    refused = client.post_form(url, {"name": "Chè Shan tuyết"})
    assert refused.status_code == 422 and "Chè Shan tuyết" in text(refused)
    assert (
        client.post_form(
            url, {"name": "Chè Shan tuyết", "group": "beverages", "form_key": "b" * 32}
        ).status_code
        == 302
    )
    product = db.session.query(OcopProduct).one()

    login(client, published.organiser)
    url = f"/projects/ocop/{product.id}/ratings/new"
    page = text(client.get(url))
    assert "A. Sản phẩm và sức mạnh cộng đồng (tối đa 40 điểm)" in page and "Cấp tỉnh" in page
    form = {
        "evaluated_on": "2026-03-01",
        "level": "province",
        "score_A": "45",
        "score_B": "18",
        "score_C": "26",
        "certificate_number": "QĐ 123",
        "certificate_date": "2026-03-15",
        "form_key": "c" * 32,
    }
    refused = client.post_form(url, form)
    assert refused.status_code == 422
    assert "Hãy ghi số điểm nguyên từ 0 đến 40." in text(refused) and "QĐ 123" in text(refused)
    assert client.post_form(url, form | {"score_A": "30"}).status_code == 302
    page = text(client.get(f"/projects/{project.id}"))
    assert "4 sao" in page and "hiệu lực đến 14 thg 3, 2029" in page and "Còn hiệu lực" in page
    listing = text(client.get("/projects/ocop"))
    assert "Chè Shan tuyết" in listing and "trong số 1 chủ thể sản phẩm OCOP là phụ nữ" in listing


def test_the_ocop_list_runs_the_same_queries_as_it_grows(client, published):
    from datetime import date

    from portal.projects.ocop import services
    from tests.admin.test_views import count_queries

    ocop_scheme()

    def product(index: int) -> None:
        project = project_of(published.entries[index])
        made = services.add_product(project.owner, project, f"Sản phẩm {index}", "food", None)
        services.record_rating(
            published.organiser,
            made,
            services.RatingData(date(2026, 3, 1), "province", {"A": 30, "B": 18, "C": 26}, "QĐ"),
        )

    product(0)
    login(client, published.organiser)
    few = count_queries(client, "/projects/ocop")
    for index in range(1, 6):
        product(index)
    assert count_queries(client, "/projects/ocop") == few
