"""Advancing: a round's final results carry the chosen entries into the next round."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.competitions.models import Round
from portal.core import audit
from portal.core.errors import DomainError
from portal.entries.models import Entry, EntryStatus
from portal.entries.status import change_entry_status
from portal.extensions import db
from portal.judging import common
from portal.judging.models import (
    RoundEntry,
    RoundResult,
)
from portal.judging.results.services import next_round, require_manager

# --- Advancing ----------------------------------------------------------------------------------


@dataclass
class AdvancePlan:
    next_round: Round
    advancing: list[RoundResult]
    staying: list[RoundResult]
    tied_at_cut: int = 0  # entries past N that share the rank at the cut and advance too
    use_raw: bool = False  # the round ranks by the raw score, not the normalised one

    def score(self, result: RoundResult) -> float | None:
        """The score the round ranks (and a threshold chooses) by."""
        return result.raw_score if self.use_raw else result.normalised_score


def plan_advance(
    round_: Round, *, top: int | None = None, at_least: float | None = None
) -> AdvancePlan:
    """Who would advance: the top N by rank (all entries sharing the rank at the cut), or every
    entry whose score (the round's ranking score) is at least the given one."""
    if round_.results_final_at is None:
        raise DomainError(_l("Make the results final before advancing entries."))
    following = next_round(round_)
    if following is None:
        raise DomainError(
            _l("This is the competition's last round: there is no next round to advance to.")
        )
    if (top is None) == (at_least is None):
        raise DomainError(_l("Give either a number of entries or a score."))
    results = list(
        db.session.scalars(
            sa.select(RoundResult)
            .where(RoundResult.round_id == round_.id)
            # The preview names every entry: their references and titles in one more query.
            .options(selectinload(RoundResult.entry))
            .order_by(RoundResult.rank.is_(None), RoundResult.rank, RoundResult.entry_id)
        )
    )
    ranked = [r for r in results if r.rank is not None]
    use_raw = round_.rank_by == "raw"
    tied = 0
    if top is not None:
        if top < 1:
            raise DomainError(_l("Advance at least one entry."), field="count")
        if top >= len(ranked):
            chosen = {r.entry_id for r in ranked}
        else:
            cut = ranked[top - 1].rank
            chosen = {r.entry_id for r in ranked if r.rank <= cut}
            tied = len(chosen) - top
    else:
        chosen = {
            r.entry_id
            for r in ranked
            if round((r.raw_score if use_raw else r.normalised_score), 9) >= at_least - 1e-9
        }
    return AdvancePlan(
        following,
        [r for r in results if r.entry_id in chosen],
        [r for r in results if r.entry_id not in chosen],
        tied,
        use_raw,
    )


def advance(
    actor: User,
    round_: Round,
    *,
    top: int | None = None,
    at_least: float | None = None,
    now: datetime,
) -> AdvancePlan:
    """Carry the chosen entries into the next round. Running it again changes nothing; running it
    with another choice moves the difference, until the next round's scoring starts."""
    require_manager(actor, round_)
    plan = plan_advance(round_, top=top, at_least=at_least)
    following = plan.next_round
    chosen = {r.entry_id for r in plan.advancing}
    entry_ids = {r.entry_id for r in plan.advancing + plan.staying}
    carried = dict(
        db.session.execute(
            sa.select(RoundEntry.entry_id, RoundEntry.id).where(
                RoundEntry.round_id == following.id, RoundEntry.entry_id.in_(entry_ids)
            )
        ).all()
    )
    dropped = [carried[e] for e in carried if e not in chosen]
    if following.scoring_started_at is not None and (dropped or chosen - set(carried)):
        raise DomainError(
            _l("The next round's scoring has started: the entries it holds can no longer change.")
        )
    if dropped:
        db.session.execute(sa.delete(RoundEntry).where(RoundEntry.id.in_(dropped)))
    db.session.add_all(
        RoundEntry(round_id=following.id, entry_id=e, carried_at=now, carried_by_id=actor.id)
        for e in sorted(chosen - set(carried))
    )
    if dropped or chosen - set(carried):
        common.ranking_changed(round_id=following.id)  # the entries it holds changed
    for result in plan.advancing + plan.staying:
        result.advanced = result.entry_id in chosen
    decided = db.session.scalars(
        sa.select(Entry).where(Entry.id.in_(entry_ids), Entry.status != EntryStatus.WITHDRAWN)
    ).all()
    for status, entries in (
        (EntryStatus.ADVANCED, [e for e in decided if e.id in chosen]),
        (EntryStatus.NOT_ADVANCED, [e for e in decided if e.id not in chosen]),
    ):
        change_entry_status(actor.id, entries, status, after={"round_id": round_.id})
    audit.record(
        "results.advanced",
        actor_id=actor.id,
        object_type="round",
        object_id=round_.id,
        after={
            "next_round_id": following.id,
            "top": top,
            "at_least": at_least,
            "advanced": len(chosen),
            "not_advanced": len(entry_ids) - len(chosen),
            "tied_at_cut": plan.tied_at_cut,
        },
    )
    db.session.commit()
    return plan
