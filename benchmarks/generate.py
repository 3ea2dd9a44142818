"""Build a realistic data set for the load benchmark in its own PostgreSQL database.

    python -m benchmarks.generate --database-url postgresql://postgres@127.0.0.1:5432/portal_bench \
        --entries 20000

The database is created when missing, its public schema dropped and rebuilt by the migrations, so
a second run gives the same data again (the generator is seeded). It then loads the provinces and
communes, one organiser of Điện Biên province, one open competition of Điện Biên with two rounds,
N applicants living in the communes of Điện Biên and N submitted entries, with their team members,
files (rows only) and submitted versions; then P supported projects of earlier winners with about
ten progress reports each and their milestones (benchmarks/projects.py); with --loans, the
union's figures at scale: a support fund's loans and grants (benchmarks/capital.py), and the
households' poverty status, business registrations, OCOP products and the entrusted-credit figures
(benchmarks/outcomes.py). Rows are written with bulk INSERTs.

Never point it at a database that matters: everything in its public schema is dropped.
"""

import argparse
import random
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta

import flask_migrate
import psycopg
import sqlalchemy as sa
from psycopg import sql
from werkzeug.security import generate_password_hash

from benchmarks.capital import generate_capital
from benchmarks.judging import JUDGE_EMAIL, ROUND_ENTRIES, generate_judging
from benchmarks.outcomes import generate_outcomes
from benchmarks.projects import generate_projects
from config import DevelopmentConfig, database_url
from portal import create_app
from portal.applicants.ethnicities import ETHNICITIES, is_ethnic_minority
from portal.applicants.models import ApplicantProfile, BusinessStage, Gender, HouseholdStatus
from portal.auth.models import Role, RoleGrant, User
from portal.competitions import services as competition_services
from portal.competitions.models import (
    Category,
    Competition,
    CompetitionLevel,
    CompetitionStatus,
)
from portal.core.text import fold
from portal.core.time import VIETNAM, utcnow
from portal.entries.models import Attachment, AttachmentKind, Entry, EntryStatus, EntryVersion
from portal.entries.models import TeamMember as TeamMemberRow
from portal.extensions import db
from portal.projects.models import SupportedProject
from portal.units.models import Unit, UnitKind
from portal.units.services import communes_of, load_units

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench"
ORGANISER_EMAIL = "tochuc.dienbien@bench.hoilhpn.vn"
ORGANISER_PASSWORD = "bench-password-2026"
ORGANISER_NAME = "Lò Thị Hương"
DIEN_BIEN_CODE = 11  # the official code of Điện Biên province in vietnam-provinces
COMPETITION_TITLE = "Phụ nữ Điện Biên khởi nghiệp {year}"
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}

# --- People ---------------------------------------------------------------------------------------

# Ethnic groups of Điện Biên, roughly in their share of the province's population, with the
# family names and given names usual in each.
ETHNIC_GROUPS = [
    # (code, weight, family names, given names)
    (
        "03",  # Thái
        38,
        ["Lò", "Quàng", "Lường", "Cà", "Tòng", "Điêu", "Vì", "Cầm", "Bạc", "Lù", "Hoàng"],
        [
            "Mai",
            "Hương",
            "Xuân",
            "Ánh",
            "Ngọc",
            "Thoa",
            "Hoa",
            "Ơn",
            "Pọm",
            "Khăm",
            "Ún",
            "Biên",
            "Nhung",
            "Xiêm",
            "Chăm",
            "Lả",
            "Phương",
            "Ngoan",
            "Thu",
            "Vân",
            "Dung",
            "Hiên",
        ],
    ),
    (
        "08",  # Hmông
        34,
        ["Giàng", "Sùng", "Vàng", "Mùa", "Thào", "Lầu", "Hạng", "Lý", "Cứ", "Chá", "Mua"],
        [
            "Mỷ",
            "Dua",
            "Sua",
            "Chứ",
            "Dợ",
            "Pà",
            "Mai",
            "Sống",
            "Dế",
            "Xó",
            "Chu",
            "Máy",
            "Sinh",
            "Dinh",
            "Pằng",
            "Lia",
            "Say",
            "Cở",
        ],
    ),
    (
        "01",  # Kinh
        18,
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đinh"],
        [
            "Thu Hà",
            "Lan",
            "Thanh Hằng",
            "Nga",
            "Huyền",
            "Thu Trang",
            "Thuỳ Linh",
            "Phương Thảo",
            "Hải Yến",
            "Kim Dung",
            "Phượng",
            "Loan",
            "Minh Tuyết",
            "Nhàn",
            "Ngọc Ánh",
            "Bích Ngọc",
        ],
    ),
    (
        "29",
        4,
        ["Lò", "Quàng", "Vì", "Cà", "Lường"],
        ["Xuân", "Ỏn", "Pỏm", "Siêng", "Hằng"],
    ),  # Khơ-mú
    (
        "09",
        2,
        ["Triệu", "Lý", "Đặng", "Bàn", "Phùng"],
        ["Mùi", "Kiều", "Xuân", "Sinh", "Mây"],
    ),  # Dao
    ("35", 1, ["Pờ", "Lỳ", "Chu", "Sần", "Phù"], ["Chừ", "Xá", "Mé", "Pà", "Xó"]),  # Hà Nhì
    ("37", 1, ["Lò", "Lường", "Vì", "Khăm"], ["Phon", "Kẹo", "Nang", "Xổm"]),  # Lào
    ("33", 1, ["Lò", "Quàng", "Cà"], ["Xuân", "Pảng", "Ón"]),  # Kháng
    ("04", 1, ["Lý", "Trương", "Hà"], ["Mỹ Linh", "Tú Anh", "Lệ"]),  # Hoa
]

