"""Judging and awards for the load benchmark (seeded; bulk INSERTs for the large round, the app's
own services for the small finished competition).

Called by `benchmarks.generate` after the entries of the open competition:

- 60 judges of the province (role judge, one password for all), the first of whom,
  JUDGE_EMAIL, is the one the benchmark logs in as;
- a second provincial competition of Điện Biên in judging (JUDGED_TITLE): its entry round closed
  40 days ago with M entries sent by women who also entered the open competition (the same
  ideas; M = every entry of the open competition up to 10,000), all in judging; its first round
  has the default six-criterion rubric, 5 judges per entry chosen from the 60 (each judge about
  M × 5 / 60 entries; one entry in 50 also has a judge who recused herself) and every sheet
  submitted, each judge a little lenient or harsh; the ranking is left to the results page;
- a finished competition of the year before (FINISHED_TITLE), taken through the app's services
  as an organiser would: 30 entries judged by 5 of the judges, the results made final, the best
  12 carried into the final, the final judged by the same 5 and made final, four prize tiers
  (1 first, 2 second, 3 third, 4 consolation) and a special prize for an ethnic-minority woman,
  drawn from the final's ranking, finalised by the organiser, approved by a second organiser and
  published: 11 awards with their certificates, the winners' entries awarded and made supported
  projects, one mail queued to each applicant.
"""

import random
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.auth.models import Role, RoleGrant, User
from portal.awards.decision import services as decision_services
from portal.awards.models import PrizeKind
from portal.awards.prizes import services as prize_services
from portal.awards.publication import services as publication_services
from portal.competitions import services as competition_services
from portal.competitions.models import Category, Competition, CompetitionLevel, CompetitionStatus
from portal.core.text import fold
from portal.entries.models import Attachment, AttachmentKind, Entry, EntryStatus, EntryVersion
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    Assignment,
    AssignmentSource,
    CompetitionJudge,
    Score,
    ScoreSheet,
    SheetStatus,
)
from portal.judging.results import advancing, ranking
from portal.units.models import Unit

JUDGES = 60
JUDGES_PER_ENTRY = 5
ROUND_ENTRIES = 10_000  # the large round
JUDGE_EMAIL = "giamkhao01@bench.hoilhpn.vn"
JUDGE_EMAIL_FORM = "giamkhao{n:02d}@bench.hoilhpn.vn"
SECOND_ORGANISER_EMAIL = "phochutich.dienbien@bench.hoilhpn.vn"
JUDGED_TITLE = "Phụ nữ vùng cao Điện Biên khởi nghiệp {year}"
JUDGED_PREFIX = "VC"
FINISHED_TITLE = "Phụ nữ Điện Biên khởi nghiệp {year}"
FINISHED_ENTRIES = 30
FINALISTS = 12
FINISHED_JUDGES = 5
BATCH = 20_000
FEEDBACK = [
    "",
    "",
    "Ý tưởng rõ ràng, cần tính kỹ hơn chi phí vận chuyển.",
    "Nên liên kết với hợp tác xã để có đầu ra ổn định.",
    "Kế hoạch tốt; cần bổ sung giấy chứng nhận an toàn thực phẩm.",
    "Sản phẩm có bản sắc, nên đầu tư bao bì và nhãn mác.",
]
PRIZES = [
    # (name, count, cash value in đồng, in kind)
    ("Giải Nhất", 1, 20_000_000, "Máy sấy nông sản"),
    ("Giải Nhì", 2, 10_000_000, ""),
    ("Giải Ba", 3, 5_000_000, ""),
    ("Giải Khuyến khích", 4, 2_000_000, "Tập huấn xây dựng thương hiệu"),
]
SPECIAL_PRIZE = "Giải dành cho phụ nữ dân tộc thiểu số"


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _move_sequences(*tables: str) -> None:
    for table in tables:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def _competition(
    organiser: User, province_id: int, prefix: str, *, title: str, year: int, opens, closes
) -> Competition:
    """A provincial competition with the default categories and two rounds, by the service."""
    data = competition_services.CompetitionData(
        title=title,
        year=year,
        level=CompetitionLevel.PROVINCIAL,
        unit_id=province_id,
        description=(
            "Cuộc thi do Hội Liên hiệp Phụ nữ tỉnh Điện Biên tổ chức, dành cho phụ nữ có ý tưởng "
            "khởi nghiệp gắn với sản phẩm và bản sắc của địa phương."
        ),
        rules="1. Người đứng tên bài dự thi là phụ nữ.\n2. Mỗi người gửi tối đa một ý tưởng.",
        reference_prefix=prefix,
        rounds=[
            competition_services.RoundData("Vòng sơ khảo", opens, closes),
            competition_services.RoundData(
                "Chung kết", closes + timedelta(days=70), closes + timedelta(days=71)
            ),
        ],
        min_age=18,
        max_age=55,
    )
    return competition_services.create_competition(organiser, data)


