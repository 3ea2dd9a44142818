"""The national unit and the regions of the regional rounds, as data.

The six socio-economic regions, with the 34 provinces of the 2025 arrangement by their official
codes (vietnam-provinces). A province belongs to one region.
"""

NATION_CODE = 0
NATION_NAME = "Trung ương Hội Liên hiệp Phụ nữ Việt Nam"
NATION_DIVISION = "trung ương"

REGIONS: list[tuple[str, str, tuple[int, ...]]] = [
    ("north-mountains", "Trung du và miền núi phía Bắc", (4, 8, 11, 12, 14, 15, 19, 20, 25)),
    ("red-river", "Đồng bằng sông Hồng", (1, 22, 24, 31, 33, 37)),
    ("central-coast", "Bắc Trung Bộ và duyên hải miền Trung", (38, 40, 42, 44, 46, 48, 51, 56)),
    ("highlands", "Tây Nguyên", (52, 66, 68)),
    ("south-east", "Đông Nam Bộ", (75, 79, 80)),
    ("mekong", "Đồng bằng sông Cửu Long", (82, 86, 91, 92, 96)),
]
