"""Setting up a competition's prizes: prize tiers and special prizes, their order, and whether the
winner of a tier may also take a special prize.

Prizes change only while the awards decision is a draft (or before there is one): once it is
final, approved or published the lines, certificates and payments rest on them. Every function
checks that the actor may manage the competition, writes the audit log (before → after) and
commits; a refusal is a DomainError whose message the person reads.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.applicants.models import BusinessStage, HouseholdStatus
from portal.auth.models import User
from portal.awards.common import decision_of, ensure_decision, tiers_of
from portal.awards.models import (
    Award,
    AwardDecision,
    DecisionStatus,
    Prize,
    PrizeKind,
    PrizePayment,
)
from portal.awards.prizes import eligibility
from portal.competitions.models import Competition
from portal.competitions.services import may_manage_competition
from portal.core import audit, idempotency
from portal.core.errors import DomainError
from portal.core.money import MAX_VND, MoneyInputError, parse_vnd
from portal.extensions import db

MAX_NAME = 120
MAX_COUNT = 100
MAX_IN_KIND = 2000
MAX_PRIZES = 50  # tiers and special prizes of one competition together
MIN_RULE_AGE, MAX_RULE_AGE = 16, 100

# 1 first, 2 second, 3 third, 4 consolation: the usual provincial round.
USUAL_TIERS = (
    (_l("First prize"), 1),
    (_l("Second prize"), 2),
    (_l("Third prize"), 3),
    (_l("Consolation prize"), 4),
)

# The household statuses a special prize may ask for ("neither" picks out nobody in need).
RULE_HOUSEHOLD_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.NEAR_POOR)


# --- Who may change the prizes, and when ------------------------------------------------------


def lock_reason(competition: Competition, decision: AwardDecision | None = None) -> str | None:
    """Why the prizes can no longer be changed, or None while they can (no decision, or a draft)."""
    decision = decision if decision is not None else decision_of(competition)
    if decision is None or decision.status is DecisionStatus.DRAFT:
        return None
    if decision.status is DecisionStatus.FINALISED:
        return str(
            _l(
                "The awards decision is final and waiting for approval, so the prizes can no "
                "longer be changed. To change them, reopen the decision first."
            )
        )
    if decision.status is DecisionStatus.APPROVED:
        return str(
            _l(
                "The awards decision has been approved, so the prizes can no longer be changed. "
                "To change them, withdraw the approval and reopen the decision first."
            )
        )
    return str(
        _l(
            "The results have been published: the prizes are part of the published record "
            "and can no longer be changed."
        )
    )


def _check_manager(actor: User, competition: Competition) -> None:
    if not may_manage_competition(actor, competition):
        raise DomainError(_l("You cannot manage the prizes of this competition."))


def _check_editable(competition: Competition) -> None:
    """Refuse a change unless the decision is a draft, read under a row lock so that a
    finalisation committed meanwhile is seen (PostgreSQL; SQLite writes one at a time)."""
    decision = db.session.scalar(
        sa.select(AwardDecision)
        .where(AwardDecision.competition_id == competition.id)
        .with_for_update()
    )
    reason = lock_reason(competition, decision)
    if reason is not None:
        raise DomainError(reason)


def _check(actor: User, competition: Competition) -> None:
    _check_manager(actor, competition)
    _check_editable(competition)


# --- Reading what a person typed ---------------------------------------------------------------


def parse_cash(value: int | str | None) -> int:
    """A prize's cash value in whole đồng, from a number or from what a person typed (see
    `portal.core.money.parse_vnd`); a refusal names the field and says what is wrong."""
    if isinstance(value, bool):
        raise DomainError(_l("Enter the cash value in đồng."), field="cash_value")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(
            _l("Enter the cash value of each prize in đồng; write 0 if there is no cash."),
            field="cash_value",
        )
    if isinstance(value, int):
        if value < 0:
            raise DomainError(_l("The amount cannot be negative."), field="cash_value")
        if value > MAX_VND:
            raise DomainError(
                _l("That is more than ten thousand billion đồng: check the number of zeros."),
                field="cash_value",
            )
        return value
    try:
        return parse_vnd(value)
    except MoneyInputError as error:
        raise DomainError(error.message, field="cash_value") from None


def rule_categories(competition: Competition) -> list[tuple[str, str]]:
    """The categories a special prize may ask for: those with a code (a custom category has
    none, so a rule cannot name it), as (code, name) in the competition's order."""
    return [(c.code, c.name) for c in competition.categories if c.code]


def _choices(values, allowed: list[str], field_name: str, message) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise DomainError(message, field=field_name)
    chosen = set()
    for value in values:
        if value not in allowed:
            raise DomainError(message, field=field_name)
        chosen.add(value)
    return [v for v in allowed if v in chosen]  # the order of the choices, each once


