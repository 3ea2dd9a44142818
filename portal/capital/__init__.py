"""Follow-on capital: capital sources, support agreements (grants in tranches, soft loans,
in-kind support), repayments, arrears and the portfolio, on the ledger.

In parts: `loans/` (`schedule.py`: a loan's schedule, exact and pure). The rules are written out
in docs/capital.md.
"""

from flask import Blueprint

bp = Blueprint("capital", __name__, cli_group="capital")

from portal.capital import cli  # noqa: E402,F401  (registers `flask capital …`)
