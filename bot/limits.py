"""Per-user allowances over sliding windows, in one place: housekeeping keeps each use as long
as the longest window, and no longer, since a use names a user even after /forget."""

from __future__ import annotations

from datetime import timedelta

from storage.allowances import AllowanceKind, AllowanceRule

# Contacts checked with the shop: each one is a guess at a stranger's.
ORDER_PROOFS = AllowanceRule(AllowanceKind.ORDER_PROOF, timedelta(hours=1), 5)
NEW_NUMBERS_WINDOW = timedelta(days=1)  # the count itself is NEW_NUMBERS_PER_USER_PER_DAY
ALLOWANCE_USES_KEPT = max(ORDER_PROOFS.window, NEW_NUMBERS_WINDOW)


def new_numbers(per_day: int) -> AllowanceRule:
    return AllowanceRule(AllowanceKind.NEW_NUMBER, NEW_NUMBERS_WINDOW, per_day)
