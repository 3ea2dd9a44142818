"""The judges' side of judging: her dashboard, her declaration, her score sheets, her recusal.

Rules:

- A judge reads and writes only her own sheet, reached through her active assignment; no other
  judge's sheet is ever loaded here.
- Every change of points goes through `common.record_scores` (it fixes the round's rubric at the
  first score and writes the audit row).
- A draft may leave criteria empty; a submission needs every criterion, each 0 ≤ p ≤ max in halves.
- A submitted sheet may be changed (submitted again) until the round closes; it is never turned
  back into a draft by "Save draft".
- After the round closes (`common.scoring_open` false) nothing is submitted. What she typed is
  kept as a draft when her sheet was not submitted (so the organisers can see it, and she can
  submit it if they extend the deadline); a submitted sheet is left exactly as it was.
- One sheet per assignment (unique in the database): a concurrent second insert fails, the work
  is done again against the sheet the first request wrote; submitting the same values again is
  a success that changes nothing.
- Recusal is allowed until the results are final, even after she submitted: her draft is deleted,
  a submitted sheet stays for the record but no longer counts (results read only the sheets of
  active assignments). The organisers of the competition's unit and its province are told by mail.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.models import Role, RoleGrant, User
from portal.competitions.models import Competition, Round
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.outbox import queue_mail
from portal.core.pages import Page, shown_page
from portal.core.urls import external_url
from portal.entries.models import Entry, EntryStatus
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    Assignment,
    CompetitionJudge,
    RubricCriterion,
    ScoreSheet,
    SheetStatus,
)
from portal.units.models import Unit
from portal.units.services import communes_of

PEOPLE_MAX = 5_000
ORGANISATIONS_MAX = 5_000
LINE_MAX = 200

# Entries no judge may score any more.
CLOSED_ENTRY_STATES = {EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE}


# --- Dashboard --------------------------------------------------------------------------------


class EntryState(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECUSED = "recused"

    @property
    def label(self) -> str:
        return str(ENTRY_STATE_LABELS[self])


ENTRY_STATE_LABELS = {
    EntryState.NOT_STARTED: _l("Not started"),
    EntryState.DRAFT: _l("Draft"),
    EntryState.SUBMITTED: _l("Submitted"),
    EntryState.RECUSED: _l("Recused"),
}


def state_of(assignment: Assignment) -> EntryState:
    if assignment.recused_at is not None:
        return EntryState.RECUSED
    sheet = assignment.sheet
    if sheet is None:
        return EntryState.NOT_STARTED
    return EntryState.SUBMITTED if sheet.status is SheetStatus.SUBMITTED else EntryState.DRAFT


# Her work in the order she does it: the sheets she began, those not begun, then what is done.
TO_DO_FIRST = [EntryState.DRAFT, EntryState.NOT_STARTED, EntryState.SUBMITTED, EntryState.RECUSED]
# The entries of a round shown on her dashboard; the others are a click away, a page at a time.
PREVIEW = 10
PER_PAGE = 50


@dataclass
class AssignedEntry:
    """An entry on her list, read as columns: what the line shows."""

    entry_id: int
    reference: str | None
    title: str | None
    state: EntryState


@dataclass
class RoundWork:
    round: Round
    open: bool
    counts: dict[EntryState, int]  # her entries of the round by state
    entries: list[AssignedEntry] = field(default_factory=list)  # the first PREVIEW, to do first

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def assigned(self) -> int:
        return self.total - self.counts.get(EntryState.RECUSED, 0)

    @property
    def submitted(self) -> int:
        return self.counts.get(EntryState.SUBMITTED, 0)


@dataclass
class CompetitionWork:
    competition: Competition
    record: CompetitionJudge | None
    rounds: list[RoundWork] = field(default_factory=list)


def link_account(user: User) -> int:
    """Give her account to the invitations sent to her e-mail before she had one (or under it).

    Returns how many were linked; the caller commits.
    """
    if not user.email:
        return 0  # an account by phone number alone: no invitation can be hers
    records = db.session.scalars(
        sa.select(CompetitionJudge).where(
            CompetitionJudge.user_id.is_(None),
            sa.func.lower(CompetitionJudge.email) == user.email.lower(),
        )
    ).all()
    for record in records:
        record.user_id = user.id
        audit.record(
            "judge.account_linked",
            actor_id=user.id,
            object_type="competition_judge",
            object_id=record.id,
            before={"user_id": None},
            after={"user_id": user.id},
        )
    return len(records)


def _hers(judge: User) -> sa.Subquery:
    """Her assignments (round_id, entry_id) with the state of each (`state_of` in SQL).

    Her sheet is read by its assignment, one index lookup a line: outer-joined, PostgreSQL read
    every sheet of the round to hash them (50,000 for a 10,000-entry round, 18 ms), whatever
    the number of hers."""
    sheet = (
        sa.select(
            sa.case(
                (ScoreSheet.status == SheetStatus.SUBMITTED, EntryState.SUBMITTED.value),
                else_=EntryState.DRAFT.value,
            )
        )
        .where(ScoreSheet.assignment_id == Assignment.id)
        .scalar_subquery()
    )
    state = sa.case(
        (Assignment.recused_at.is_not(None), EntryState.RECUSED.value),
        else_=sa.func.coalesce(sheet, EntryState.NOT_STARTED.value),
    )
    return (
        sa.select(Assignment.round_id, Assignment.entry_id, state.label("state"))
        .where(Assignment.judge_id == judge.id)
        .subquery("hers")
    )


def _work_order(hers: sa.Subquery) -> sa.Case:
    return sa.case({state.value: n for n, state in enumerate(TO_DO_FIRST)}, value=hers.c.state)


def _counts(judge: User) -> dict[int, dict[EntryState, int]]:
    """Her entries by round and state, counted in the database."""
    hers = _hers(judge)
    rows = db.session.execute(
        sa.select(hers.c.round_id, hers.c.state, sa.func.count()).group_by(
            hers.c.round_id, hers.c.state
        )
    )
    counts: dict[int, dict[EntryState, int]] = {}
    for round_id, value, count in rows:
        counts.setdefault(round_id, {})[EntryState(value)] = count
    return counts


def _listed(hers: sa.Subquery) -> sa.Select:
    return sa.select(hers.c.round_id, Entry.id, Entry.reference, Entry.title, hers.c.state).join(
        Entry, Entry.id == hers.c.entry_id
    )


# The dashboard shows a competition's title, unit and status: not its categories and rounds,
# which a competition otherwise loads with it.
COMPETITION_ONLY = (sa.orm.lazyload(Competition.categories), sa.orm.lazyload(Competition.rounds))


def dashboard(judge: User, now: datetime) -> list[CompetitionWork]:
    """Her competitions (invited or assigned), each with the rounds where she has entries: how
    many in each state, and the first PREVIEW to do.

    Four queries whatever the number of entries: her invitations, her rounds, her entries
    counted by round and state, and the first entries of each round (numbered in the
    database). A judge with 800 entries in a round gets the same page as one with ten.
    """
    records = db.session.scalars(
        sa.select(CompetitionJudge)
        .options(joinedload(CompetitionJudge.competition).options(*COMPETITION_ONLY))
        .where(CompetitionJudge.user_id == judge.id)
    ).all()
    counts = _counts(judge)
    rounds = db.session.scalars(
        sa.select(Round)
        .options(joinedload(Round.competition).options(*COMPETITION_ONLY))
        .where(Round.id.in_(sorted(counts)))
    ).all()
    hers = _hers(judge)
    number = (
        sa.func.row_number()
        .over(
            partition_by=hers.c.round_id,
            order_by=(_work_order(hers), Entry.reference, Entry.id),
        )
        .label("number")
    )
    first = _listed(hers).add_columns(number).subquery()
    previews: dict[int, list[AssignedEntry]] = {}
    for row in db.session.execute(
        sa.select(first).where(first.c.number <= PREVIEW).order_by(first.c.number)
    ):
        previews.setdefault(row.round_id, []).append(
            AssignedEntry(row.id, row.reference, row.title, EntryState(row.state))
        )
    by_competition: dict[int, CompetitionWork] = {}
    for record in records:
        by_competition[record.competition_id] = CompetitionWork(record.competition, record)
    for round_ in sorted(rounds, key=lambda r: r.position):
        work = by_competition.setdefault(
            round_.competition_id, CompetitionWork(round_.competition, None)
        )
        work.rounds.append(
            RoundWork(
                round_,
                common.scoring_open(round_, now),
                counts[round_.id],
                previews.get(round_.id, []),
            )
        )
    result = list(by_competition.values())
    # Work to do first, then the newest competitions.
    result.sort(key=lambda w: (not w.rounds, -w.competition.year, -w.competition.id))
    return result


@dataclass
class RoundList:
    """Her entries of one round in a state (or all), a page of them."""

    work: RoundWork
    state: EntryState | None  # the state shown, or every state
    page: Page


def round_list(
    judge: User, round_: Round, state: EntryState | None, page: int, now: datetime
) -> RoundList | None:
    """Her entries of the round in the state asked (or all), to do first, one page of them;
    None when she has none in this round. Two queries: the counts, the page."""
    counts = _counts(judge).get(round_.id)
    if not counts:
        return None
    total = counts.get(state, 0) if state else sum(counts.values())
    page = shown_page(page, total, PER_PAGE)
    hers = _hers(judge)
    query = _listed(hers).where(hers.c.round_id == round_.id)
    if state:
        query = query.where(hers.c.state == state.value)
    rows = db.session.execute(
        query.order_by(_work_order(hers), Entry.reference, Entry.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    items = [AssignedEntry(r.id, r.reference, r.title, EntryState(r.state)) for r in rows]
    work = RoundWork(round_, common.scoring_open(round_, now), counts)
    return RoundList(work, state, Page(items, page, PER_PAGE, total))


# --- Declaration ------------------------------------------------------------------------------


@dataclass
class Declaration:
    expertise: list[int]
    conflict_people: str
    conflict_commune_ids: list[int]
    conflict_organisations: str


def commune_choices(competition: Competition) -> list[Unit]:
    """The communes she may declare: those of the competition's province."""
    unit = competition.unit
    return communes_of(unit.province_id)


