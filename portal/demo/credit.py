"""Demo of the entrusted-credit figures in Lào Cai: the social policy bank's figures per
savings-and-credit group for the last two quarters, imported through the service the page uses
(each import commits), the latest quarter sent twice — the bank corrected one group — so that the
history shows a replaced import with its reason. Quarters are counted from today."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.time import vietnam_date
from portal.demo.common import unit_named
from portal.extensions import db

ORGANISER = "tochuc.laocai@demo.hoilhpn.vn"
# (commune, [(village of the group, leader)]): communes of Lào Cai, leaders of their peoples.
GROUPS = [
    ("Xã Mù Cang Chải", [("Thôn Kim Nọi", "Giàng Thị Mai"), ("Thôn Dế Xu Phình", "Sùng Thị Dế")]),
    ("Xã Trạm Tấu", [("Thôn Tà Xùa", "Thào Thị Dua"), ("Thôn Bản Mù", "Hờ Thị Súa")]),
    (
        "Phường Nghĩa Lộ",
        [("Tổ dân phố Pá Xổm", "Lò Thị Ngân"), ("Tổ dân phố Xa Xà", "Hoàng Thị Thu")],
    ),
    ("Xã Bát Xát", [("Thôn Tân Bảo", "Lý Thị Mẩy"), ("Thôn Bản Vược", "Triệu Thị Lan")]),
    ("Phường Sa Pa", [("Tổ dân phố 5", "Vàng Thị Sua"), ("Tổ dân phố 8", "Tẩn Thị Kiều")]),
]
RATINGS = ("Tốt", "Tốt", "Khá", "Tốt", "Trung bình", "Khá", "Tốt", "Yếu", "Khá", "Tốt")


def _quarter_end(day: date) -> date:
    """The last day of the quarter before the one `day` is in."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1) - timedelta(days=1)


def _lines(quarter: int, corrected: bool = True):
    from portal.figures.credit.sheet import COLUMNS, Line

    lines = []
    number = 3  # the bank's sheet: a title on line 1, the column names on line 2
    for c, (commune, groups) in enumerate(GROUPS):
        for g, (village, leader) in enumerate(groups):
            n = c * 2 + g
            members = 28 + (n * 7) % 23 + quarter
            borrowers = members - 6 - n % 5
            outstanding = borrowers * (42_000_000 + n * 1_500_000 + quarter * 500_000)
            overdue = 0 if RATINGS[n] in ("Tốt", "Khá") else 12_000_000 + n * 1_000_000
            if not corrected and n == 3:
                outstanding += 100_000_000  # the bank's first sheet counted a loan twice
            values = [
                commune,
                f"Tổ TK&VV {village}",
                leader,
                str(members),
                str(borrowers),
                f"{outstanding:,}".replace(",", "."),
                f"{overdue:,}".replace(",", "."),
                f"{borrowers * (650_000 + quarter * 40_000):,}".replace(",", "."),
                RATINGS[n],
            ]
            lines.append(Line(number, dict(zip(COLUMNS, values, strict=True))))
            number += 1
    return lines


def load_credit(now: datetime) -> None:
    """Called by load_demo after the capital; does nothing once the demo has credit figures."""
    from portal.figures.credit import services as credit
    from portal.figures.credit.models import CreditImport

    organiser = db.session.scalar(sa.select(User).where(User.email == ORGANISER))
    province = unit_named("Lào Cai", None)
    if (
        organiser is None
        or province is None
        or db.session.scalar(sa.select(sa.func.count(CreditImport.id)))
    ):
        return
    latest = _quarter_end(vietnam_date(now))
    before = _quarter_end(latest)
    credit.import_period(
        organiser,
        province.id,
        before,
        f"BC_ToTKVV_LaoCai_{before:%m-%Y}.xlsx",
        _lines(0),
        now=now,
    )
    first = credit.import_period(
        organiser,
        province.id,
        latest,
        f"BC_ToTKVV_LaoCai_{latest:%m-%Y}.xlsx",
        _lines(1, corrected=False),
        now=now,
    )
    credit.import_period(
        organiser,
        province.id,
        latest,
        f"BC_ToTKVV_LaoCai_{latest:%m-%Y}_dieu_chinh.xlsx",
        _lines(1),
        reason="Ngân hàng Chính sách xã hội gửi lại số liệu: dư nợ của tổ thôn Bản Mù bị cộng trùng "
        "một khoản vay.",
        replaces_id=first.written.id,
        now=now,
    )
