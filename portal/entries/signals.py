"""What entries tell the features built on them; they connect receivers in their listeners.py.

A receiver runs inside the sender's transaction: it adds to the session, may refuse by raising a
DomainError, and never commits.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with the entry (as sender) after its status moved: before=, actor_id=.
entry_status_changed = _signals.signal("entry-status-changed")
