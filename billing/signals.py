from django.dispatch import Signal

# Sent inside the transaction that records a succeeded payment. kwargs: payment.
payment_received = Signal()
