"""Setting a round up for judging: its rubric, its settings, and the competition's judges.

Every function checks that the actor may manage the round or competition, writes the audit log
and commits; a refusal is a DomainError whose message the person reads.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.auth import services as auth_services
from portal.auth.models import Role, RoleGrant, User
from portal.competitions.models import Competition, Round
from portal.competitions.services import may_manage_competition
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.urls import external_url
from portal.extensions import db
from portal.judging.common import criteria_of, ensure_rubric, may_manage_round, ranking_changed
from portal.judging.models import (
    DEFAULT_RUBRIC,
    Assignment,
    CompetitionJudge,
    RankBy,
    RubricCriterion,
    Score,
    ScoreSheet,
    SheetStatus,
)
from portal.units.models import Unit

CODE = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_CRITERIA = 20
MAX_JUDGES_PER_ENTRY = 15
# The settings the ranking is computed with (results.services.compute).
RANKED_BY = ("judges_per_entry", "rank_by", "tie_break", "disagreement_threshold")


def _check_manager(actor: User, round_: Round) -> None:
    if not may_manage_round(actor, round_):
        raise DomainError(_l("You cannot manage judging in this competition."))


def _check_unlocked(round_: Round) -> None:
    if round_.settings_locked:
        raise DomainError(
            _l(
                "Scoring in this round has started: its rubric and settings can no longer "
                "be changed."
            )
        )


# --- Rubric -------------------------------------------------------------------------------------


@dataclass
class CriterionData:
    code: str
    label: str = ""
    description: str = ""
    max_points: int | None = None
    weight: float | None = None


def _criterion_snapshot(criteria: list[RubricCriterion]) -> list[dict]:
    return [
        {
            "code": c.code,
            "label": c.label,
            "description": c.description,
            "max_points": c.max_points,
            "weight": c.weight,
        }
        for c in criteria
    ]


def check_rubric(criteria: list[CriterionData]) -> None:
    """Refuse a rubric that could not be scored: the first problem, named by its row."""
    if not criteria:
        raise DomainError(_l("A rubric needs at least one criterion."))
    if len(criteria) > MAX_CRITERIA:
        raise DomainError(_l("A rubric has at most %(num)d criteria.", num=MAX_CRITERIA))
    seen: set[str] = set()
    for number, item in enumerate(criteria, start=1):
        if not CODE.match(item.code or ""):
            raise DomainError(
                _l(
                    "Criterion %(num)d: the code is 1 to 32 lower-case letters, digits or "
                    "underscores, for example market_fit.",
                    num=number,
                )
            )
        if item.code in seen:
            raise DomainError(
                _l(
                    "Criterion %(num)d: the code %(code)s is used twice.",
                    num=number,
                    code=item.code,
                )
            )
        seen.add(item.code)
        if not item.label.strip() and item.code not in DEFAULT_RUBRIC:
            raise DomainError(_l("Criterion %(num)d: give it a label.", num=number))
        if item.max_points is None or not 1 <= item.max_points <= 1000:
            raise DomainError(
                _l("Criterion %(num)d: the maximum is a whole number from 1 to 1000.", num=number)
            )
        if item.weight is None or not 0 < item.weight <= 100:
            raise DomainError(
                _l("Criterion %(num)d: the weight is a number above 0, at most 100.", num=number)
            )


def save_rubric(actor: User, round_: Round, criteria: list[CriterionData]) -> None:
    """Replace the round's rubric with `criteria`, in their order, while scoring has not started.

    A criterion keeps its row (and id) when its code stays; a default criterion whose label and
    description are left as offered keeps them empty, so each person reads them in her language.
    """
    _check_manager(actor, round_)
    _check_unlocked(round_)
    check_rubric(criteria)
    existing = {c.code: c for c in ensure_rubric(round_)}
    before = _criterion_snapshot(sorted(existing.values(), key=lambda c: c.position))
    wanted = {item.code for item in criteria}
    removed = [c for code, c in existing.items() if code not in wanted]
    if removed:
        # Only empty draft scores can point at them: scoring has not started.
        db.session.execute(sa.delete(Score).where(Score.criterion_id.in_([c.id for c in removed])))
        for criterion in removed:
            db.session.delete(criterion)
        db.session.flush()
    # Positions are unique per round only by convention; move the kept rows out of the way first.
    for position, item in enumerate(criteria):
        criterion = existing.get(item.code)
        if criterion is None:
            criterion = RubricCriterion(round_id=round_.id, code=item.code)
            db.session.add(criterion)
        label, description = item.label.strip(), item.description.strip()
        if item.code in DEFAULT_RUBRIC:
            default_label, default_description = DEFAULT_RUBRIC[item.code][:2]
            if label == str(default_label):
                label = ""
            if description == str(default_description):
                description = ""
        criterion.position = position
        criterion.label = label
        criterion.description = description
        criterion.max_points = item.max_points
        criterion.weight = float(item.weight)
    round_.tie_break = [code for code in (round_.tie_break or []) if code in wanted]
    ranking_changed(round_id=round_.id)
    db.session.flush()
    audit.record(
        "rubric.saved",
        actor_id=actor.id,
        object_type="competition_round",
        object_id=round_.id,
        before={"criteria": before},
        after={"criteria": _criterion_snapshot(criteria_of(round_))},
    )
    db.session.commit()


# --- Round settings -----------------------------------------------------------------------------


@dataclass
class RoundSettingsData:
    judges_per_entry: int
    blind: bool
    rank_by: str
    tie_break: list[str] = field(default_factory=list)
    disagreement_threshold: float = 20.0
    scoring_closes_at: datetime | None = None  # UTC


def settings_snapshot(round_: Round) -> dict:
    return {
        "judges_per_entry": round_.judges_per_entry,
        "blind": round_.blind,
        "rank_by": round_.rank_by,
        "tie_break": list(round_.tie_break or []),
        "disagreement_threshold": round_.disagreement_threshold,
        "scoring_closes_at": round_.scoring_closes_at.isoformat()
        if round_.scoring_closes_at
        else None,
    }


def save_round_settings(actor: User, round_: Round, data: RoundSettingsData) -> None:
    _check_manager(actor, round_)
    _check_unlocked(round_)
    if not 1 <= data.judges_per_entry <= MAX_JUDGES_PER_ENTRY:
        raise DomainError(
            _l("Choose from 1 to %(num)d judges per entry.", num=MAX_JUDGES_PER_ENTRY),
            field="judges_per_entry",
        )
    if data.rank_by not in {r.value for r in RankBy}:
        raise DomainError(_l("Choose the score that ranks the entries."), field="rank_by")
    if not 0 < data.disagreement_threshold <= 100:
        raise DomainError(
            _l("The disagreement threshold is a number of points above 0, at most 100."),
            field="disagreement_threshold",
        )
    codes = {c.code for c in ensure_rubric(round_)}
    tie_break = [code for code in data.tie_break if code]
    if len(set(tie_break)) != len(tie_break):
        raise DomainError(
            _l("Name each criterion at most once in the tie-break."), field="tie_break"
        )
    unknown = [code for code in tie_break if code not in codes]
    if unknown:
        raise DomainError(
            _l(
                "The tie-break names criteria the rubric does not have: %(codes)s.",
                codes=", ".join(unknown),
            ),
            field="tie_break",
        )
    if data.scoring_closes_at is not None and data.scoring_closes_at <= round_.closes_at:
        raise DomainError(
            _l("The judges' deadline must come after entries close."), field="scoring_closes_at"
        )
    before = settings_snapshot(round_)
    round_.judges_per_entry = data.judges_per_entry
    round_.blind = data.blind
    round_.rank_by = data.rank_by
    round_.tie_break = tie_break
    round_.disagreement_threshold = float(data.disagreement_threshold)
    round_.scoring_closes_at = data.scoring_closes_at
    after = settings_snapshot(round_)
    if any(before[name] != after[name] for name in RANKED_BY):
        ranking_changed(round_id=round_.id)
    if after != before:
        audit.record(
            "round.judging_settings",
            actor_id=actor.id,
            object_type="competition_round",
            object_id=round_.id,
            before=before,
            after=after,
        )
    db.session.commit()


# --- The competition's judges -------------------------------------------------------------------


def _check_competition(actor: User, competition: Competition) -> None:
    if not may_manage_competition(actor, competition):
        raise DomainError(_l("You cannot manage judging in this competition."))


def organises(user: User | None, competition: Competition) -> bool:
    """She manages the competition (its unit's or a parent unit's organiser, or an admin), so she
    sees every applicant's name."""
    return user is not None and may_manage_competition(user, competition)