def check_rule(rule: dict | None, competition: Competition) -> dict:
    """A special prize's rule as stored: only the conditions that are set, each checked.

    The keys are those of portal.awards.prizes.eligibility; an empty rule lets every ranked entry qualify.
    """
    rule = dict(rule or {})
    unknown = sorted(set(rule) - set(eligibility.RULE_KEYS))
    if unknown:
        raise DomainError(
            _l("Unknown condition: %(names)s.", names=", ".join(unknown)), field="rule"
        )
    cleaned: dict = {}
    if rule.get("ethnic_minority"):
        cleaned["ethnic_minority"] = True
    codes = _choices(
        rule.get("category_codes"),
        [code for code, _name in rule_categories(competition)],
        "category_codes",
        _l("Choose categories of this competition."),
    )
    if codes:
        cleaned["category_codes"] = codes
    statuses = _choices(
        rule.get("household_status"),
        [s.value for s in HouseholdStatus],
        "household_status",
        _l("Choose household statuses from the list."),
    )
    if statuses:
        cleaned["household_status"] = statuses
    stages = _choices(
        rule.get("business_stage"),
        [s.value for s in BusinessStage],
        "business_stage",
        _l("Choose business stages from the list."),
    )
    if stages:
        cleaned["business_stage"] = stages
    if rule.get("union_member"):
        cleaned["union_member"] = True
    max_age = rule.get("max_age")
    if max_age not in (None, ""):
        if (
            isinstance(max_age, bool)
            or not isinstance(max_age, int)
            or not MIN_RULE_AGE <= max_age <= MAX_RULE_AGE
        ):
            raise DomainError(
                _l(
                    "The highest age is a whole number from %(low)d to %(high)d.",
                    low=MIN_RULE_AGE,
                    high=MAX_RULE_AGE,
                ),
                field="max_age",
            )
        cleaned["max_age"] = max_age
    return cleaned


def describe_rule(rule: dict | None, competition: Competition) -> list[str]:
    """The rule in plain words for the reader; an empty rule says that every entry qualifies."""
    names = dict(rule_categories(competition))
    return eligibility.describe(rule or {}, names) or [str(_l("Every ranked entry may win it"))]


# --- Prizes ------------------------------------------------------------------------------------


@dataclass
class PrizeData:
    """A prize as typed: the cash value may still be text ("10.000.000")."""

    name: str
    prize_count: int | None
    cash_value: int | str | None
    in_kind: str = ""
    kind: PrizeKind = PrizeKind.TIER
    rule: dict = field(default_factory=dict)


@dataclass
class CleanPrize:
    name: str
    prize_count: int
    cash_value: int
    in_kind: str
    rule: dict


