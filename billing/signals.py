from django.dispatch import Signal

# Sent inside the transaction that records a succeeded payment. kwargs: payment.
payment_received = Signal()

# Sent inside the transaction that first records a payment attempt as failed. kwargs: payment.
payment_failed = Signal()