def _lines(text: str, field_name: str) -> str:
    """One name per line: trimmed, empty lines and repeats dropped."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if len(line) > LINE_MAX:
            raise DomainError(
                _l("Each line may hold at most %(max)d characters.", max=LINE_MAX),
                field=field_name,
            )
        if line.casefold() not in {s.casefold() for s in seen}:
            seen.append(line)
    return "\n".join(seen)


def declare(judge: User, record: CompetitionJudge, declaration: Declaration, now: datetime) -> None:
    """Save her expertise and conflicts, link the invitation to her account, audit; commits."""
    competition = record.competition
    category_ids = {c.id for c in competition.categories}
    if not set(declaration.expertise) <= category_ids:
        raise DomainError(_l("Choose categories of this competition."), field="expertise")
    commune_ids = {c.id for c in commune_choices(competition)}
    if not set(declaration.conflict_commune_ids) <= commune_ids:
        raise DomainError(
            _l("Choose communes of the competition's province."), field="conflict_communes"
        )
    people = _lines(declaration.conflict_people, "conflict_people")
    organisations = _lines(declaration.conflict_organisations, "conflict_organisations")
    before = _declaration_state(record)
    if record.user_id is None:
        record.user_id = judge.id
    record.expertise = sorted(set(declaration.expertise))
    record.conflict_people = people
    record.conflict_commune_ids = sorted(set(declaration.conflict_commune_ids))
    record.conflict_organisations = organisations
    record.declared_at = now
    audit.record(
        "judge.declared",
        actor_id=judge.id,
        object_type="competition_judge",
        object_id=record.id,
        before=before,
        after=_declaration_state(record),
    )
    db.session.commit()


def _declaration_state(record: CompetitionJudge) -> dict:
    return {
        "user_id": record.user_id,
        "expertise": list(record.expertise or []),
        "conflict_people": record.conflict_people or "",
        "conflict_commune_ids": list(record.conflict_commune_ids or []),
        "conflict_organisations": record.conflict_organisations or "",
        "declared_at": record.declared_at.isoformat() if record.declared_at else None,
    }


# --- Score sheets -----------------------------------------------------------------------------


@dataclass
class SheetInput:
    """What she typed: criterion id → points (None for empty), her comment and feedback."""

    points: dict[int, float | None]
    comment: str = ""
    feedback: str = ""


class Outcome(enum.StrEnum):
    DRAFT_SAVED = "draft_saved"
    SUBMITTED = "submitted"
    UNCHANGED = "unchanged"  # the same scores submitted again (a double click, a re-sent form)


class ScoresInvalid(DomainError):
    """Some points were refused; `errors` maps a criterion id to its message."""

    def __init__(self, errors: dict[int, str]):
        super().__init__(_l("Please correct the scores marked below."))
        self.errors = errors


class StaleSheet(DomainError):
    """Her sheet changed since this form was opened (another tab, another device)."""

    status = 409  # the sheet changed since the form was shown


STALE_SHEET = _l(
    "Your scores for this entry were changed in another window or on another device after you "
    "opened this page. What you typed below has not been saved: copy what you need, then "
    "reload the page."
)


def sheet_version(assignment: Assignment) -> int:
    """The version a score form carries: her sheet's, or 0 before she has one."""
    sheet = own_sheet(assignment)
    return sheet.version if sheet is not None else 0


