from django.dispatch import Signal

# Sent inside the transaction that stored a message (received by dashboard.receivers, which
# writes the `message.sent` event and wakes both sides' streams). kwargs: message.
message_sent = Signal()
# Sent inside the transaction that edited or deleted a message (its author, within the edit
# window): the `message.edited` / `message.deleted` event wakes both sides' streams, which
# get the message as it is now. kwargs: message, kind ("edited" or "deleted").
message_changed = Signal()
