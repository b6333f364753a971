"""Per-user allowances over sliding windows, in one place: housekeeping keeps each use as long
as the longest window, and no longer, since a use names a user even after /forget."""

from __future__ import annotations

from datetime import timedelta

ORDER_PROOFS_PER_WINDOW = 5  # contacts checked with the shop: each one is a guess at a stranger's
ORDER_PROOF_WINDOW = timedelta(hours=1)
NEW_NUMBERS_WINDOW = timedelta(days=1)  # the count itself is NEW_NUMBERS_PER_USER_PER_DAY
ALLOWANCE_USES_KEPT = max(ORDER_PROOF_WINDOW, NEW_NUMBERS_WINDOW)
