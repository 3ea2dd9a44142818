"""Demo of the term's targets: Lào Cai's Women's Union set its targets for the term from this
year, so that its dashboard shows each figure against its target; and an API token reading
Lào Cai, for trying the API."""

import sqlalchemy as sa

from portal.api import services as tokens
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


DEMO_API_SECRET = "hlhpn_demo-lao-cai-2026"


def load_api_token() -> str:
    """A token of the central union reading Lào Cai, with a secret known in advance (a real
    token's secret is random and shown once)."""
    if tokens.token_for(DEMO_API_SECRET) is None:
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.hoilhpn.vn"))
        province = unit_named("Lào Cai", None)
        tokens.issue_token(admin, "Trung ương Hội (bản thử)", province.id, secret=DEMO_API_SECRET)
    return DEMO_API_SECRET


def load_targets(now) -> None:
    organiser = db.session.scalar(sa.select(User).where(User.email == ORGANISER))
    province = unit_named("Lào Cai", None)
    first = vietnam_date(now).year
    for indicator, figure, yearly, note in TARGETS:
        targets.set_target(
            organiser, province.id, indicator, first, first + 4, figure, yearly=yearly, note=note
        )
