"""Domain signals of progress, sent inside the transaction of the change (dashboard writes
the event rows of the spine from them, so they commit or roll back together)."""

from django.dispatch import Signal

# kwargs: photo (a ProgressPhoto just stored).
photo_uploaded = Signal()
# kwargs: client, stat (the new BodyStat; the first new one of an import), count (rows
# created: 1 for an entry, the batch's new rows for an import), source (BodyStatSource).
metric_logged = Signal()
# Sent inside the workout log's transaction when a logged session beats the client's other
# sessions of a library exercise. kwargs: log, exercise (an exercises.Exercise), records
# (a list of {kind, value, reps? | weight_kg?}).
record_set = Signal()
# Sent inside the review's transaction when a trainer reviews a check-in. kwargs: check_in.
check_in_reviewed = Signal()
