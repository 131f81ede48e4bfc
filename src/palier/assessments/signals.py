"""Signals other apps listen to, so the test does not depend on them."""

from django.dispatch import Signal

# Sent inside the transaction that finishes an attempt, with `attempt`.
attempt_finished = Signal()
