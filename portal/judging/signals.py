"""What judging tells the features built on it; they connect receivers in their listeners.py.

A receiver runs inside judging's transaction: it may refuse by raising a DomainError, and never
commits.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with the round (as sender) whose final results are about to be reopened.
results_reopening = _signals.signal("results-reopening")