class ScoringClosed(DomainError):
    """The round no longer takes scores; `draft_kept` tells whether what she typed was saved."""

    status = 409  # the round is no longer in the state the form was shown in

    def __init__(self, message, draft_kept: bool):
        super().__init__(message)
        self.draft_kept = draft_kept


def own_sheet(assignment: Assignment) -> ScoreSheet | None:
    """Her sheet for this assignment: the only sheet a judge's page ever loads."""
    return db.session.scalar(sa.select(ScoreSheet).where(ScoreSheet.assignment_id == assignment.id))


def check_points(
    criteria: list[RubricCriterion], points: dict[int, float | None], *, complete: bool
) -> dict[int, str]:
    """The criteria whose points are refused, with the reason."""
    errors: dict[int, str] = {}
    for criterion in criteria:
        value = points.get(criterion.id)
        if value is None:
            if complete:
                errors[criterion.id] = str(_l("Give points for this criterion."))
            continue
        if not 0 <= value <= criterion.max_points or value * 2 != int(value * 2):
            errors[criterion.id] = str(
                _l(
                    "Give between 0 and %(max)d points, in whole or half points.",
                    max=criterion.max_points,
                )
            )
    return errors


def _same(sheet: ScoreSheet, data: SheetInput) -> bool:
    return (
        sheet.points_by_criterion() == data.points
        and (sheet.comment or "") == data.comment
        and (sheet.feedback or "") == data.feedback
    )


