"""The kinds of milestones every union starts with (the migration that made the table wrote
the same rows); an admin adds more on the portal."""

import sqlalchemy as sa

from portal.extensions import db
from portal.projects.milestones.models import MilestoneKind

DEFAULT_KINDS = [
    (
        "registered",
        "Đăng ký kinh doanh (hộ kinh doanh, tổ hợp tác, hợp tác xã, doanh nghiệp)",
        "Business registered (household business, cooperative group, cooperative, enterprise)",
    ),
    ("first_sales", "Bán được sản phẩm đầu tiên", "First sales"),
    ("certified_ocop", "Sản phẩm được chứng nhận OCOP", "Product certified OCOP"),
    ("certified_vietgap", "Sản phẩm đạt chứng nhận VietGAP", "Product certified VietGAP"),
    ("certified_organic", "Sản phẩm đạt chứng nhận hữu cơ", "Product certified organic"),
    ("trademark", "Đăng ký nhãn hiệu", "Trademark registered"),
    ("online_shop", "Mở gian hàng trực tuyến", "Online shop opened"),
    ("jobs_created", "Tạo thêm việc làm", "Jobs created"),
    ("loan_repaid", "Trả hết khoản vay", "Loan repaid"),
    ("other", "Khác", "Other"),
]


def add_default_kinds() -> None:
    """Write the default kinds into an empty table (a test database, made from the models);
    does not commit."""
    if db.session.scalar(sa.select(sa.func.count(MilestoneKind.id))):
        return
    for position, (code, vi, en) in enumerate(DEFAULT_KINDS, start=1):
        db.session.add(
            MilestoneKind(
                code=code,
                label_vi=vi,
                label_en=en,
                is_registration=code == "registered",
                position=position,
                active=True,
            )
        )
    db.session.flush()
