"""A digest of a source's whole answer, stored per shipment, so an unchanged answer (most of a
poll tick) is told apart without reading the shipment's events."""

from __future__ import annotations

import hashlib

from providers.base import TrackResult


def fingerprint(result: TrackResult) -> str:
    """A digest of everything a source said; equal digests mean nothing to store or announce."""
    # Computed for every polled number: plain strings (the statuses are str enums) and the
    # time as a POSIX timestamp, which formats in half the time of an ISO string.
    parts = [result.status, result.status_text, result.carrier or "", result.linked_code or ""]
    for event in result.events:
        parts += (
            repr(event.occurred_at.timestamp()),
            event.status,
            event.location,
            event.description,
        )
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()