def save_sheet(
    judge: User,
    assignment: Assignment,
    data: SheetInput,
    *,
    submit: bool,
    now: datetime,
    expected_version: int | None = None,
) -> Outcome:
    """Save her draft, or submit her scores; commits. Raises ScoresInvalid, ScoringClosed,
    StaleSheet or DomainError; a refused submission changes nothing (except after the deadline,
    see above).

    `expected_version` is the sheet's version when her form was opened (sheet_version()): a form
    opened before the sheet last changed is refused with StaleSheet, unless it says exactly what
    the sheet already says (the same form sent twice).
    """
    if assignment.judge_id != judge.id or assignment.recused_at is not None:
        raise DomainError(_l("You are not asked to score this entry."))
    if assignment.entry.status in CLOSED_ENTRY_STATES:
        raise DomainError(_l("This entry is no longer in the competition."))
    round_ = assignment.round
    criteria = common.criteria_of(round_)
    known = {c.id for c in criteria}
    points = {cid: value for cid, value in data.points.items() if cid in known}
    points.update({c.id: None for c in criteria if c.id not in points})
    data = SheetInput(points, (data.comment or "").strip(), (data.feedback or "").strip())
    errors = check_points(criteria, data.points, complete=False)
    if errors:
        raise ScoresInvalid(errors)

    if not common.scoring_open(round_, now):
        kept = _write_closed(judge, assignment, data, now, expected_version)
        raise ScoringClosed(
            _l(
                "The scoring of this round has closed: your scores can no longer be submitted. "
                "What you typed is kept as a draft; the organisers can see it."
            )
            if kept
            else _l(
                "The scoring of this round has closed: your scores can no longer be changed. "
                "Your scores as you submitted them are kept."
            ),
            draft_kept=kept,
        )
    if submit:
        errors = check_points(criteria, data.points, complete=True)
        if errors:
            raise ScoresInvalid(errors)
    return _retrying(
        lambda: _write(judge, assignment, data, submit=submit, now=now, expected=expected_version)
    )


def _retrying(work: Callable[[], Outcome]) -> Outcome:
    """Run `work` and commit; when a concurrent request wrote the same sheet first (inserted it,
    or changed it: its version moved), roll back and do it again against what that request
    wrote, which the version check then refuses unless it says the same."""
    try:
        outcome = work()
        db.session.commit()
        return outcome
    except (IntegrityError, StaleDataError):
        db.session.rollback()
    outcome = work()
    db.session.commit()
    return outcome


def _sheet_for_writing(assignment: Assignment) -> ScoreSheet:
    sheet = own_sheet(assignment)
    if sheet is None:
        sheet = ScoreSheet(
            assignment_id=assignment.id,
            round_id=assignment.round_id,
            status=SheetStatus.DRAFT,
        )
        db.session.add(sheet)
    return sheet