TEAM_ROLES = [
    "Phụ trách sản xuất",
    "Kế toán",
    "Phụ trách bán hàng",
    "Kỹ thuật",
    "Thành viên",
    "Phụ trách truyền thông",
    "Thủ quỹ",
]

# --- Ideas --------------------------------------------------------------------------------------

# (category code, the idea as a title, the product in a sentence)
IDEAS = [
    ("agriculture", "Nuôi gà đen bản địa thả đồi", "gà đen bản địa"),
    ("agriculture", "Trồng rau an toàn trong nhà lưới", "rau an toàn"),
    ("agriculture", "Nuôi lợn đen bản địa theo hướng hữu cơ", "thịt lợn đen bản địa"),
    ("agriculture", "Trồng cà phê Arabica dưới tán cây che bóng", "cà phê Arabica"),
    ("agriculture", "Nuôi ong lấy mật hoa ban", "mật ong hoa ban"),
    ("agriculture", "Trồng lúa Séng Cù đặc sản", "gạo Séng Cù"),
    ("agriculture", "Nuôi cá chép ruộng bậc thang", "cá chép ruộng"),
    ("agriculture", "Trồng mắc ca xen cà phê", "hạt mắc ca"),
    ("food_processing", "Rượu ngô men lá", "rượu ngô men lá"),
    ("food_processing", "Rượu táo mèo ngâm", "rượu táo mèo"),
    ("food_processing", "Rượu nếp cẩm truyền thống", "rượu nếp cẩm"),
    ("food_processing", "Thịt trâu gác bếp", "thịt trâu gác bếp"),
    ("food_processing", "Lạp xưởng hun khói", "lạp xưởng hun khói"),
    ("food_processing", "Chẩm chéo đóng lọ", "chẩm chéo"),
    ("food_processing", "Bánh khảo gạo nếp", "bánh khảo"),
    ("food_processing", "Mắc khén đóng gói", "mắc khén"),
    ("food_processing", "Miến dong thủ công", "miến dong"),
    ("food_processing", "Gạo Điện Biên đóng túi hút chân không", "gạo Điện Biên"),
    ("handicrafts", "Dệt thổ cẩm Thái", "khăn và váy thổ cẩm"),
    ("handicrafts", "May trang phục Hmông", "trang phục Hmông"),
    ("handicrafts", "Đan lát mây tre", "giỏ, mẹt và đồ mây tre"),
    ("handicrafts", "Thêu túi xách thổ cẩm", "túi xách thổ cẩm"),
    ("handicrafts", "Vẽ sáp ong trên vải lanh", "vải lanh vẽ sáp ong"),
    ("medicinal_plants", "Trồng và sơ chế cây thuốc nam", "cây thuốc nam sơ chế"),
    ("medicinal_plants", "Trà giảo cổ lam", "trà giảo cổ lam"),
    ("medicinal_plants", "Lá tắm thuốc người Dao", "lá tắm thuốc"),
    ("medicinal_plants", "Trồng atiso và làm trà túi lọc", "trà atiso túi lọc"),
    ("community_tourism", "Homestay nhà sàn", "chỗ nghỉ nhà sàn"),
    ("community_tourism", "Trải nghiệm một ngày ở bản Thái", "tour trải nghiệm bản Thái"),
    ("community_tourism", "Ẩm thực Thái cho du khách", "mâm cơm người Thái"),
    ("community_tourism", "Trải nghiệm hái chè shan tuyết cổ thụ", "tour hái chè shan tuyết"),
    ("services", "Tiệm may đo trang phục", "dịch vụ may đo"),
    ("services", "Tiệm làm tóc và trang điểm", "dịch vụ làm đẹp"),
    ("services", "Nấu cỗ lưu động", "dịch vụ nấu cỗ"),
    ("services", "Nhóm trông trẻ tại nhà", "dịch vụ trông trẻ"),
    ("digital_economy", "Bán nông sản qua mạng xã hội", "nông sản bán trên mạng"),
    ("digital_economy", "Gian hàng thổ cẩm trên sàn thương mại điện tử", "thổ cẩm bán trực tuyến"),
    ("digital_economy", "Livestream bán măng khô", "măng khô bán qua livestream"),
    ("green_economy", "Phân bón hữu cơ vi sinh từ phụ phẩm nông nghiệp", "phân bón hữu cơ"),
    ("green_economy", "Túi vải thay túi ni lông", "túi vải dùng nhiều lần"),
    ("green_economy", "Than sinh học từ lõi ngô", "than sinh học"),
    ("green_economy", "Bếp đun tiết kiệm củi", "bếp tiết kiệm củi"),
]

