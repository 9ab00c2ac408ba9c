from django.dispatch import Signal

# Sent inside the transaction of the change (received by dashboard.receivers).
# kwargs: check (a HabitCheck that now meets its habit's target for the day).
habit_completed = Signal()
# kwargs: response (a FormResponse, just created).
form_submitted = Signal()
# kwargs: response (a FormResponse the trainer reviewed).
form_reviewed = Signal()
# Sent inside the transaction that recorded an AutomationRun. kwargs: run.
automation_fired = Signal()