def check_prize(data: PrizeData, kind: PrizeKind, competition: Competition) -> CleanPrize:
    """Refuse a prize that cannot be right, naming the field; return it cleaned."""
    name = " ".join((data.name or "").split())
    if not name:
        raise DomainError(_l("Give the prize a name."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_l("The name is at most %(num)d characters.", num=MAX_NAME), field="name")
    count = data.prize_count
    if count is None:
        raise DomainError(_l("Enter how many of this prize are given."), field="prize_count")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise DomainError(
            _l("The number of prizes is a whole number from 1 to %(num)d.", num=MAX_COUNT),
            field="prize_count",
        )
    cash = parse_cash(data.cash_value)
    in_kind = (data.in_kind or "").strip()
    if len(in_kind) > MAX_IN_KIND:
        raise DomainError(
            _l("The in-kind support is at most %(num)d characters.", num=MAX_IN_KIND),
            field="in_kind",
        )
    if kind is PrizeKind.SPECIAL:
        rule = check_rule(data.rule, competition)
    else:
        if check_rule(data.rule, competition):
            raise DomainError(
                _l(
                    "Only a special prize has conditions. Choose “Special prize”, or clear "
                    "the conditions."
                ),
                field="kind",
            )
        rule = {}
    return CleanPrize(name, count, cash, in_kind, rule)


def snapshot(tier: Prize) -> dict:
    return {
        "name": tier.name,
        "kind": tier.kind.value,
        "position": tier.position,
        "prize_count": tier.prize_count,
        "cash_value": tier.cash_value,
        "in_kind": tier.in_kind,
        "rule": dict(tier.rule or {}),
    }


def _line_snapshot(lines: list[Award]) -> list[dict]:
    return [
        {
            "id": a.id,
            "slot": a.slot,
            "entry_id": a.entry_id,
            "proposed_entry_id": a.proposed_entry_id,
        }
        for a in lines
    ]


def _prizes_of_kind(competition: Competition, kind: PrizeKind) -> list[Prize]:
    return [t for t in tiers_of(competition) if t.kind is kind]


def _check_room(competition: Competition, adding: int = 1) -> None:
    count = db.session.scalar(
        sa.select(sa.func.count(Prize.id)).where(Prize.competition_id == competition.id)
    )
    if count + adding > MAX_PRIZES:
        raise DomainError(
            _l("A competition has at most %(num)d prizes.", num=MAX_PRIZES), field="name"
        )


def _new_prize(competition: Competition, kind: PrizeKind, clean: CleanPrize) -> Prize:
    last = db.session.scalar(
        sa.select(sa.func.max(Prize.position)).where(
            Prize.competition_id == competition.id, Prize.kind == kind
        )
    )
    tier = Prize(
        competition_id=competition.id,
        kind=kind,
        position=0 if last is None else last + 1,
        name=clean.name,
        prize_count=clean.prize_count,
        cash_value=clean.cash_value,
        in_kind=clean.in_kind,
        rule=clean.rule,
    )
    db.session.add(tier)
    db.session.flush()
    return tier


def add_prize(
    actor: User, competition: Competition, data: PrizeData, *, form_key: str | None = None
) -> Prize:
    """Add a prize tier or a special prize at the end of its kind's list. The same form sent
    twice adds one (idempotency.AlreadySent)."""
    _check(actor, competition)
    kind = PrizeKind(data.kind)
    clean = check_prize(data, kind, competition)
    _check_room(competition)
    claimed = idempotency.claim(form_key, kind="prize_tier", actor_id=actor.id)
    tier = _new_prize(competition, kind, clean)
    idempotency.made(claimed, tier)
    audit.record(
        "prize.created",
        actor_id=actor.id,
        object_type="prize_tier",
        object_id=tier.id,
        after=snapshot(tier),
    )
    db.session.commit()
    return tier


def use_usual_tiers(actor: User, competition: Competition, *, language: str) -> list[Prize]:
    """Create the usual tiers (1 first, 2 second, 3 third, 4 consolation), cash 0 to fill in,
    named in `language`. Only for a competition that has no prize tier yet."""
    _check(actor, competition)
    if _prizes_of_kind(competition, PrizeKind.TIER):
        raise DomainError(
            _l("This competition already has prize tiers: add or change them one by one.")
        )
    _check_room(competition, len(USUAL_TIERS))
    created = []
    with force_locale(language):
        names = [(str(name), count) for name, count in USUAL_TIERS]
    for name, count in names:
        tier = _new_prize(competition, PrizeKind.TIER, CleanPrize(name, count, 0, "", {}))
        audit.record(
            "prize.created",
            actor_id=actor.id,
            object_type="prize_tier",
            object_id=tier.id,
            after=snapshot(tier),
        )
        created.append(tier)
    db.session.commit()
    return created


def lines_of_tier(tier: Prize) -> list[Award]:
    return list(
        db.session.scalars(sa.select(Award).where(Award.tier_id == tier.id).order_by(Award.slot))
    )


def _check_no_payments(lines: list[Award]) -> None:
    # A draft has no payments (they start at publication); refuse rather than orphan money.
    if lines and db.session.scalar(
        sa.select(sa.func.count(PrizePayment.id)).where(
            PrizePayment.award_id.in_([a.id for a in lines])
        )
    ):
        raise DomainError(_l("Payments were recorded for this prize: it cannot be changed."))


def edit_prize(actor: User, tier: Prize, data: PrizeData) -> Prize:
    """Change a prize's name, number, cash value, in-kind support and (special prizes) rule.

    Its kind stays. With fewer prizes than before, the decision's lines beyond the new number
    are removed; with more, no line is created (the proposal fills them).
    """
    competition = tier.competition
    _check(actor, competition)
    clean = check_prize(data, tier.kind, competition)
    before = snapshot(tier)
    surplus = [a for a in lines_of_tier(tier) if a.slot > clean.prize_count]
    _check_no_payments(surplus)
    tier.name = clean.name
    tier.prize_count = clean.prize_count
    tier.cash_value = clean.cash_value
    tier.in_kind = clean.in_kind
    tier.rule = clean.rule
    after = snapshot(tier)
    if surplus:
        before["lines"] = _line_snapshot(surplus)
        after["lines_removed"] = len(surplus)
        for line in surplus:
            db.session.delete(line)
    if after != before:
        audit.record(
            "prize.changed",
            actor_id=actor.id,
            object_type="prize_tier",
            object_id=tier.id,
            before=before,
            after=after,
        )
    db.session.commit()
    return tier


def delete_prize(actor: User, tier: Prize) -> int:
    """Delete a prize, and the draft decision's lines of it in the same transaction.

    Returns how many lines were removed.
    """
    competition = tier.competition
    _check(actor, competition)
    lines = lines_of_tier(tier)
    _check_no_payments(lines)
    before = snapshot(tier)
    before["lines"] = _line_snapshot(lines)
    tier_id, kind = tier.id, tier.kind
    for line in lines:
        db.session.delete(line)
    db.session.flush()
    db.session.delete(tier)
    db.session.flush()
    # Close the gap so that the order stays 0, 1, 2…
    for position, other in enumerate(_prizes_of_kind(competition, kind)):
        other.position = position
    audit.record(
        "prize.deleted",
        actor_id=actor.id,
        object_type="prize_tier",
        object_id=tier_id,
        before=before,
        after={"lines_removed": len(lines)},
    )
    db.session.commit()
    return len(lines)


def move_prize(actor: User, tier: Prize, direction: str) -> bool:
    """Move a prize one place up or down among those of its kind (tiers fill in this order).

    Returns False when it is already first (up) or last (down): nothing changes.
    """
    if direction not in ("up", "down"):
        raise DomainError(_l("Choose to move the prize up or down."))
    competition = tier.competition
    _check(actor, competition)
    prizes = _prizes_of_kind(competition, tier.kind)
    index = next(n for n, other in enumerate(prizes) if other.id == tier.id)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(prizes):
        return False
    before = {"position": index, "order": [t.id for t in prizes]}
    prizes[index], prizes[target] = prizes[target], prizes[index]
    for position, other in enumerate(prizes):
        other.position = position
    audit.record(
        "prize.moved",
        actor_id=actor.id,
        object_type="prize_tier",
        object_id=tier.id,
        before=before,
        after={"position": target, "order": [t.id for t in prizes]},
    )
    db.session.commit()
    return True


def set_special_with_tier(actor: User, competition: Competition, allowed: bool) -> AwardDecision:
    """Whether the winner of a prize tier may also take a special prize (a decision setting)."""
    _check(actor, competition)
    decision = ensure_decision(competition)
    before = {"special_with_tier": decision.special_with_tier}
    decision.special_with_tier = bool(allowed)
    after = {"special_with_tier": decision.special_with_tier}
    if after != before:
        audit.record(
            "prize.settings",
            actor_id=actor.id,
            object_type="award_decision",
            object_id=decision.id,
            before=before,
            after=after,
        )
    db.session.commit()
    return decision


# --- The prizes page ---------------------------------------------------------------------------


@dataclass
class PrizeRow:
    tier: Prize
    total: int  # cash of all prizes of it
    conditions: list[str]  # special prizes: the rule in plain words
    lines: int  # lines of the decision
    given: int  # lines given to an entry
    first: bool
    last: bool


@dataclass
class PrizesOverview:
    tiers: list[PrizeRow]
    specials: list[PrizeRow]
    budget: int  # the sum of number × cash value over every prize
    prize_count: int
    decision: AwardDecision | None
    lock_reason: str | None

    @property
    def special_with_tier(self) -> bool:
        return self.decision is not None and self.decision.special_with_tier


def line_counts(competition: Competition) -> dict[int, tuple[int, int]]:
    """Lines and lines given to an entry, per prize, in one query."""
    rows = db.session.execute(
        sa.select(Award.tier_id, sa.func.count(Award.id), sa.func.count(Award.entry_id))
        .where(Award.competition_id == competition.id)
        .group_by(Award.tier_id)
    ).all()
    return {tier_id: (lines, given) for tier_id, lines, given in rows}


def overview(competition: Competition) -> PrizesOverview:
    """Everything the prizes page shows, in a constant number of queries."""
    decision = decision_of(competition)
    counts = line_counts(competition)
    prizes = tiers_of(competition)
    groups: dict[PrizeKind, list[PrizeRow]] = {PrizeKind.TIER: [], PrizeKind.SPECIAL: []}
    for kind, rows in groups.items():
        of_kind = [t for t in prizes if t.kind is kind]
        for n, tier in enumerate(of_kind):
            lines, given = counts.get(tier.id, (0, 0))
            rows.append(
                PrizeRow(
                    tier=tier,
                    total=tier.prize_count * tier.cash_value,
                    conditions=describe_rule(tier.rule, competition) if tier.is_special else [],
                    lines=lines,
                    given=given,
                    first=n == 0,
                    last=n == len(of_kind) - 1,
                )
            )
    return PrizesOverview(
        tiers=groups[PrizeKind.TIER],
        specials=groups[PrizeKind.SPECIAL],
        budget=sum(t.prize_count * t.cash_value for t in prizes),
        prize_count=sum(t.prize_count for t in prizes),
        decision=decision,
        lock_reason=lock_reason(competition, decision),
    )
