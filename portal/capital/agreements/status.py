"""A support agreement's status: the moves it may make, and the one function that makes them.

PROPOSED → APPROVED (a second organiser of the unit; never the proposer) or REJECTED;
APPROVED → ACTIVE (the first money or goods move) → COMPLETED (a grant paid, goods delivered),
REPAID (a loan repaid) or WRITTEN_OFF (a loan, approved by a second organiser); APPROVED or ACTIVE
→ CLOSED (stopped, with a reason). `change_agreement_status` is the only code that writes
`SupportAgreement.status` (tests/test_status_homes.py); a loan's write-off is loans/writeoff.py.
"""

from typing import Any

from portal.capital.models import AgreementStatus, SupportAgreement
from portal.core.status import guarded_move

_S = AgreementStatus

# Each move and its audit action: the moves there are (guarded_move refuses any other).
ACTIONS: dict[tuple[AgreementStatus, AgreementStatus], str] = {
    (_S.PROPOSED, _S.APPROVED): "support_agreement.approved",
    (_S.PROPOSED, _S.REJECTED): "support_agreement.rejected",
    (_S.APPROVED, _S.ACTIVE): "support_agreement.started",
    (_S.ACTIVE, _S.COMPLETED): "support_agreement.completed",
    (_S.ACTIVE, _S.REPAID): "support_agreement.repaid",
    (_S.ACTIVE, _S.WRITTEN_OFF): "support_agreement.written_off",
    (_S.APPROVED, _S.CLOSED): "support_agreement.closed",
    (_S.ACTIVE, _S.CLOSED): "support_agreement.closed",
    # The repayment that completed a loan was reversed: it is under way again.
    (_S.REPAID, _S.ACTIVE): "support_agreement.reopened",
    # The payment that completed a grant was reversed: it is under way again.
    (_S.COMPLETED, _S.ACTIVE): "support_agreement.reopened",
}


def change_agreement_status(
    actor_id: int,
    agreement: SupportAgreement,
    to: AgreementStatus,
    *,
    expected_version: int | None = None,
    after: dict | None = None,
    **values: Any,
) -> bool:
    """Move the agreement from the status it was read in to `to` (with `values`), raise its
    version and audit it; the caller commits. False when another request moved it first."""
    return guarded_move(
        SupportAgreement,
        agreement,
        to=to,
        actions=ACTIONS,
        actor_id=actor_id,
        object_type="support_agreement",
        expected_version=expected_version,
        after=after,
        **values,
    )