TITLE_FORMS = [
    "{idea} {place}",
    "{idea} ở {commune}",
    "{idea} của nhóm phụ nữ {place}",
    "{idea}",
    "Mô hình {idea_lower} {place}",
    "Hợp tác xã {idea_lower} {place}",
]

VILLAGES = [
    "Him Lam",
    "Phiêng Ly",
    "Nà Nhạn",
    "Huổi Phạ",
    "Co Mận",
    "Tà Lèng",
    "Noong Bua",
    "Pá Khoang",
    "Nà Tấu",
    "Mường Pồn",
    "Hua Pe",
    "Pú Nhi",
    "Huổi Lếch",
    "Sín Chải",
    "Nậm Khăn",
]

SUMMARIES = [
    "Sản xuất và bán {product} của bà con {commune}, đóng gói đẹp, có nhãn mác và mã QR truy xuất nguồn gốc.",
    "Tổ chức {n} hộ phụ nữ trong bản cùng làm {product}, bán cho khách du lịch và các cửa hàng ở thành phố Điện Biên Phủ.",
    "Mở rộng việc làm {product} đang làm nhỏ lẻ ở gia đình thành một tổ hợp tác có sổ sách, có hợp đồng bao tiêu.",
    "Đưa {product} của {commune} lên sàn thương mại điện tử và mạng xã hội, giao hàng đi Hà Nội và các tỉnh.",
]
SERVICE_SUMMARIES = [
    "Mở {product} cho người dân và khách du lịch ở {commune}, do {n} chị em trong bản cùng làm.",
    "Đưa {product} vốn làm nhỏ lẻ ở gia đình thành một tổ hợp tác có sổ sách và giá niêm yết.",
    "Quảng bá {product} của {commune} trên mạng xã hội, nhận đặt chỗ qua Zalo.",
]
SERVICE_PROBLEMS = [
    "Ở {commune} chưa có {product} đáng tin cậy, người dân phải đi {km} km ra trung tâm.",
    "Phụ nữ trong bản ít việc làm lúc nông nhàn, nhiều chị phải đi làm thuê xa nhà.",
    "Khách du lịch đến bản ngày càng đông nhưng bà con chưa biết đón khách, chưa có giá và dịch vụ rõ ràng.",
]
SERVICE_CATEGORIES = {"services", "community_tourism"}
PROBLEMS = [
    "Bà con làm ra {product} nhưng bán cho thương lái với giá thấp, không có thương hiệu, mỗi năm thu nhập chỉ khoảng {income} triệu đồng mỗi hộ.",
    "Phụ nữ trong bản ít việc làm lúc nông nhàn, nhiều chị phải đi làm thuê xa nhà; sản phẩm truyền thống đang mai một.",
    "Đường từ bản ra trung tâm xã dài {km} km, mùa mưa khó đi; sản phẩm làm ra không bảo quản được lâu nên hay bị ép giá.",
    "Khách mua muốn sản phẩm sạch, có nguồn gốc rõ ràng, nhưng bà con chưa biết làm giấy tờ an toàn thực phẩm và đóng gói.",
]
SOLUTIONS = [
    "Thành lập tổ hợp tác {n} thành viên, thống nhất quy trình làm {product}, mua máy đóng gói và đăng ký nhãn hiệu tập thể.",
    "Vay vốn ưu đãi để đầu tư nhà xưởng nhỏ, tập huấn kỹ thuật cho chị em và bán hàng qua các cửa hàng đặc sản, hội chợ.",
    "Làm {product} theo tiêu chuẩn OCOP, chụp ảnh và quay video giới thiệu sản phẩm, nhận đặt hàng qua Zalo và Facebook.",
    "Liên kết với hợp tác xã và doanh nghiệp du lịch ở Điện Biên Phủ để có đầu ra ổn định, ký hợp đồng theo mùa vụ.",
]
CUSTOMERS = [
    "Khách du lịch đến Điện Biên, các cửa hàng đặc sản ở thành phố và khách đặt hàng qua mạng ở Hà Nội.",
    "Các bếp ăn trường học, nhà hàng trong tỉnh và người tiêu dùng ở các tỉnh miền xuôi.",
    "Thương lái trong vùng, các hợp tác xã và siêu thị nhỏ ở trung tâm các xã lân cận.",
    "Khách hàng trên sàn thương mại điện tử, người Việt ở nước ngoài mua làm quà.",
]
LOCAL_RESOURCES = [
    "Nguyên liệu sẵn có ở {commune}, bí quyết truyền thống của đồng bào {ethnic}, sự ủng hộ của Hội Phụ nữ xã.",
    "Đất đai rộng, khí hậu mát, nguồn nước sạch từ khe suối; chị em có kinh nghiệm nhiều năm.",
    "Văn hoá, trang phục và món ăn của người {ethnic} hấp dẫn khách du lịch; cảnh quan bản làng đẹp.",
]

