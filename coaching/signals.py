from django.dispatch import Signal

# Sent inside the transaction that recorded an AutomationRun. kwargs: run.
automation_fired = Signal()