def _categories(competition: Competition) -> dict[str, int]:
    return dict(
        db.session.execute(
            sa.select(Category.code, Category.id).where(Category.competition_id == competition.id)
        ).all()
    )


def _judges(
    rng: random.Random, name: Callable[[], str], *, password_hash: str, province_id: int, now
) -> list[int]:
    """JUDGES accounts with the judge's role; returns their ids, JUDGE_EMAIL's first."""
    first = _next_id(User)
    ids = list(range(first, first + JUDGES))
    rows = []
    for n, user_id in enumerate(ids, start=1):
        full_name = name()
        rows.append(
            {
                "id": user_id,
                "email": JUDGE_EMAIL_FORM.format(n=n),
                "password_hash": password_hash,
                "full_name": full_name,
                "full_name_folded": fold(full_name),
                "phone": None,
                "language": "vi",
                "province_id": province_id,
                "commune_id": None,
                "active": True,
                "confirmed_at": now - timedelta(days=rng.randrange(200, 700)),
                "created_at": now - timedelta(days=800),
                "last_login_at": now - timedelta(days=rng.randrange(1, 10)),
                "session_token": secrets.token_urlsafe(24),
            }
        )
    _insert(User, rows)
    _insert(
        RoleGrant,
        [{"user_id": i, "role": Role.JUDGE, "unit_id": None, "granted_at": now} for i in ids],
    )
    _move_sequences("user_account")
    return ids


def _invite(competition: Competition, judge_ids: list[int], organiser_id: int, at) -> None:
    emails = dict(
        db.session.execute(sa.select(User.id, User.email).where(User.id.in_(judge_ids))).all()
    )
    categories = sorted(_categories(competition).values())
    _insert(
        CompetitionJudge,
        [
            {
                "competition_id": competition.id,
                "email": emails[j],
                "user_id": j,
                "invited_by_id": organiser_id,
                "invited_at": at,
                "expertise": categories[n % len(categories) : n % len(categories) + 2],
                "conflict_people": "",
                "conflict_commune_ids": [],
                "conflict_organisations": "",
                "declared_at": at + timedelta(days=2),
            }
            for n, j in enumerate(judge_ids)
        ],
    )