SCREENING_REASONS = [
    "Kế hoạch kinh doanh đính kèm không đọc được, đề nghị gửi lại bản PDF.",
    "Người đứng tên bài dự thi không cư trú tại tỉnh Điện Biên.",
    "Ý tưởng trùng với bài dự thi đã đạt giải năm trước của cùng một nhóm.",
    "Người đứng tên bài dự thi quá độ tuổi quy định của cuộc thi.",
]

STATUS_WEIGHTS = [
    (EntryStatus.SUBMITTED, 78),
    (EntryStatus.ELIGIBLE, 12),
    (EntryStatus.INELIGIBLE, 5),
    (EntryStatus.WITHDRAWN, 5),
]


def psycopg_url(url: str) -> str:
    """The plain libpq form of a SQLAlchemy URL (without +psycopg)."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def database_name(url: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(psycopg_url(url)).get("dbname", "")


def prepare_database(url: str) -> None:
    """Create the database if it is missing, then drop and recreate its public schema."""
    name = database_name(url)
    if not name or name in FORBIDDEN_DATABASES:
        raise SystemExit(f"Refusing to use the database {name!r}: give a database of its own.")
    admin = psycopg.conninfo.make_conninfo(psycopg_url(url), dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def bench_app(url: str):
    config = type(
        "BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": database_url(url)}
    )
    return create_app(config)


class People:
    """Vietnamese women of Điện Biên: an ethnic group, a name that goes with it, a phone."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.weights = [group[1] for group in ETHNIC_GROUPS]

    def group(self):
        return self.rng.choices(ETHNIC_GROUPS, weights=self.weights)[0]

    def name(self, group=None) -> str:
        _, _, families, given = group or self.group()
        return f"{self.rng.choice(families)} Thị {self.rng.choice(given)}"

    def phone(self) -> str:
        prefix = self.rng.choice(["096", "097", "098", "086", "091", "094", "088", "035", "039"])
        return prefix + "".join(str(self.rng.randrange(10)) for _ in range(7))


def spread_times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """Submission times between start and end, more of them later, in Vietnam's waking hours."""
    span_days = (end - start).days
    times = []
    while len(times) < count:
        day = int(rng.triangular(0, span_days, span_days))
        local = (start.astimezone(VIETNAM) + timedelta(days=day)).replace(
            hour=rng.choice([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 22]),
            minute=rng.randrange(60),
            second=rng.randrange(60),
            microsecond=rng.randrange(1_000_000),
        )
        moment = local.astimezone(UTC)
        if start < moment < end:
            times.append(moment)
    return sorted(times)


