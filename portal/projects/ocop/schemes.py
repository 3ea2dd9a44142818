"""The programme's rules as the portal starts with them (the migration that made the table wrote
the same row); a later change of the rules is a new row, in force from its date."""

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.projects.ocop.models import OcopScheme

DECISION_148 = {
    "code": "148/QĐ-TTg",
    "name": "Quyết định 148/QĐ-TTg ngày 24/02/2023 (Bộ tiêu chí đánh giá, phân hạng sản phẩm OCOP)",
    "in_force_from": date(2023, 2, 24),
    "parts": [
        {
            "code": "A",
            "vi": "Sản phẩm và sức mạnh cộng đồng",
            "en": "Product and community strength",
            "max": 40,
        },
        {"code": "B", "vi": "Khả năng tiếp thị", "en": "Marketing", "max": 25},
        {"code": "C", "vi": "Chất lượng sản phẩm", "en": "Product quality", "max": 35},
    ],
    "bands": [[90, 5], [70, 4], [50, 3], [30, 2], [0, 1]],
    # Since the two-level government of July 2025 there is no district level.
    "levels": [
        {"code": "commune", "vi": "Cấp xã", "en": "Commune"},
        {"code": "province", "vi": "Cấp tỉnh", "en": "Province"},
        {"code": "central", "vi": "Trung ương", "en": "Central"},
    ],
    "validity_months": 36,
    "certified_from_stars": 3,
}
DEFAULT_SCHEMES = [DECISION_148]


def add_default_schemes() -> None:
    """Write the default scheme into an empty table (a test database); does not commit."""
    if db.session.scalar(sa.select(sa.func.count(OcopScheme.id))):
        return
    for values in DEFAULT_SCHEMES:
        db.session.add(OcopScheme(**values))
    db.session.flush()
