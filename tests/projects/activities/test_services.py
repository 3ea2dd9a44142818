"""Support activities: recording one, adding who attended (her project, or her name), the
sign-in sheet imported all or nothing, and figures that count each woman once."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from portal.core.errors import DomainError, NotAllowed
from portal.projects.activities import services
from portal.projects.activities.services import AttendeeRefused
from tests.factories import UserFactory, project_of

pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def training(published):
    return services.create_activity(
        published.organiser,
        published.competition.unit_id,
        "training",
        date(2026, 4, 2),
        "Bán hàng trực tuyến",
        "Ngân hàng CSXH",
        None,
    )


def sheet(rows: list[list[str]]) -> tuple[bytes, str]:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), "diem-danh.xlsx"


def test_what_an_activity_needs(published, units):
    organiser = published.organiser
    with pytest.raises(DomainError) as refused:
        services.create_activity(organiser, units["lao_cai"].id, "training", date(2026, 4, 2), "A")
    assert refused.value.field == "unit"
    with pytest.raises(DomainError) as refused:
        services.create_activity(
            organiser, published.competition.unit_id, "party", date(2026, 4, 2), "A"
        )
    assert refused.value.field == "kind"
    with pytest.raises(DomainError) as refused:
        services.create_activity(
            organiser, published.competition.unit_id, "forum", date(2026, 6, 2), "A"
        )
    assert refused.value.field == "held_on"


def test_attendees_from_a_project_or_a_name_each_once(published, training, units):
    project = project_of(published.entries[0])
    person = services.add_attendee(published.organiser, training, project_id=project.id)
    assert (person.user_id, person.project_id, person.name) == (
        project.owner_id,
        project.id,
        project.owner.full_name,
    )
    with pytest.raises(AttendeeRefused):
        services.add_attendee(published.organiser, training, project_id=project.id)
    services.add_attendee(
        published.organiser,
        training,
        name="Lò Thị Vân",
        commune_id=units["muong_phang"].id,
        ethnicity="03",
    )
    with pytest.raises(AttendeeRefused):
        services.add_attendee(
            published.organiser, training, name="lo thi van", commune_id=units["muong_phang"].id
        )
    with pytest.raises(NotAllowed):
        services.add_attendee(UserFactory(), training, name="X")


def test_a_sheet_with_a_wrong_row_adds_nobody_and_a_good_one_links_accounts(published, training):
    owner = published.applicants[0]
    bad = services.import_sheet(
        published.organiser,
        training,
        sheet(
            [
                ["Họ và tên", "Xã", "Dân tộc"],
                ["Lò Thị Vân", "Mường Phăng", "Thái"],
                ["Cà Thị Hoa", "Xã Không Có", "Thái"],
            ]
        ),
    )
    assert bad.added == 0 and bad.errors == [(3, "Không tìm thấy xã: Xã Không Có")]
    assert training.attendees == []
    good = services.import_sheet(
        published.organiser,
        training,
        sheet(
            [
                ["Họ và tên", "Xã", "Dân tộc", "Email"],
                ["Lò Thị Vân", "Mường Phăng", "Thái", ""],
                ["Ai đó", "", "", owner.email.upper()],
                ["Lò Thị Vân", "xã mường phăng", "thái", ""],
            ]
        ),
    )
    assert (good.added, good.already) == (2, ["Lò Thị Vân"])
    linked = [a for a in training.attendees if a.user_id == owner.id]
    assert linked and linked[0].project_id == project_of(published.entries[0]).id
    assert linked[0].name == owner.full_name


def test_figures_count_each_woman_once(published, training, units):
    project = project_of(published.entries[0])
    services.add_attendee(published.organiser, training, project_id=project.id)
    services.add_attendee(
        published.organiser, training, name="Lò Thị Vân", commune_id=units["muong_phang"].id
    )
    fair = services.create_activity(
        published.organiser,
        published.competition.unit_id,
        "trade_fair",
        date(2026, 4, 20),
        "Hội chợ",
    )
    services.add_attendee(published.organiser, fair, project_id=project.id)
    (year,) = services.figures(published.organiser)
    assert (year.year, year.activities, year.attendances, year.people, year.trained) == (
        2026,
        2,
        3,
        2,
        2,
    )
    assert [a.id for a in services.support_of(project)] == [fair.id, training.id]