def fill(template: str, rng: random.Random, **values) -> str:
    return template.format(
        n=rng.randrange(5, 31),
        km=rng.randrange(3, 41),
        income=rng.randrange(12, 61),
        **values,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--entries", type=int, default=20000, help="applicants and entries")
    parser.add_argument(
        "--projects", type=int, default=2000, help="supported projects, about 10 reports each"
    )
    parser.add_argument(
        "--loans",
        type=int,
        default=0,
        help="soft loans of those projects (and 300 grants, and the projects' outcomes)",
    )
    parser.add_argument(
        "--round-entries",
        type=int,
        default=ROUND_ENTRIES,
        help="entries of the round in judging (at most --entries), 5 judges each",
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.entries < 30:
        parser.error("--entries must be at least 30 (last year's competition takes 30 of them)")
    if args.round_entries < 1:
        parser.error("--round-entries must be at least 1")

    started = time.perf_counter()
    timings: list[tuple[str, float]] = []

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        timings.append((name, now - since))
        return now

    rng = random.Random(args.seed)
    people = People(rng)
    t = time.perf_counter()
    prepare_database(args.database_url)
    app = bench_app(args.database_url)
    with app.app_context():
        flask_migrate.upgrade()
        t = step("schema (drop, migrations)", t)
        load_units()
        t = step("units", t)

        now = utcnow()
        province = db.session.scalar(
            sa.select(Unit).where(Unit.kind == UnitKind.PROVINCE, Unit.code == DIEN_BIEN_CODE)
        )
        communes = communes_of(province.id)

        # The organiser, created the way the app creates people (validated, scrypt hash).
        organiser = User(
            email=ORGANISER_EMAIL,
            full_name=ORGANISER_NAME,
            language="vi",
            confirmed_at=now - timedelta(days=400),
            province_id=province.id,
            commune_id=next(c.id for c in communes if c.name == "Phường Điện Biên Phủ"),
        )
        organiser.set_password(ORGANISER_PASSWORD)
        organiser.roles.append(RoleGrant(role=Role.ORGANISER, unit_id=province.id))
        db.session.add(organiser)
        db.session.commit()

        # The competition, through the service; opened 60 days ago, closes in 30 days.
        closes = (now + timedelta(days=30)).replace(hour=3, minute=0, second=0, microsecond=0)
        opens = closes - timedelta(days=90)
        data = competition_services.CompetitionData(
            title=COMPETITION_TITLE.format(year=now.year),
            year=now.year,
            level=CompetitionLevel.PROVINCIAL,
            unit_id=province.id,
            description=(
                "Cuộc thi do Hội Liên hiệp Phụ nữ tỉnh Điện Biên tổ chức nhằm tìm kiếm, hỗ trợ "
                "các ý tưởng khởi nghiệp của phụ nữ, đặc biệt là phụ nữ dân tộc thiểu số, phụ nữ "
                "thuộc hộ nghèo và cận nghèo."
            ),
            rules=(
                "1. Người đứng tên bài dự thi là phụ nữ.\n"
                "2. Mỗi người gửi tối đa một ý tưởng.\n"
                "3. Bài dự thi gồm bản mô tả ý tưởng, kế hoạch kinh doanh và ảnh sản phẩm."
            ),
            reference_prefix=competition_services.default_prefix(province),
            rounds=[
                competition_services.RoundData("Vòng sơ khảo", opens, closes),
                competition_services.RoundData(
                    "Chung kết", closes + timedelta(days=20), closes + timedelta(days=21)
                ),
            ],
            min_age=18,
            max_age=55,
        )
        competition = competition_services.create_competition(organiser, data)
        competition.status = CompetitionStatus.OPEN
        db.session.commit()
        categories = {
            c.code: c
            for c in db.session.scalars(
                sa.select(Category).where(Category.competition_id == competition.id)
            )
        }
        t = step("organiser and competition", t)

        # Applicants: one scrypt hash for all (hashing 20,000 passwords would take minutes).
        shared_hash = generate_password_hash(
            "applicant-" + ORGANISER_PASSWORD, method=app.config["PASSWORD_HASH_METHOD"]
        )
        n = args.entries
        submitted = spread_times(rng, opens + timedelta(hours=2), now - timedelta(minutes=5), n)
        applicants = []
        for i in range(n):
            group = people.group()
            name = people.name(group)
            commune = rng.choice(communes)
            applicants.append(
                {
                    "group": group,
                    "name": name,
                    "commune": commune,
                    "first_submitted": submitted[i],
                    "created": submitted[i] - timedelta(days=rng.randrange(1, 40)),
                }
            )
        # Ids are given here rather than read back with RETURNING (much faster in bulk); the
        # sequences are moved past them afterwards.
        first_user_id = db.session.scalar(sa.select(sa.func.max(User.id))) + 1
        user_ids = list(range(first_user_id, first_user_id + n))
        user_rows = [
            {
                "id": user_ids[i],
                "email": f"{fold(a['name']).replace(' ', '.')}.{i + 1:05d}@bench.hoilhpn.vn",
                "password_hash": shared_hash,
                "full_name": a["name"],
                "full_name_folded": fold(a["name"]),
                "phone": people.phone(),
                "language": "vi",
                "province_id": province.id,
                "commune_id": a["commune"].id,
                "active": True,
                "confirmed_at": a["created"] + timedelta(minutes=rng.randrange(2, 600)),
                "created_at": a["created"],
                "last_login_at": a["first_submitted"],
                "session_token": secrets.token_urlsafe(24),
            }
            for i, a in enumerate(applicants)
        ]
        db.session.execute(sa.insert(User), user_rows)
        db.session.execute(
            sa.insert(RoleGrant),
            [
                {
                    "user_id": uid,
                    "role": Role.APPLICANT,
                    "unit_id": None,
                    "granted_at": a["created"],
                }
                for uid, a in zip(user_ids, applicants, strict=True)
            ],
        )
        households = [HouseholdStatus.POOR, HouseholdStatus.NEAR_POOR, HouseholdStatus.NEITHER]
        stages = list(BusinessStage)
        profile_rows = []
        for uid, a in zip(user_ids, applicants, strict=True):
            a["household"] = rng.choices(households, weights=[25, 20, 55])[0]
            a["stage"] = rng.choices(stages, weights=[45, 40, 12, 3])[0]
            profile_rows.append(
                {
                    "user_id": uid,
                    "date_of_birth": date(now.year - rng.randrange(19, 55), 1, 1)
                    + timedelta(days=rng.randrange(365)),
                    "gender": Gender.FEMALE,
                    "ethnicity": a["group"][0],
                    "household_status": a["household"],
                    "union_member": rng.random() < 0.7,
                    "business_stage": a["stage"],
                    "updated_at": a["created"],
                }
            )
        db.session.execute(sa.insert(ApplicantProfile), profile_rows)
        t = step(f"{n} applicants (users, roles, profiles)", t)

        # Entries, numbered in the order of their first submission.
        statuses = [s for s, _ in STATUS_WEIGHTS]
        status_weights = [w for _, w in STATUS_WEIGHTS]
        prefix, year = competition.reference_prefix, competition.year
        entry_rows, details = [], []
        first_entry_id = (db.session.scalar(sa.select(sa.func.max(Entry.id))) or 0) + 1
        entry_ids = list(range(first_entry_id, first_entry_id + n))
        for i, (uid, a) in enumerate(zip(user_ids, applicants, strict=True)):
            code, idea, product = rng.choice(IDEAS)
            commune_short = a["commune"].name.split(" ", 1)[1]
            place = rng.choice([f"bản {rng.choice(VILLAGES)}", commune_short])
            title = rng.choice(TITLE_FORMS).format(
                idea=idea,
                idea_lower=idea[0].lower() + idea[1:],
                place=place,
                commune=a["commune"].name.replace("Xã", "xã").replace("Phường", "phường"),
            )[:200]
            ethnic = ETHNICITIES[a["group"][0]]
            service = code in SERVICE_CATEGORIES
            texts = {
                "summary": fill(
                    rng.choice(SERVICE_SUMMARIES if service else SUMMARIES),
                    rng,
                    product=product,
                    commune=commune_short,
                ),
                "problem": fill(
                    rng.choice(SERVICE_PROBLEMS if service else PROBLEMS),
                    rng,
                    product=product,
                    commune=commune_short,
                ),
                "solution": fill(rng.choice(SOLUTIONS), rng, product=product),
                "customers": rng.choice(CUSTOMERS),
                "local_resources": fill(
                    rng.choice(LOCAL_RESOURCES), rng, commune=commune_short, ethnic=ethnic
                ),
            }
            status = rng.choices(statuses, weights=status_weights)[0]
            first = a["first_submitted"]
            resubmitted = status is not EntryStatus.WITHDRAWN and rng.random() < 0.12
            last = first + (now - first) * rng.random() * 0.5 if resubmitted else first
            screened_at = withdrawn_at = reason = screened_by = None
            if status in (EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE):
                screened_at = last + (now - last) * rng.uniform(0.1, 0.9)
                screened_by = organiser.id
                if status is EntryStatus.INELIGIBLE:
                    reason = rng.choice(SCREENING_REASONS)
            if status is EntryStatus.WITHDRAWN:
                withdrawn_at = first + (now - first) * rng.uniform(0.1, 0.9)
            changes_pending = status is EntryStatus.SUBMITTED and rng.random() < 0.03
            reference = f"{prefix}-{year}-{i + 1:04d}"  # the app's own numbering
            capital = rng.choice([0, 15, 30, 50, 80, 120, 200, 350, 500]) * 1_000_000
            entry_rows.append(
                {
                    "id": entry_ids[i],
                    "competition_id": competition.id,
                    "applicant_id": uid,
                    "category_id": categories[code].id,
                    "status": status,
                    "reference": reference,
                    "title": title,
                    **texts,
                    "capital_needed": capital,
                    "jobs_for_women": rng.randrange(0, 26),
                    "consent_publish": rng.random() < 0.8,
                    "version": rng.randrange(3, 9) + (3 if resubmitted else 0),
                    "has_unsubmitted_changes": changes_pending,
                    "created_at": a["created"],
                    "updated_at": max(filter(None, [last, screened_at, withdrawn_at])),
                    "submitted_at": last,
                    "first_submitted_at": first,
                    "withdrawn_at": withdrawn_at,
                    "extension_until": None,
                    "screening_reason": reason,
                    "screened_at": screened_at,
                    "screened_by_id": screened_by,
                    "commune_id": a["commune"].id,
                    "household_status": str(a["household"]),
                    "ethnic_minority": is_ethnic_minority(a["group"][0]),
                    "business_stage": str(a["stage"]),
                    "search_text": fold(" ".join([reference, title, a["name"]])),
                }
            )
            team = [
                (people.name(a["group"]), rng.choice(TEAM_ROLES))
                for _ in range(rng.choices([0, 1, 2, 3], weights=[20, 35, 30, 15])[0])
            ]
            details.append({"team": team, "resubmitted": resubmitted, "first": first, "last": last})
        db.session.execute(sa.insert(Entry), entry_rows)
        t = step(f"{n} entries", t)

        team_rows, attachment_rows, version_rows = [], [], []
        category_names = {c.id: c.name for c in categories.values()}
        for entry_id, row, detail in zip(entry_ids, entry_rows, details, strict=True):
            for position, (name, role) in enumerate(detail["team"]):
                team_rows.append(
                    {
                        "entry_id": entry_id,
                        "position": position,
                        "name": name,
                        "role": role,
                        "user_id": None,
                    }
                )
            files = [
                (
                    AttachmentKind.BUSINESS_PLAN,
                    f"Ke hoach kinh doanh - {fold(row['title'])[:60]}.pdf",
                    "application/pdf",
                )
            ]
            files += [
                (AttachmentKind.PHOTO, f"anh-san-pham-{k + 1}.jpg", "image/jpeg")
                for k in range(rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0])
            ]
            for kind, original, content_type in files:
                attachment_rows.append(
                    {
                        "entry_id": entry_id,
                        "kind": kind,
                        "original_name": original,
                        "stored_name": secrets.token_hex(16) + original[-4:],
                        "content_type": content_type,
                        "size": rng.randrange(80_000, 4_000_000),
                        "uploaded_at": row["created_at"],
                    }
                )
            snapshot = {
                "title": row["title"],
                "category_id": row["category_id"],
                "summary": row["summary"],
                "problem": row["problem"],
                "solution": row["solution"],
                "customers": row["customers"],
                "local_resources": row["local_resources"],
                "capital_needed": row["capital_needed"],
                "jobs_for_women": row["jobs_for_women"],
                "consent_publish": row["consent_publish"],
                "team": [{"name": m, "role": r, "user_id": None} for m, r in detail["team"]],
                "category": category_names[row["category_id"]],
                "attachments": [[k.value, o] for k, o, _ in files],
            }
            if detail["resubmitted"]:
                earlier = dict(snapshot, capital_needed=(row["capital_needed"] or 0) + 10_000_000)
                earlier["summary"] = row["summary"].split(",")[0] + "."
                version_rows.append(
                    {
                        "entry_id": entry_id,
                        "number": 1,
                        "submitted_at": detail["first"],
                        "data": earlier,
                    }
                )
            version_rows.append(
                {
                    "entry_id": entry_id,
                    "number": 2 if detail["resubmitted"] else 1,
                    "submitted_at": detail["last"],
                    "data": snapshot,
                }
            )
        db.session.execute(sa.insert(TeamMemberRow), team_rows)
        db.session.execute(sa.insert(Attachment), attachment_rows)
        db.session.execute(sa.insert(EntryVersion), version_rows)
        db.session.execute(
            sa.update(Competition)
            .where(Competition.id == competition.id)
            .values(last_entry_number=n)
        )
        for table in ("user_account", "entry"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        db.session.commit()
        t = step("team members, files, versions", t)

        # Judging and awards, with their own random numbers: the projects, loans and outcomes
        # below stay the same whatever is judged.
        judging_rng = random.Random(args.seed + 1)
        judging = generate_judging(
            judging_rng,
            organiser=organiser,
            province=province,
            entries=entry_rows,
            names=[a["name"] for a in applicants],
            name=People(judging_rng).name,
            password_hash=generate_password_hash(
                ORGANISER_PASSWORD, method=app.config["PASSWORD_HASH_METHOD"]
            ),
            now=now,
            round_size=args.round_entries,
        )
        t = step(
            f"judging: {judging['judged']['entries']} entries × 5 judges "
            f"({judging['judged']['sheets']} sheets); last year's competition published",
            t,
        )

        followed = generate_projects(
            rng,
            count=args.projects,
            entries=entry_rows,
            entry_ids=entry_ids,
            unit_id=province.id,
            organiser_id=organiser.id,
            today=now.astimezone(VIETNAM).date(),
        )
        t = step(f"{followed['projects']} supported projects, {followed['reports']} reports", t)
        capital = {"loans": 0, "grants": 0}
        outcomes = {}
        if args.loans:
            project_ids = list(db.session.scalars(sa.select(SupportedProject.id)))
            capital = generate_capital(
                rng,
                loans=args.loans,
                project_ids=project_ids,
                unit_id=province.id,
                organiser_id=organiser.id,
                today=now.astimezone(VIETNAM).date(),
            )
            t = step(
                f"{capital['loans']} loans ({capital['repayments']} repayments), "
                f"{capital['grants']} grants",
                t,
            )
            outcomes = generate_outcomes(
                rng,
                unit_id=province.id,
                communes=[c.id for c in communes],
                organiser_id=organiser.id,
                today=now.astimezone(VIETNAM).date(),
            )
            t = step(
                f"{outcomes['household_records']} household records, "
                f"{outcomes['ocop_products']} OCOP products, "
                f"{outcomes['credit_groups']} savings-group figures",
                t,
            )

        # Statistics and visibility map as on a settled database (autovacuum may be off here).
        with psycopg.connect(psycopg_url(args.database_url), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        t = step("vacuum, analyze", t)

        competition_id = competition.id
        counts = dict(
            db.session.execute(
                sa.select(Entry.status, sa.func.count())
                .where(Entry.competition_id == competition_id)
                .group_by(Entry.status)
            ).all()
        )
        ruou_matches = db.session.scalar(
            sa.select(sa.func.count()).where(
                Entry.competition_id == competition_id, Entry.search_text.contains("ruou")
            )
        )
        db.session.remove()
        db.engine.dispose()

    total = time.perf_counter() - started
    print(f"database: {database_name(args.database_url)} (public schema rebuilt)")
    print(f"organiser: {ORGANISER_EMAIL} / {ORGANISER_PASSWORD} (Điện Biên province)")
    print(f"competition: id {competition_id}, {COMPETITION_TITLE.format(year=now.year)}, open")
    print(f"communes of Điện Biên: {len(communes)}")
    print(f"applicants: {n}; entries: {len(entry_ids)} ({prefix}-{year}-0001 … {reference})")
    print("  by status: " + ", ".join(f"{s.value} {c}" for s, c in sorted(counts.items())))
    print(f"  whose search text contains 'ruou': {ruou_matches}")
    print(
        f"team members: {len(team_rows)}; files: {len(attachment_rows)}; versions: {len(version_rows)}"
    )
    print(
        f"supported projects: {followed['projects']}; progress reports: {followed['reports']}; "
        f"milestones: {followed['milestones']}"
    )
    judged, finished = judging["judged"], judging["finished"]
    print(
        f"judges: {judging['judges']} ({JUDGE_EMAIL} / {ORGANISER_PASSWORD}); in judging: "
        f"competition {judged['competition_id']}, round {judged['round_id']} with "
        f"{judged['entries']} entries and {judged['sheets']} submitted sheets"
    )
    print(
        f"last year's competition {finished['competition_id']}: {finished['entries']} entries, "
        f"final round {finished['final_round_id']} with {finished['finalists']} entries, "
        f"{finished['awards']} awards published"
    )
    print(f"loans: {capital['loans']}; grants: {capital['grants']}")
    if outcomes:
        print(
            f"household status records: {outcomes['household_records']}; registrations: "
            f"{outcomes['registrations']}; OCOP products: {outcomes['ocop_products']} "
            f"({outcomes['ocop_ratings']} ratings); prizes at higher rounds: "
            f"{outcomes['higher_round_prizes']}; entrusted credit: "
            f"{outcomes['credit_imports']} imports, {outcomes['credit_groups']} group rows"
        )
    for name, seconds in timings:
        print(f"  {name}: {seconds:.1f} s")
    print(f"total: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
