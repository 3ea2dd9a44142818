"""Demo of the term's targets: Lào Cai's Women's Union set its targets for the term from this
year, so that its dashboard shows each figure against its target."""

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.time import vietnam_date
from portal.demo.common import unit_named
from portal.extensions import db
from portal.figures import targets

ORGANISER = "tochuc.laocai@demo.hoilhpn.vn"
# (indicator, target, each year?, the resolution it comes from)
TARGETS = [
    ("entries", 135, True, "Nghị quyết Đại hội: mỗi năm hỗ trợ 135 ý tưởng khởi nghiệp của phụ nữ"),
    ("cooperatives", 7, False, "Thành lập mới 7 hợp tác xã do phụ nữ quản lý trong nhiệm kỳ"),
    ("ocop_women_share", 40, False, "40 % chủ thể sản phẩm OCOP là phụ nữ"),
    ("loan_money", 1_000_000_000, True, "Giải ngân vốn vay ưu đãi cho hội viên"),
]


def load_targets(now) -> None:
    organiser = db.session.scalar(sa.select(User).where(User.email == ORGANISER))
    province = unit_named("Lào Cai", None)
    first = vietnam_date(now).year
    for indicator, figure, yearly, note in TARGETS:
        targets.set_target(
            organiser, province.id, indicator, first, first + 4, figure, yearly=yearly, note=note
        )
