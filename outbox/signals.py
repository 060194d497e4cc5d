"""What the outbox tells the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent with ``email_hash`` when an address opts out, and when a message to an address that
# had opted out is dropped: apps that still hold that address in readable form forget it.
address_opted_out = Signal()
