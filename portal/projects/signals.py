"""What projects tells the features built on it (answered in their listeners.py)."""

from blinker import Namespace

_signals = Namespace()

# `flask reminders send` asks for the reminders current on a day: each receiver, called with
# `today=`, returns its reminders (projects/reminders/services.py: Reminder), queued once each
# with the projects' own.
reminders_collected = _signals.signal("reminders-collected")