def _copied_entries(
    rng: random.Random,
    competition: Competition,
    source: list[dict],
    names: list[str],
    *,
    status: EntryStatus,
    opens: datetime,
    closes: datetime,
    organiser_id: int,
) -> list[int]:
    """Entries of `competition` sent by the women of `source` (rows of the open competition),
    with the same ideas, each with one submitted version and its business plan; returns ids."""
    categories = _categories(competition)
    by_id = {v: k for k, v in categories.items()}
    codes = {row["category_id"]: None for row in source}
    main_codes = dict(
        db.session.execute(
            sa.select(Category.id, Category.code).where(Category.id.in_(list(codes)))
        ).all()
    )
    first = _next_id(Entry)
    span = (closes - opens).total_seconds()
    times = sorted(
        opens + timedelta(seconds=span * rng.triangular(0.02, 1.0, 0.98)) for _ in source
    )
    rows, versions, plans = [], [], []
    for n, (row, name, submitted) in enumerate(zip(source, names, times, strict=True)):
        entry_id = first + n
        reference = f"{competition.reference_prefix}-{competition.year}-{n + 1:04d}"
        category_id = categories[main_codes[row["category_id"]]]
        texts = {k: row[k] for k in ("summary", "problem", "solution", "customers")}
        texts["local_resources"] = row["local_resources"]
        rows.append(
            {
                "id": entry_id,
                "competition_id": competition.id,
                "applicant_id": row["applicant_id"],
                "category_id": category_id,
                "status": status,
                "reference": reference,
                "title": row["title"],
                **texts,
                "organisation": "",
                "capital_needed": row["capital_needed"],
                "jobs_for_women": row["jobs_for_women"],
                "consent_publish": row["consent_publish"],
                "version": rng.randrange(3, 7),
                "has_unsubmitted_changes": False,
                "created_at": submitted - timedelta(days=rng.randrange(1, 20)),
                "updated_at": closes + timedelta(days=rng.randrange(1, 10)),
                "submitted_at": submitted,
                "first_submitted_at": submitted,
                "withdrawn_at": None,
                "extension_until": None,
                "screening_reason": None,
                "screened_at": closes + timedelta(days=rng.randrange(1, 10)),
                "screened_by_id": organiser_id,
                "commune_id": row["commune_id"],
                "household_status": row["household_status"],
                "ethnic_minority": row["ethnic_minority"],
                "business_stage": row["business_stage"],
                "search_text": fold(" ".join([reference, row["title"], name])),
            }
        )
        original = f"Ke hoach kinh doanh - {fold(row['title'])[:60]}.pdf"
        versions.append(
            {
                "entry_id": entry_id,
                "number": 1,
                "submitted_at": submitted,
                "data": {
                    "title": row["title"],
                    "category_id": category_id,
                    **texts,
                    "capital_needed": row["capital_needed"],
                    "jobs_for_women": row["jobs_for_women"],
                    "consent_publish": row["consent_publish"],
                    "team": [],
                    "category": str(by_id[category_id]),
                    "attachments": [[AttachmentKind.BUSINESS_PLAN.value, original]],
                },
            }
        )
        plans.append(
            {
                "entry_id": entry_id,
                "kind": AttachmentKind.BUSINESS_PLAN,
                "original_name": original,
                "stored_name": secrets.token_hex(16) + ".pdf",
                "content_type": "application/pdf",
                "size": rng.randrange(80_000, 4_000_000),
                "uploaded_at": submitted,
            }
        )
    _insert(Entry, rows)
    _insert(EntryVersion, versions)
    _insert(Attachment, plans)
    _move_sequences("entry")
    db.session.execute(
        sa.update(Competition)
        .where(Competition.id == competition.id)
        .values(last_entry_number=len(rows))
    )
    return [r["id"] for r in rows]


def _sheets(
    rng: random.Random,
    round_id: int,
    criteria,
    plan: list[tuple[int, list[int], int | None]],
    *,
    quality: dict[int, float],
    leniency: dict[int, float],
    noise: float,
    organiser_id: int,
    assigned_at: datetime,
    scored_from: datetime,
    scored_to: datetime,
) -> int:
    """Assignments and submitted sheets for `plan`: (entry, judges, a recused judge or None).
    Points in half points, from the entry's quality and the judge's leniency. Returns sheets."""
    next_assignment = _next_id(Assignment)
    next_sheet = _next_id(ScoreSheet)
    span = (scored_to - scored_from).total_seconds()
    assignments, sheets, scores = [], [], []
    for entry_id, judges, recused in plan:
        for judge in [*judges, *([recused] if recused else [])]:
            assignment_id = next_assignment
            next_assignment += 1
            withdrew = judge == recused
            assignments.append(
                {
                    "id": assignment_id,
                    "round_id": round_id,
                    "entry_id": entry_id,
                    "judge_id": judge,
                    "source": AssignmentSource.AUTOMATIC,
                    "created_at": assigned_at,
                    "created_by_id": organiser_id,
                    "recused_at": assigned_at + timedelta(days=3) if withdrew else None,
                    "recusal_reason": "Người thân trong gia đình." if withdrew else None,
                }
            )
            if withdrew:
                continue
            submitted = scored_from + timedelta(seconds=span * rng.random())
            sheets.append(
                {
                    "id": next_sheet,
                    "assignment_id": assignment_id,
                    "round_id": round_id,
                    "status": SheetStatus.SUBMITTED,
                    "comment": "",
                    "feedback": rng.choice(FEEDBACK),
                    "imported": False,
                    "created_at": submitted - timedelta(minutes=rng.randrange(5, 90)),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "version": 2,
                }
            )
            for c in criteria:
                share = quality[entry_id] + leniency[judge] + rng.gauss(0, noise)
                points = round(c.max_points * max(0.0, min(1.0, share)) * 2) / 2
                scores.append({"sheet_id": next_sheet, "criterion_id": c.id, "points": points})
            next_sheet += 1
    _insert(Assignment, assignments)
    _insert(ScoreSheet, sheets)
    _insert(Score, scores)
    _move_sequences("judge_assignment", "score_sheet")
    return len(sheets)


