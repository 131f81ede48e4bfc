"""Palier's password hasher: Argon2id with OWASP's minimum parameters.

Django's default Argon2 costs 100 MiB of memory per hash; thirty students signing in together
at the start of a session then queue for memory and CPU (a median of 20 s was measured on a
2-core server). OWASP's password storage cheat sheet lists, as equivalent minimum settings,
m=19 MiB, t=2, p=1 for Argon2id; we use that. The algorithm name stays "argon2", so hashes
made with other parameters still verify and Django rehashes them with these at the next
successful login (`must_update`). See docs/performance.md, "Logins".
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher

# OWASP Password Storage Cheat Sheet, Argon2id: "m=19456 (19 MiB), t=2, p=1".
ARGON2_MEMORY_COST_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1


class PalierArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB, 2 passes, 1 lane."""

    memory_cost = ARGON2_MEMORY_COST_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM
