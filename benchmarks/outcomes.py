"""What the followed projects became, for the union's figures at the issue's size (bulk INSERTs,
seeded): the households' poverty status over the years, business registrations, OCOP products
with their ratings, and the social policy bank's entrusted-credit figures of the province.

Called by `benchmarks.generate` with `--loans` (the figures' data set), after the capital:

- every project's household has the status of her application on the day of the award, then the
  commune's annual review each December: poor households move to near-poor or out of poverty over
  the years, near-poor ones leave it, and a few households return to poverty;
- about 15 % of the projects registered a business (household business, cooperative group,
  cooperative, enterprise): a "registered" milestone with its legal form, mostly verified, and the
  project's legal form when it was;
- about 6 % of the projects have one or two OCOP products under the scheme in force (148/QĐ-TTg),
  each evaluated once or twice (scores by part, stars by the scheme's bands, a certificate valid
  36 months from three stars), a few ratings revoked;
- about 0.5 % of the projects' ideas won a prize at a regional or national round, as recorded by
  the organiser;
- the province's savings-and-credit groups (about ten per commune) reported by the bank at the
  end of each quarter of the last three years, one import per quarter; one quarter sent twice,
  the first import replaced with a reason.
"""

import random
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from portal.applicants.models import HouseholdStatus
from portal.competitions.models import CompetitionLevel
from portal.core.time import VIETNAM
from portal.entries.models import Entry
from portal.extensions import db
from portal.figures.credit.models import CreditGroupFigures, CreditImport, CreditRating
from portal.projects.milestones.models import Milestone, MilestoneKind, MilestoneStatus
from portal.projects.models import ExternalAward, LegalForm, SupportedProject
from portal.projects.ocop.models import OcopGroup, OcopProduct, OcopRating, OcopScheme
from portal.projects.ocop.scoring import stars_for, valid_until
from portal.projects.poverty.models import HouseholdStatusRecord, StatusSource

POOR, NEAR_POOR, NEITHER = HouseholdStatus.POOR, HouseholdStatus.NEAR_POOR, HouseholdStatus.NEITHER
# The commune's review each year: where a household of each status stands the next year.
MOVES = {
    POOR: ([POOR, NEAR_POOR, NEITHER], [60, 25, 15]),
    NEAR_POOR: ([POOR, NEAR_POOR, NEITHER], [5, 60, 35]),
    NEITHER: ([POOR, NEAR_POOR, NEITHER], [1, 3, 96]),
}
LEGAL_FORMS = (
    [
        LegalForm.HOUSEHOLD_BUSINESS,
        LegalForm.COOPERATIVE_GROUP,
        LegalForm.COOPERATIVE,
        LegalForm.ENTERPRISE,
    ],
    [60, 15, 15, 10],
)
PRODUCTS = [
    ("Gạo Séng Cù Mường Thanh", OcopGroup.FOOD),
    ("Chè Shan tuyết Tủa Chùa", OcopGroup.BEVERAGES),
    ("Rượu ngô men lá", OcopGroup.BEVERAGES),
    ("Mật ong bạc hà", OcopGroup.FOOD),
    ("Thịt trâu gác bếp", OcopGroup.FOOD),
    ("Cà phê Arabica Mường Ảng", OcopGroup.BEVERAGES),
    ("Thổ cẩm dệt tay Thái", OcopGroup.HANDICRAFTS),
    ("Miến dong", OcopGroup.FOOD),
    ("Tam thất", OcopGroup.HERBS),
    ("Homestay bản Thái", OcopGroup.TOURISM),
    ("Lan rừng", OcopGroup.ORNAMENTAL),
]
GROUP_LEADERS = ["Lò Thị Xuân", "Quàng Thị Hoa", "Giàng Thị Dua", "Lường Thị Ngọc", "Vì Thị Lan"]


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(14, 0), tzinfo=VIETNAM)


def _statuses(rng: random.Random, projects, organiser_id: int, today: date) -> list[dict]:
    rows = []
    for project_id, awarded, declared, _ in projects:
        status = HouseholdStatus(declared) if declared else rng.choice([POOR, NEAR_POOR, NEITHER])
        rows.append(
            {
                "project_id": project_id,
                "status": status,
                "as_of": awarded,
                "source": StatusSource.APPLICATION,
                "report_id": None,
                "note": "",
                "recorded_by_id": organiser_id,
                "recorded_at": _moment(awarded),
            }
        )
        for year in range(awarded.year, today.year + 1):
            review = date(year, 12, 15)
            if review <= awarded or review > today:
                continue
            choices, weights = MOVES[status]
            status = rng.choices(choices, weights=weights)[0]
            rows.append(
                {
                    "project_id": project_id,
                    "status": status,
                    "as_of": review,
                    "source": StatusSource.COMMUNE_REVIEW,
                    "report_id": None,
                    "note": "",
                    "recorded_by_id": organiser_id,
                    "recorded_at": _moment(review + timedelta(days=10)),
                }
            )
    return rows


