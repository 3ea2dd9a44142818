"""Follow-on capital: capital sources, support agreements (grants in tranches, soft loans,
in-kind support), repayments, arrears and the portfolio, on the ledger.

In parts: `sources/` (capital sources and their contributions, on the ledger), `agreements/`
(support proposed and approved by two organisers; `status.py`), `loans/` (`schedule.py`: a
loan's schedule, exact; `allocation.py`: where a repayment goes, arrears; both pure). Shared:
`common.py` (the ledger's accounts). The rules are written out in docs/capital.md.
"""

from flask import Blueprint

bp = Blueprint("capital", __name__, cli_group="capital")

from portal.capital import cli, listeners, models, views  # noqa: E402,F401  (they register themselves)
from portal.capital.imports import cli as _import_cli  # noqa: E402,F401
from portal.capital.imports import views as _import_views  # noqa: E402,F401
from portal.capital.in_kind import views as _in_kind_views  # noqa: E402,F401
from portal.capital.loans import views as _loan_views  # noqa: E402,F401
from portal.capital.restructuring import views as _restructuring_views  # noqa: E402,F401
from portal.capital.tranches import views as _tranche_views  # noqa: E402,F401
