"""What the ledger asks the features built on it; they connect receivers in their listeners.py.

`ledger_checking` is sent by `flask ledger check` (sender: None); each receiver returns a list
of the problems it finds between its records and the ledger (a loan's receivable that does not
match its outstanding principal, a repayment with no posting), in plain words, or [].
"""

from blinker import Namespace

_signals = Namespace()

ledger_checking = _signals.signal("ledger-checking")
