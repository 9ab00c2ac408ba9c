from django.dispatch import Signal

# Sent inside the assign transaction. kwargs: assignment.
plan_assigned = Signal()
