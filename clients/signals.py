"""Domain signals sent by the clients services; `dashboard` listens (it may import us, never
the reverse)."""

from django.dispatch import Signal

# Sent inside the accept transaction. kwargs: invite, client.
invite_accepted = Signal()

# Sent inside the transaction that deactivates a client (not on reactivation). kwargs:
# client. Billing cancels the client's subscription at period end.
client_deactivated = Signal()
