"""Domain signals sent by the clients services; `dashboard` listens (it may import us, never
the reverse)."""

from django.dispatch import Signal

# Sent inside the accept transaction. kwargs: invite, client.
invite_accepted = Signal()