def blind_rounds(competition: Competition) -> list[Round]:
    return [r for r in competition.rounds if r.blind]


def add_judge(
    actor: User, competition: Competition, email: str, *, language: str, ip: str | None = None
) -> CompetitionJudge:
    """Add a judge to the competition by e-mail.

    With an account, she is linked at once, given the judge's role if she lacks it, and told by
    mail; without one, she gets an invitation (role judge, the competition's unit) and her row
    waits, by e-mail, until she accepts it.
    """
    _check_competition(actor, competition)
    email = auth_services.normalise_email(email or "")
    if not email or "@" not in email or len(email) > 254:
        raise DomainError(_l("Enter an e-mail address like name@example.com."), field="email")
    exists = db.session.scalar(
        sa.select(CompetitionJudge).where(
            CompetitionJudge.competition_id == competition.id,
            sa.func.lower(CompetitionJudge.email) == email,
        )
    )
    if exists is not None:
        raise DomainError(
            _l("%(email)s is already a judge of this competition.", email=email), field="email"
        )
    account = auth_services.find_user(email)
    if account is not None and organises(account, competition) and blind_rounds(competition):
        # An organiser sees every applicant's name: judging blind would be blind in name only.
        raise DomainError(
            _l(
                "%(email)s organises this competition and sees every applicant's name: she "
                "cannot judge it, since it has a round judged without names (%(rounds)s).",
                email=email,
                rounds=", ".join(r.name for r in blind_rounds(competition)),
            ),
            field="email",
        )
    row = CompetitionJudge(
        competition_id=competition.id,
        email=email,
        user_id=account.id if account else None,
        invited_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "judge.added",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        after={"email": email, "user_id": row.user_id},
        ip=ip,
    )
    if account is None:
        try:
            auth_services.create_invitation(
                actor,
                email=email,
                role=Role.JUDGE,
                unit_id=competition.unit_id,
                language=language,
                ip=ip,
            )
        except DomainError:
            db.session.rollback()
            raise
        db.session.commit()  # the judge's row with her invitation
        return row
    if not account.has_role(Role.JUDGE):
        grant = RoleGrant(role=Role.JUDGE, unit_id=None, granted_by_id=actor.id)
        account.roles.append(grant)
        db.session.flush()
        audit.record(
            "role.granted",
            actor_id=actor.id,
            object_type="user",
            object_id=account.id,
            after=grant.describe(),
            ip=ip,
        )
    queue_mail(
        account.email,
        "judge_added",
        account.language,
        _l("You are a judge of %(competition)s", competition=competition.title),
        user=account,
        competition=competition,
        inviter=actor,
        judging_url=external_url("judging.declaration", competition_id=competition.id),
    )
    db.session.commit()
    return row


