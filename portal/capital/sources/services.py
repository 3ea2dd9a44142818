"""Capital sources: an organiser records one for her unit and the contributions it receives
(each a posting); what a source has available is what the ledger says, never a stored number."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.auth.models import Role, User
from portal.capital.common import CASH, CONTRIBUTIONS, may_manage_unit
from portal.capital.models import CapitalSource, SourceKind
from portal.core import audit, idempotency
from portal.core.errors import DomainError, NotAllowed
from portal.core.money import is_amount
from portal.core.time import utcnow, vietnam_date
from portal.extensions import db
from portal.ledger import services as ledger
from portal.ledger.models import Posting, PostingLine
from portal.units.models import Unit

MAX_NAME = 200


class NotEnoughCapital(DomainError):
    """The source has less available than the movement asks for."""


def create_source(
    actor: User, unit_id: int | None, name: str, kind: str | None, partner: str = ""
) -> CapitalSource:
    """Record a capital source of a unit the organiser acts on. Commits."""
    if not unit_id or not may_manage_unit(actor, unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_l("Write the name of the source."), field="name")
    if len(name) > MAX_NAME:
        raise DomainError(_l("Write at most %(num)d characters.", num=MAX_NAME), field="name")
    try:
        kind = SourceKind(kind or "")
    except ValueError:
        raise DomainError(_l("Choose the kind of source."), field="kind") from None
    source = CapitalSource(
        unit_id=unit_id,
        name=name,
        kind=kind,
        partner=" ".join((partner or "").split())[:MAX_NAME],
        created_by_id=actor.id,
    )
    db.session.add(source)
    db.session.flush()
    audit.record(
        "capital_source.created",
        actor_id=actor.id,
        object_type="capital_source",
        object_id=source.id,
        after={"name": name, "kind": kind.value, "unit_id": unit_id},
    )
    db.session.commit()
    return source


def contribute(
    actor: User,
    source: CapitalSource,
    amount: int | None,
    received_on: date | None,
    note: str = "",
    *,
    now: datetime | None = None,
    form_key: str | None = None,
) -> Posting:
    """Money put into a source (the fund's budget, members' savings, a partner's transfer): one
    posting, cash in, contributions up. The same form sent twice records it once. Commits."""
    now = now or utcnow()
    if not may_manage_unit(actor, source.unit_id):
        raise NotAllowed(_l("You cannot manage the capital of another unit."))
    if not is_amount(amount):
        raise DomainError(_l("Write the amount in whole đồng, above zero."), field="amount")
    if received_on is None or received_on > vietnam_date(now):
        raise DomainError(
            _l("Write the date the money was received, not in the future."), field="received_on"
        )
    ledger.require_open(source.unit_id, received_on, field="received_on")
    claimed = idempotency.claim(form_key, kind="capital_contribution", actor_id=actor.id)
    posting = ledger.post(
        actor_id=actor.id,
        occurred_on=received_on,
        description=(note or str(_l("Contribution to %(source)s", source=source.name)))[:300],
        source=source.ledger_tag,
        unit_id=source.unit_id,
        object_type="capital_source",
        object_id=source.id,
        lines=[(CASH, amount), (CONTRIBUTIONS, -amount)],
    )
    idempotency.made(claimed, posting)
    audit.record(
        "capital_source.contribution",
        actor_id=actor.id,
        object_type="capital_source",
        object_id=source.id,
        after={"amount": amount, "received_on": received_on.isoformat(), "posting": posting.id},
    )
    db.session.commit()
    return posting


def sources_of(user: User) -> list[CapitalSource]:
    """The sources of the units she organises (a province's, and its communes'); all for an
    admin."""
    query = sa.select(CapitalSource).order_by(CapitalSource.name)
    if not user.has_role(Role.ADMIN):
        units = [u.id for u in user.organiser_units()]
        query = query.where(
            sa.or_(
                CapitalSource.unit_id.in_(units),
                CapitalSource.unit_id.in_(sa.select(Unit.id).where(Unit.parent_id.in_(units))),
            )
        )
    return list(db.session.scalars(query))


def available(source: CapitalSource) -> int:
    """What the source can still give or lend: its cash in the ledger."""
    return ledger.balance(CASH, source=source.ledger_tag)


def balances(sources: list[CapitalSource]) -> dict[int, dict[str, int]]:
    """Each source's balance of every account, in one query: {source id: {account: đồng}}."""
    tags = {s.ledger_tag: s.id for s in sources}
    found: dict[int, dict[str, int]] = {s.id: {} for s in sources}
    if not tags:
        return found
    rows = db.session.execute(
        sa.select(Posting.source, PostingLine.account, sa.func.sum(PostingLine.amount))
        .join(PostingLine, PostingLine.posting_id == Posting.id)
        .where(Posting.source.in_(list(tags)))
        .group_by(Posting.source, PostingLine.account)
    )
    for tag, account, amount in rows:
        found[tags[tag]][account] = int(amount)
    return found


def require_available(source: CapitalSource, amount: int) -> None:
    """Refuse a movement larger than what the source has available, saying how much it has."""
    have = available(source)
    if amount > have:
        raise NotEnoughCapital(
            _l(
                "%(source)s has %(have)s available, less than the %(amount)s asked for.",
                source=source.name,
                have=f"{have:,}".replace(",", "."),
                amount=f"{amount:,}".replace(",", "."),
            )
        )