def _registrations(rng: random.Random, projects, organiser_id: int, today: date):
    kind_id = db.session.scalar(
        sa.select(MilestoneKind.id).where(MilestoneKind.code == "registered")
    )
    milestones, registered = [], {}
    for project_id, awarded, _, _ in projects:
        if rng.random() >= 0.15:
            continue
        reached = awarded + timedelta(days=rng.randrange(60, 720))
        if reached > today:
            continue
        form = rng.choices(*LEGAL_FORMS)[0]
        number = f"62{rng.randrange(10**7, 10**8)}"
        verified = rng.random() < 0.85
        milestones.append(
            {
                "project_id": project_id,
                "kind_id": kind_id,
                "reached_on": reached,
                "note": "",
                "evidence_link": "",
                "registration_number": number,
                "legal_form": form,
                "status": MilestoneStatus.VERIFIED if verified else MilestoneStatus.RECORDED,
                "return_reason": "",
                "recorded_by_id": organiser_id,
                "recorded_at": _moment(reached + timedelta(days=3)),
                "decided_by_id": organiser_id if verified else None,
                "decided_at": _moment(reached + timedelta(days=10)) if verified else None,
                "version": 1,
            }
        )
        if verified:
            registered[project_id] = (form, number)
    return milestones, registered


def _ocop(rng: random.Random, projects, registered, scheme, organiser_id: int, today: date):
    products, ratings = [], []
    product_id = (db.session.scalar(sa.select(sa.func.max(OcopProduct.id))) or 0) + 1
    for project_id, awarded, _, _ in projects:
        if rng.random() >= 0.06:
            continue
        for _ in range(rng.choice([1, 1, 1, 1, 2])):
            name, group = rng.choice(PRODUCTS)
            first = awarded + timedelta(days=rng.randrange(120, 600))
            if first > today:
                continue
            products.append(
                {
                    "id": product_id,
                    "project_id": project_id,
                    "name": name,
                    "group": group,
                    "owner_legal_form": registered.get(project_id, (None,))[0],
                    "recorded_by_id": organiser_id,
                    "recorded_at": _moment(first),
                }
            )
            evaluations = [first]
            if rng.random() < 0.2 and first + timedelta(days=365) <= today:
                evaluations.append(first + timedelta(days=365))
            for evaluated_on in evaluations:
                scores = {
                    part["code"]: rng.randrange(part["max"] // 2, part["max"] + 1)
                    for part in scheme.parts
                }
                total = sum(scores.values())
                stars = stars_for(total, scheme.bands)
                certified = stars >= scheme.certified_from_stars
                certified_on = min(today, evaluated_on + timedelta(days=20))
                revoked = certified and rng.random() < 0.03
                ratings.append(
                    {
                        "product_id": product_id,
                        "scheme_id": scheme.id,
                        "evaluated_on": evaluated_on,
                        "level": "province",
                        "scores": scores,
                        "total": total,
                        "stars": stars,
                        "certificate_number": f"{rng.randrange(100, 999)}/QĐ-UBND"
                        if certified
                        else "",
                        "certificate_date": certified_on if certified else None,
                        "valid_until": valid_until(certified_on, scheme.validity_months)
                        if certified
                        else None,
                        "recheck_months": None,
                        "revoked_at": _moment(min(today, evaluated_on + timedelta(days=200)))
                        if revoked
                        else None,
                        "revoked_reason": "Không duy trì chất lượng." if revoked else "",
                        "recorded_by_id": organiser_id,
                        "recorded_at": _moment(evaluated_on),
                    }
                )
            product_id += 1
    return products, ratings


def _higher_rounds(rng: random.Random, projects, organiser_id: int, today: date) -> list[dict]:
    rows = []
    for _project_id, awarded, _, entry_id in projects:
        if rng.random() >= 0.005:
            continue
        level = rng.choices([CompetitionLevel.REGIONAL, CompetitionLevel.NATIONAL], [3, 1])[0]
        won = min(today, awarded + timedelta(days=rng.randrange(30, 300)))
        rows.append(
            {
                "entry_id": entry_id,
                "level": level,
                "body": "Trung ương Hội LHPN Việt Nam"
                if level is CompetitionLevel.NATIONAL
                else "Hội LHPN các tỉnh Tây Bắc",
                "prize": rng.choice(["Giải Nhất", "Giải Nhì", "Giải Ba", "Giải Khuyến khích"]),
                "year": won.year,
                "cash_value": rng.choice([5, 10, 20, 30]) * 1_000_000,
                "evidence_note": "",
                "recorded_by_id": organiser_id,
                "recorded_at": _moment(won + timedelta(days=7)),
            }
        )
    return rows


def _quarter_ends(today: date, count: int) -> list[date]:
    end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    ends = []
    for _ in range(count):
        ends.append(end)
        end = end.replace(day=1) - relativedelta(months=2) - timedelta(days=1)
    return sorted(ends)


def _credit(rng: random.Random, unit_id: int, communes: list[int], organiser_id: int, today):
    groups = [
        (commune_id, f"Tổ TK&VV thôn {number}", rng.choice(GROUP_LEADERS), rng.randrange(25, 60))
        for commune_id in communes
        for number in range(1, rng.randrange(6, 15) + 1)
    ]
    import_id = (db.session.scalar(sa.select(sa.func.max(CreditImport.id))) or 0) + 1
    imports, figures = [], []
    ends = _quarter_ends(today, 12)
    sent_twice = ends[-2]
    for quarter, period_end in enumerate(ends):
        for replaced in (True, False) if period_end == sent_twice else (False,):
            sent = _moment(period_end + timedelta(days=12 + (0 if replaced else 9)))
            imports.append(
                {
                    "id": import_id,
                    "unit_id": unit_id,
                    "period_end": period_end,
                    "file_name": f"nhcsxh-dien-bien-{period_end.isoformat()}.xlsx",
                    "imported_by_id": organiser_id,
                    "imported_at": sent,
                    "replaces_id": import_id - 1
                    if period_end == sent_twice and not replaced
                    else None,
                    "replaced_at": _moment(period_end + timedelta(days=21)) if replaced else None,
                    "replaced_by_id": organiser_id if replaced else None,
                    "replaced_reason": "Ngân hàng gửi lại số liệu đã đối chiếu."
                    if replaced
                    else "",
                }
            )
            for line, (commune_id, name, leader, members) in enumerate(groups, start=2):
                borrowers = max(1, members * rng.randrange(55, 90) // 100)
                outstanding = borrowers * rng.randrange(35, 60) * 1_000_000 * (40 + quarter) // 40
                figures.append(
                    {
                        "import_id": import_id,
                        "line": line,
                        "commune_id": commune_id,
                        "group_name": name,
                        "leader": leader,
                        "members": members,
                        "borrowers": borrowers,
                        "outstanding": outstanding,
                        "overdue": outstanding * rng.choice([0, 0, 0, 0, 1, 2, 5]) // 100,
                        "savings": members * rng.randrange(1, 6) * 500_000,
                        "rating": rng.choices(list(CreditRating), weights=[60, 25, 12, 3])[0],
                    }
                )
            import_id += 1
    return imports, figures


def generate_outcomes(
    rng: random.Random, *, unit_id: int, communes: list[int], organiser_id: int, today: date
) -> dict[str, int]:
    """Write the outcomes of every project of `unit_id` and the entrusted-credit figures of its
    `communes`; returns counts."""
    projects = [
        (project_id, created_at.astimezone(VIETNAM).date(), declared, entry_id)
        for project_id, created_at, declared, entry_id in db.session.execute(
            sa.select(
                SupportedProject.id,
                SupportedProject.created_at,
                Entry.household_status,
                Entry.id,
            )
            .join(Entry, Entry.id == SupportedProject.entry_id)
            .where(SupportedProject.unit_id == unit_id)
            .order_by(SupportedProject.id)
        )
    ]
    statuses = _statuses(rng, projects, organiser_id, today)
    milestones, registered = _registrations(rng, projects, organiser_id, today)
    scheme = db.session.scalar(sa.select(OcopScheme).order_by(OcopScheme.in_force_from))
    products, ratings = _ocop(rng, projects, registered, scheme, organiser_id, today)
    external = _higher_rounds(rng, projects, organiser_id, today)
    imports, figures = _credit(rng, unit_id, communes, organiser_id, today)
    for model, rows in (
        (HouseholdStatusRecord, statuses),
        (Milestone, milestones),
        (OcopProduct, products),
        (OcopRating, ratings),
        (ExternalAward, external),
        (CreditImport, imports),
        (CreditGroupFigures, figures),
    ):
        if rows:  # an empty list would insert one row of defaults
            db.session.execute(sa.insert(model), rows)
    if registered:  # what a verified registration writes on the project
        db.session.execute(
            sa.update(SupportedProject),
            [
                {"id": project_id, "legal_form": form, "registration_number": number}
                for project_id, (form, number) in registered.items()
            ],
        )
    for table in ("ocop_product", "credit_import"):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        )
    db.session.commit()
    return {
        "household_records": len(statuses),
        "registrations": len(milestones),
        "ocop_products": len(products),
        "ocop_ratings": len(ratings),
        "higher_round_prizes": len(external),
        "credit_imports": len(imports),
        "credit_groups": len(figures),
    }
