"""The ledger: every movement of money is one balanced posting, tagged with its source and the
unit whose books it is in.

Prize payments and follow-on capital (contributions, loans, repayments, grants, in-kind support)
post here. Its pages (views.py) show the trial balance of an organiser's units and each
account's lines, and close the months that are over; `flask ledger check` (cli.py) verifies it,
asking the features built on it through `signals.ledger_checking`.
"""

from flask import Blueprint

bp = Blueprint("ledger", __name__)

from portal.ledger import views  # noqa: E402,F401  (it registers itself)
