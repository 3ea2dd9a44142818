"""What awards tells the features built on it; they connect receivers in their listeners.py.

A receiver runs inside the sender's transaction and never commits.
"""

from blinker import Namespace

_signals = Namespace()

# Sent with the competition (as sender) whose published results are shown to the public; each
# receiver returns a list of `publication.public.PublicExternalAward` for the page to list.
public_results_shown = _signals.signal("public-results-shown")

# Sent with the entry ids of a page of the winners' gallery (as sender); each receiver returns a
# dict entry id → the address of a page that tells more about that winner's project.
gallery_shown = _signals.signal("gallery-shown")

# Sent with the award (as sender) when it is revoked, in the revoking transaction: actor_id=.
award_revoked = _signals.signal("award-revoked")
