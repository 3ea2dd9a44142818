"""Publishing an approved awards decision: certificates, the winners' entries awarded, the
competition's results published, and one mail to every applicant of a judged entry."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.auth.messages import tell
from portal.auth.models import User
from portal.awards import common
from portal.awards.decision.services import (
    DecisionConflict,
    check_every_award,
    conflict,
    current_decision,
    refuse_entries_out_of_the_running,
    require_manager,
)
from portal.awards.decision.status import change_decision_status
from portal.awards.models import Award, DecisionStatus
from portal.competitions.models import Competition, CompetitionStatus, Round
from portal.competitions.status import change_competition_status
from portal.core.urls import external_url
from portal.entries.models import Entry, EntryStatus
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging.common import round_entries_query
from portal.judging.models import Assignment, ScoreSheet, SheetStatus

# --- Publishing ---------------------------------------------------------------------------------


@dataclass
class EntryOutcome:
    """What one entry's applicant is told: its prizes (with links), or the judges' feedback."""

    entry: Entry
    prizes: list[tuple[Award, str]] = field(default_factory=list)  # (award, link to her page)
    feedback: list[tuple[str, str]] = field(default_factory=list)  # (round name, text)

    @property
    def won(self) -> bool:
        return bool(self.prizes)


@dataclass
class Audience:
    """Who is told at publication: one mail per applicant, about all her judged entries."""

    outcomes: dict[int, list[EntryOutcome]]  # applicant id → her entries
    applicants: dict[int, User]

    @property
    def winners(self) -> int:
        return sum(1 for items in self.outcomes.values() if any(o.won for o in items))

    @property
    def others(self) -> int:
        return len(self.outcomes) - self.winners


def judged_entries(competition: Competition) -> list[Entry]:
    """The entries that were in judging: those of the first round (every judged state)."""
    first = min(competition.rounds, key=lambda r: r.position, default=None)
    if first is None:
        return []
    return list(
        db.session.scalars(
            round_entries_query(first)
            .options(joinedload(Entry.applicant))
            .order_by(Entry.applicant_id, Entry.id)
        ).unique()
    )


def feedback_for(entry_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The judges' feedback for the applicant, by entry: submitted sheets of active assignments,
    every round, in round order; no judge's name."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.entry_id, Round.name, ScoreSheet.feedback)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Round, Round.id == Assignment.round_id)
        .where(
            Assignment.entry_id.in_(entry_ids),
            Assignment.recused_at.is_(None),
            ScoreSheet.status == SheetStatus.SUBMITTED,
            ScoreSheet.feedback != "",
        )
        .order_by(Assignment.entry_id, Round.position, ScoreSheet.id)
    ).all()
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for entry_id, round_name, text in rows:
        if text and text.strip():
            found[entry_id].append((round_name, text.strip()))
    return dict(found)


def _award_link(award: Award) -> str:
    return external_url("awards.my_award", award_id=award.id)


def audience(competition: Competition, awards: list[Award], *, links: bool = True) -> Audience:
    """Every applicant of a judged entry, with the prizes of her entries or their feedback."""
    entries = judged_entries(competition)
    prizes: dict[int, list[Award]] = defaultdict(list)
    for award in awards:
        if award.entry_id is not None:
            prizes[award.entry_id].append(award)
    losers = [e.id for e in entries if e.id not in prizes]
    feedback = feedback_for(losers) if links else {}
    outcomes: dict[int, list[EntryOutcome]] = defaultdict(list)
    applicants: dict[int, User] = {}
    for entry in entries:
        applicants[entry.applicant_id] = entry.applicant
        outcomes[entry.applicant_id].append(
            EntryOutcome(
                entry,
                [(a, _award_link(a) if links else "") for a in prizes.get(entry.id, [])],
                feedback.get(entry.id, []),
            )
        )
    return Audience(dict(outcomes), applicants)


def preview_audience(competition: Competition) -> Audience:
    """How many applicants publication will tell, winners and others (for the confirm page)."""
    return audience(competition, common.decision_awards(competition), links=False)


@dataclass
class Publication:
    certificates: int
    winners: int
    mails: int


def publish(
    actor: User, competition: Competition, *, now: datetime, version: int | None = None
) -> Publication:
    """APPROVED → PUBLISHED, in one transaction: certificate codes, winners' entries AWARDED and
    made supported projects, the competition's results published, and one mail to every
    applicant of a judged entry, in her language."""
    require_manager(actor, competition)
    decision = current_decision(competition)
    if decision.status is DecisionStatus.PUBLISHED:
        raise DecisionConflict(_l("The results are already published."))
    if decision.status is not DecisionStatus.APPROVED:
        raise DecisionConflict(
            _l(
                "The decision must be finalised and then approved by a second organiser before "
                "the results can be published."
            )
        )
    if competition.status is not CompetitionStatus.RESULTS_FINAL:
        raise DecisionConflict(
            _l(
                "The competition is %(status)s: its results must be final to be published.",
                status=competition.status.label,
            )
        )
    awards = common.decision_awards(competition)
    refuse_entries_out_of_the_running(awards)
    check_every_award(decision, awards)
    given = [award for award in awards if award.entry_id is not None]
    if not change_decision_status(
        actor.id,
        decision,
        DecisionStatus.PUBLISHED,
        expected=version,
        after={
            "certificates": len(given),
            "winners": len({award.entry_id for award in given}),
            "mails": len(audience(competition, awards, links=False).outcomes),
        },
        published_by_id=actor.id,
        published_at=now,
    ):
        raise conflict()
    winners: dict[int, Entry] = {}
    for award in given:
        award.certificate_code = common.new_certificate_code()
        award.issued_at = now
        award.freeze()
        winners.setdefault(award.entry_id, award.entry)
    # Each winner is awarded once, and becomes a supported project (projects listens).
    change_entry_status(
        actor.id,
        winners.values(),
        EntryStatus.AWARDED,
        after={"competition_id": competition.id},
    )
    if competition.status is not CompetitionStatus.RESULTS_PUBLISHED:
        change_competition_status(actor.id, competition, CompetitionStatus.RESULTS_PUBLISHED)
    told = audience(competition, awards)
    results_url = external_url("awards.public_results", competition_id=competition.id)
    for applicant_id, outcomes in told.outcomes.items():
        applicant = told.applicants[applicant_id]
        won = any(o.won for o in outcomes)
        tell(
            applicant,
            "award_won" if won else "award_not_won",
            _l("Congratulations: your prize in %(competition)s", competition=competition.title)
            if won
            else _l("The results of %(competition)s", competition=competition.title),
            competition=competition,
            outcomes=outcomes,
            results_url=results_url,
        )
    db.session.commit()
    return Publication(len(given), len(winners), len(told.outcomes))