def _check_version(sheet: ScoreSheet, data: SheetInput, expected: int | None, submit: bool) -> bool:
    """True when the form is current; False for the same form again; StaleSheet otherwise."""
    current = sheet.version if sheet.id is not None else 0
    if expected is None or expected == current:
        return True
    sent_again = sheet.id is not None and _same(sheet, data)
    if sent_again and (not submit or sheet.status is SheetStatus.SUBMITTED):
        return False
    raise StaleSheet(STALE_SHEET)


def _write(
    judge: User,
    assignment: Assignment,
    data: SheetInput,
    *,
    submit: bool,
    now: datetime,
    expected: int | None = None,
) -> Outcome:
    sheet = _sheet_for_writing(assignment)
    if not _check_version(sheet, data, expected, submit):
        return Outcome.UNCHANGED
    if sheet.status is SheetStatus.SUBMITTED:
        if not submit:
            raise DomainError(
                _l(
                    "Your scores are already submitted. To change them, press "
                    "“Submit scores” again."
                )
            )
        if _same(sheet, data):
            return Outcome.UNCHANGED
    sheet.comment = data.comment
    sheet.feedback = data.feedback
    if submit:
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
    common.record_scores(
        sheet,
        data.points,
        actor=judge,
        action="score_sheet.submitted" if submit else "score_sheet.draft_saved",
        now=now,
    )
    return Outcome.SUBMITTED if submit else Outcome.DRAFT_SAVED


def _write_closed(
    judge: User, assignment: Assignment, data: SheetInput, now: datetime, expected: int | None
) -> bool:
    """After the deadline: keep what she typed as a draft, unless her sheet is submitted or the
    results are final. True when it was kept."""
    if assignment.round.results_final_at is not None:
        return False
    existing = own_sheet(assignment)
    if existing is not None and existing.status is SheetStatus.SUBMITTED:
        return False

    def work() -> Outcome:
        sheet = _sheet_for_writing(assignment)
        if sheet.status is SheetStatus.SUBMITTED or not _check_version(
            sheet, data, expected, False
        ):
            return Outcome.UNCHANGED
        sheet.comment = data.comment
        sheet.feedback = data.feedback
        common.record_scores(
            sheet, data.points, actor=judge, action="score_sheet.draft_after_close", now=now
        )
        return Outcome.DRAFT_SAVED

    return _retrying(work) is Outcome.DRAFT_SAVED


# --- Recusal ----------------------------------------------------------------------------------


def organisers_of(competition: Competition) -> list[User]:
    """The active organisers of the competition's unit and of its province."""
    unit = competition.unit
    unit_ids = {unit.id, unit.province_id}
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(
                RoleGrant.role == Role.ORGANISER,
                RoleGrant.unit_id.in_(unit_ids),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def recuse(judge: User, assignment: Assignment, reason: str, now: datetime) -> None:
    """She steps down from an entry; the organisers are told it needs another judge. Commits."""
    if assignment.judge_id != judge.id:
        raise DomainError(_l("You are not asked to score this entry."))
    if assignment.recused_at is not None:
        raise DomainError(_l("You have already recused yourself from this entry."))
    round_ = assignment.round
    if round_.results_final_at is not None:
        raise DomainError(_l("The results of this round are final: recusal is no longer possible."))
    reason = (reason or "").strip()
    sheet = own_sheet(assignment)
    sheet_status = sheet.status.value if sheet is not None else None
    before = {"recused_at": None, "recusal_reason": None, "sheet": sheet_status}
    assignment.recused_at = now
    assignment.recusal_reason = reason or None
    round_.assignment_version = (round_.assignment_version or 0) + 1
    common.ranking_changed(round_id=round_.id)  # her sheet no longer counts; the entry is flagged
    kept = sheet_status
    if sheet is not None and sheet.status is SheetStatus.DRAFT:
        db.session.delete(sheet)
        kept = None
    audit.record(
        "assignment.recused",
        actor_id=judge.id,
        object_type="assignment",
        object_id=assignment.id,
        before=before,
        after={
            "recused_at": now.isoformat(),
            "recusal_reason": assignment.recusal_reason,
            "sheet": kept,  # a submitted sheet stays, for the record, and no longer counts
        },
    )
    entry = assignment.entry
    competition = round_.competition
    url = external_url("judging.round_overview", round_id=round_.id)
    for organiser in organisers_of(competition):
        queue_mail(
            organiser.email,
            "judge_recused",
            organiser.language,
            _l("A judge recused herself from entry %(reference)s", reference=entry.reference),
            user=organiser,
            judge=judge,
            entry=entry,
            round=round_,
            competition=competition,
            reason=assignment.recusal_reason,
            round_url=url,
        )
    db.session.commit()
