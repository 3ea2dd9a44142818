"""Vietnam's 54 ethnic groups, with their official codes.

No package on PyPI provides this list, so it is kept here by hand. Source: the General Statistics
Office's "Danh mục các thành phần dân tộc Việt Nam", issued with Decision 121-TCTK/PPCĐ of
2 March 1979 (Tổng cục Thống kê), codes "01" to "54" in the decision's order. The names are written
as the decision and the later censuses write them, with full diacritics; they are proper names and
are shown as they are in both languages.
"""

from portal.core.text import fold

KINH = "01"

ETHNICITIES: dict[str, str] = {
    "01": "Kinh",
    "02": "Tày",
    "03": "Thái",
    "04": "Hoa",
    "05": "Khơ-me",
    "06": "Mường",
    "07": "Nùng",
    "08": "Hmông",
    "09": "Dao",
    "10": "Gia-rai",
    "11": "Ngái",
    "12": "Ê-đê",
    "13": "Ba-na",
    "14": "Xơ-đăng",
    "15": "Sán Chay",
    "16": "Cơ-ho",
    "17": "Chăm",
    "18": "Sán Dìu",
    "19": "Hrê",
    "20": "Mnông",
    "21": "Ra-glai",
    "22": "Xtiêng",
    "23": "Bru-Vân Kiều",
    "24": "Thổ",
    "25": "Giáy",
    "26": "Cơ-tu",
    "27": "Gié-Triêng",
    "28": "Mạ",
    "29": "Khơ-mú",
    "30": "Co",
    "31": "Tà-ôi",
    "32": "Chơ-ro",
    "33": "Kháng",
    "34": "Xinh-mun",
    "35": "Hà Nhì",
    "36": "Chu-ru",
    "37": "Lào",
    "38": "La Chí",
    "39": "La Ha",
    "40": "Phù Lá",
    "41": "La Hủ",
    "42": "Lự",
    "43": "Lô Lô",
    "44": "Chứt",
    "45": "Mảng",
    "46": "Pà Thẻn",
    "47": "Cơ Lao",
    "48": "Cống",
    "49": "Bố Y",
    "50": "Si La",
    "51": "Pu Péo",
    "52": "Brâu",
    "53": "Ơ Đu",
    "54": "Rơ-măm",
}


def is_ethnic_minority(code: str) -> bool:
    """Every one of the 54 groups except the Kinh majority is an ethnic minority."""
    return code in ETHNICITIES and code != KINH


def ordered_codes() -> list[str]:
    """Kinh first, then the 53 others alphabetically, ignoring diacritics and hyphens."""
    others = sorted(
        (code for code in ETHNICITIES if code != KINH),
        key=lambda code: fold(ETHNICITIES[code].replace("-", " ")),
    )
    return [KINH, *others]
