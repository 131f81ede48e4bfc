"""Extension points other apps plug into, so certification does not depend on them.

- `certificate_issued`: sent inside the transaction that issues a certificate, with
  `certificate`.
"""

from __future__ import annotations

from django.dispatch import Signal

certificate_issued = Signal()