def submitted_sheets(judge: CompetitionJudge) -> int:
    if judge.user_id is None:
        return 0
    round_ids = [r.id for r in judge.competition.rounds]
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ScoreSheet)
        .join(Assignment, Assignment.id == ScoreSheet.assignment_id)
        .where(
            Assignment.judge_id == judge.user_id,
            Assignment.round_id.in_(round_ids),
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    )


def remove_judge(actor: User, judge: CompetitionJudge, ip: str | None = None) -> None:
    """Take a judge off the competition, with her assignments, unless she submitted a sheet.

    Her recused assignments stay, for the record; her draft sheets go with their assignments.
    """
    competition = judge.competition
    _check_competition(actor, competition)
    if submitted_sheets(judge):
        raise DomainError(
            _l(
                "%(name)s has submitted score sheets in this competition: she stays a judge of it.",
                name=judge.name,
            )
        )
    removed = 0
    if judge.user_id is not None:
        round_ids = [r.id for r in competition.rounds]
        active = list(
            db.session.scalars(
                sa.select(Assignment).where(
                    Assignment.judge_id == judge.user_id,
                    Assignment.round_id.in_(round_ids),
                    Assignment.recused_at.is_(None),
                )
            )
        )
        for assignment in active:
            if assignment.sheet is not None:
                db.session.delete(assignment.sheet)
            db.session.delete(assignment)
        removed = len(active)
        if active:
            db.session.execute(
                sa.update(Round)
                .where(Round.id.in_({a.round_id for a in active}))
                .values(assignment_version=Round.assignment_version + 1)
            )
    audit.record(
        "judge.removed",
        actor_id=actor.id,
        object_type="competition",
        object_id=competition.id,
        before={"email": judge.email, "user_id": judge.user_id, "assignments": removed},
        ip=ip,
    )
    db.session.delete(judge)
    db.session.commit()


