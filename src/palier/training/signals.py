"""Extension points other apps plug into, so training does not depend on them.

- `plan_entry_added`: sent inside the transaction that adds a module or resource to a plan
  (not when it was already there), with `entry`.
- `plan_entry_completed`: sent inside the transaction that marks an entry completed, with
  `entry`.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_entry_added = Signal()
plan_entry_completed = Signal()
