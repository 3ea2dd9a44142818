"""What auth tells the features built on it; they connect receivers in their listeners.py.

A receiver runs inside the sender's transaction: it adds to the session and never commits.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with the new user (as sender) once her account is in the session (flushed, with an id):
# she registered, or accepted an invitation.
account_created = _signals.signal("account-created")