@dataclass
class JudgeRow:
    judge: CompetitionJudge
    assignable: bool  # an account with the judge's role
    expertise: list[str]  # category names
    conflict_people: list[str]
    conflict_communes: list[str]
    conflict_organisations: list[str]
    loads: dict[int, int]  # round id → active assignments
    submitted: int
    organiser: bool = False  # she organises the competition: flagged, kept off blind rounds


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def judge_rows(competition: Competition) -> list[JudgeRow]:
    """The panel: every judge with her declaration and load per round, in a few queries."""
    judges = list(
        db.session.scalars(
            sa.select(CompetitionJudge)
            .where(CompetitionJudge.competition_id == competition.id)
            .options(selectinload(CompetitionJudge.user))
            .order_by(CompetitionJudge.invited_at, CompetitionJudge.id)
        )
    )
    round_ids = [r.id for r in competition.rounds]
    user_ids = [j.user_id for j in judges if j.user_id is not None]
    loads: dict[int, dict[int, int]] = defaultdict(dict)
    submitted: dict[int, int] = defaultdict(int)
    if user_ids:
        for judge_id, round_id, count in db.session.execute(
            sa.select(Assignment.judge_id, Assignment.round_id, sa.func.count())
            .where(
                Assignment.round_id.in_(round_ids),
                Assignment.judge_id.in_(user_ids),
                Assignment.recused_at.is_(None),
            )
            .group_by(Assignment.judge_id, Assignment.round_id)
        ):
            loads[judge_id][round_id] = count
        for judge_id, count in db.session.execute(
            sa.select(Assignment.judge_id, sa.func.count())
            .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
            .where(
                Assignment.round_id.in_(round_ids),
                Assignment.judge_id.in_(user_ids),
                ScoreSheet.status == SheetStatus.SUBMITTED,
            )
            .group_by(Assignment.judge_id)
        ):
            submitted[judge_id] = count
    commune_ids = {int(c) for j in judges for c in (j.conflict_commune_ids or [])}
    communes = (
        {u.id: u.name for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(commune_ids)))}
        if commune_ids
        else {}
    )
    categories = {str(c.id): c.name for c in competition.categories}
    return [
        JudgeRow(
            judge=j,
            assignable=j.user is not None and j.user.has_role(Role.JUDGE),
            expertise=[categories[str(c)] for c in (j.expertise or []) if str(c) in categories],
            conflict_people=lines(j.conflict_people),
            conflict_communes=[
                communes.get(int(c), str(c)) for c in (j.conflict_commune_ids or [])
            ],
            conflict_organisations=lines(j.conflict_organisations),
            loads=loads.get(j.user_id, {}) if j.user_id else {},
            submitted=submitted.get(j.user_id, 0) if j.user_id else 0,
            organiser=organises(j.user, competition),
        )
        for j in judges
    ]