def _judged_round(
    rng: random.Random,
    *,
    organiser: User,
    province_id: int,
    entries: list[dict],
    names: list[str],
    judge_ids: list[int],
    now: datetime,
    size: int,
) -> dict:
    """The competition in judging: its first round, `size` entries × 5 judges, every sheet in."""
    closes = (now - timedelta(days=40)).replace(hour=3, minute=0, second=0, microsecond=0)
    opens = closes - timedelta(days=110)
    competition = _competition(
        organiser,
        province_id,
        JUDGED_PREFIX,
        title=JUDGED_TITLE.format(year=now.year),
        year=now.year,
        opens=opens,
        closes=closes,
    )
    chosen = sorted(rng.sample(range(len(entries)), min(size, len(entries))))
    entry_ids = _copied_entries(
        rng,
        competition,
        [entries[i] for i in chosen],
        [names[i] for i in chosen],
        status=EntryStatus.IN_JUDGING,
        opens=opens,
        closes=closes,
        organiser_id=organiser.id,
    )
    _invite(competition, judge_ids, organiser.id, closes + timedelta(days=2))
    first = competition.rounds[0]
    first.judges_per_entry = JUDGES_PER_ENTRY
    first.tie_break = ["social_impact", "feasibility"]
    first.scoring_started_at = closes + timedelta(days=13)
    first.scoring_closes_at = (now + timedelta(days=20)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    first.assignment_version = 1
    criteria = common.ensure_rubric(first)
    competition.status = CompetitionStatus.JUDGING
    competition.closed_at = closes
    db.session.commit()

    # Balanced: every 12 entries take each of the 60 judges once, in a new random order.
    plan = []
    order = list(judge_ids)
    for n, entry_id in enumerate(entry_ids):
        block = n % (JUDGES // JUDGES_PER_ENTRY)
        if block == 0:
            rng.shuffle(order)
        judges = order[block * JUDGES_PER_ENTRY : (block + 1) * JUDGES_PER_ENTRY]
        recused = None
        if n % 50 == 49:
            recused = rng.choice([j for j in judge_ids if j not in judges])
        plan.append((entry_id, judges, recused))
    sheets = _sheets(
        rng,
        first.id,
        criteria,
        plan,
        quality={e: rng.betavariate(4, 3) for e in entry_ids},
        leniency={j: rng.uniform(-0.12, 0.12) for j in judge_ids},
        noise=0.08,
        organiser_id=organiser.id,
        assigned_at=closes + timedelta(days=12),
        scored_from=closes + timedelta(days=13),
        scored_to=now - timedelta(hours=2),
    )
    db.session.commit()
    return {
        "competition_id": competition.id,
        "round_id": first.id,
        "entries": len(entry_ids),
        "sheets": sheets,
    }


def _finished_competition(
    rng: random.Random,
    *,
    organiser: User,
    second: User,
    province: Unit,
    entries: list[dict],
    names: list[str],
    judge_ids: list[int],
    now: datetime,
) -> dict:
    """Last year's competition, judged in two rounds and its prizes published, by the services."""
    year = now.year - 1
    closes = (now - timedelta(days=430)).replace(hour=3, minute=0, second=0, microsecond=0)
    opens = closes - timedelta(days=90)
    competition = _competition(
        organiser,
        province.id,
        competition_services.default_prefix(province),
        title=FINISHED_TITLE.format(year=year),
        year=year,
        opens=opens,
        closes=closes,
    )
    chosen = sorted(rng.sample(range(len(entries)), min(FINISHED_ENTRIES, len(entries))))
    entry_ids = _copied_entries(
        rng,
        competition,
        [entries[i] for i in chosen],
        [names[i] for i in chosen],
        status=EntryStatus.IN_JUDGING,
        opens=opens,
        closes=closes,
        organiser_id=organiser.id,
    )
    judges = judge_ids[:FINISHED_JUDGES]
    _invite(competition, judges, organiser.id, closes + timedelta(days=2))
    first, final = competition.rounds
    for round_ in (first, final):
        round_.judges_per_entry = FINISHED_JUDGES
        round_.tie_break = ["social_impact", "feasibility"]
    competition.status = CompetitionStatus.JUDGING
    competition.closed_at = closes
    criteria = common.ensure_rubric(first)
    final_criteria = common.ensure_rubric(final)
    db.session.commit()

    # Every judge scores every entry; the qualities are far enough apart that no two entries
    # tie (a tie at the cut would carry more than 12 into the final, at a prize boundary it
    # would need a written decision).
    leniency = {j: rng.choice([-0.05, 0.0, 0.05]) for j in judges}
    shuffled = rng.sample(entry_ids, len(entry_ids))
    quality = {e: 0.95 - 0.031 * rank for rank, e in enumerate(shuffled)}
    first.scoring_started_at = closes + timedelta(days=10)
    db.session.commit()
    sheets = _sheets(
        rng,
        first.id,
        criteria,
        [(e, judges, None) for e in entry_ids],
        quality=quality,
        leniency=leniency,
        noise=0.0,
        organiser_id=organiser.id,
        assigned_at=closes + timedelta(days=9),
        scored_from=closes + timedelta(days=10),
        scored_to=closes + timedelta(days=40),
    )
    db.session.commit()
    ranking.finalise(
        organiser, first, accept_missing=False, seen_version=first.ranking_version, now=now
    )
    plan = advancing.advance(organiser, first, top=FINALISTS, now=now)
    finalists = [r.entry_id for r in plan.advancing]
    # The finalists are judged again in the final (in judging once assigned, as the app does).
    db.session.execute(
        sa.update(Entry).where(Entry.id.in_(finalists)).values(status=EntryStatus.IN_JUDGING)
    )
    final.scoring_started_at = closes + timedelta(days=71)
    db.session.commit()
    order = rng.sample(finalists, len(finalists))
    sheets += _sheets(
        rng,
        final.id,
        final_criteria,
        [(e, judges, None) for e in finalists],
        quality={e: 0.95 - 0.06 * rank for rank, e in enumerate(order)},
        leniency=leniency,
        noise=0.0,
        organiser_id=organiser.id,
        assigned_at=closes + timedelta(days=70),
        scored_from=closes + timedelta(days=71),
        scored_to=closes + timedelta(days=72),
    )
    db.session.commit()
    ranking.finalise(
        organiser, final, accept_missing=False, seen_version=final.ranking_version, now=now
    )

    for name, count, cash, in_kind in PRIZES:
        prize_services.add_prize(
            organiser,
            competition,
            prize_services.PrizeData(
                name=name, prize_count=count, cash_value=cash, in_kind=in_kind
            ),
        )
    prize_services.add_prize(
        organiser,
        competition,
        prize_services.PrizeData(
            name=SPECIAL_PRIZE,
            prize_count=1,
            cash_value=5_000_000,
            kind=PrizeKind.SPECIAL,
            rule={"ethnic_minority": True},
        ),
    )
    prize_services.set_special_with_tier(organiser, competition, True)
    decision_services.start_from_proposal(organiser, competition, now=now)
    decision_services.finalise(organiser, competition, now=now)
    decision_services.approve(second, competition, now=now)
    published = publication_services.publish(organiser, competition, now=now)
    return {
        "competition_id": competition.id,
        "final_round_id": final.id,
        "entries": len(entry_ids),
        "finalists": len(finalists),
        "sheets": sheets,
        "awards": published.certificates,
    }


def generate_judging(
    rng: random.Random,
    *,
    organiser: User,
    province: Unit,
    entries: list[dict],
    names: list[str],
    name: Callable[[], str],
    password_hash: str,
    now: datetime,
    round_size: int = ROUND_ENTRIES,
) -> dict:
    """Judges, a competition in judging with its large round, and a finished competition with
    its awards published. `entries` are the rows of the open competition, `names` their
    applicants' names; `name()` gives a new woman's name."""
    province_id = province.id
    judge_ids = _judges(rng, name, password_hash=password_hash, province_id=province_id, now=now)
    second = User(
        email=SECOND_ORGANISER_EMAIL,
        full_name="Quàng Thị Lan",
        language="vi",
        confirmed_at=now - timedelta(days=500),
        province_id=province_id,
    )
    second.password_hash = password_hash
    second.roles.append(RoleGrant(role=Role.ORGANISER, unit_id=province_id))
    db.session.add(second)
    db.session.commit()
    judged = _judged_round(
        rng,
        organiser=organiser,
        province_id=province_id,
        entries=entries,
        names=names,
        judge_ids=judge_ids,
        now=now,
        size=round_size,
    )
    finished = _finished_competition(
        rng,
        organiser=organiser,
        second=second,
        province=province,
        entries=entries,
        names=names,
        judge_ids=judge_ids,
        now=now,
    )
    return {"judges": len(judge_ids), "judged": judged, "finished": finished}
