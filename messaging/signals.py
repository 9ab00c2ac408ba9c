from django.dispatch import Signal

# Sent inside the transaction that stored a message (received by dashboard.receivers, which
# writes the `message.sent` event and wakes both sides' streams). kwargs: message.
message_sent = Signal()
