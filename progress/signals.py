from django.dispatch import Signal

# Sent inside the workout log's transaction when a logged session beats the client's other
# sessions of a library exercise. kwargs: log, exercise (an exercises.Exercise), records
# (a list of {kind, value, reps? | weight_kg?}).
record_set = Signal()
