"""17TRACK pushes: check the signature, refuse replays, feed the same change pipeline as polling.

17TRACK signs a push as hex SHA-256 of the raw body, "/" and the API key. A valid push for a
number nobody follows is acknowledged and ignored (the dashboard's test push does exactly
that). Polling of a pushed number slows to a safety net.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.tracking import TrackingService
from providers.statuses import CATALOGUE
from providers.track17_mapping import parse_track_info

log = logging.getLogger(__name__)

SAFETY_NET = timedelta(hours=12)  # polling of a number that pushes arrive for
RECEIPTS_KEPT = timedelta(days=7)
SOURCE = "track17"


class PushVerdict(StrEnum):
    APPLIED = "applied"
    IGNORED = "ignored"  # valid, but about nothing we follow
    BAD_SIGNATURE = "bad_signature"
    REPLAYED = "replayed"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class PushOutcome:
    verdict: PushVerdict
    number: str = ""


def expected_sign(body: bytes, api_key: str) -> str:
    return hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()


class Track17Pushes:
    def __init__(self, tracking: TrackingService, api_key: str) -> None:
        self._tracking = tracking
        self._key = api_key

    async def receive(self, body: bytes, sign: str | None) -> PushOutcome:
        parsed = self._read(body, sign)
        if isinstance(parsed, PushOutcome):
            return parsed
        event, number, data = parsed
        db, now = self._tracking.db, self._tracking.clock()
        async with db.transaction() as tx:
            if not await tx.receipts.remember(hashlib.sha256(body).hexdigest(), now):
                return PushOutcome(PushVerdict.REPLAYED, number)
            await tx.receipts.forget_before(now - RECEIPTS_KEPT)
            shipment = await tx.shipments.find(SOURCE, number.upper())
        if shipment is None or event not in {"TRACKING_UPDATED", "TRACKING_STOPPED"}:
            return PushOutcome(PushVerdict.IGNORED, number)
        if event == "TRACKING_STOPPED" or data.get("track_info") is None:
            # 17TRACK gave up on it, or said something changed without saying what: our own
            # poll finds out (read as "not found", the push would wipe a known status).
            async with db.transaction() as tx:
                await tx.shipments.set_next_check([shipment.id], now)
            return PushOutcome(PushVerdict.APPLIED, number)
        try:
            result = parse_track_info(shipment.code, data)
        except ValueError:
            return PushOutcome(PushVerdict.MALFORMED, number)
        await self._tracking.recorder.record_batch([shipment], {shipment.code: result})
        if CATALOGUE[result.status].poll_factor is not None:
            async with db.transaction() as tx:
                await tx.shipments.set_next_check([shipment.id], now + SAFETY_NET)
        log.info("17TRACK push applied for a followed number (%s)", result.status)
        return PushOutcome(PushVerdict.APPLIED, number)

    def _read(
        self, body: bytes, sign: str | None
    ) -> tuple[str, str, dict[str, Any]] | PushOutcome:
        """Signature first (nothing unsigned is even parsed), then the envelope."""
        # Compared as bytes: compare_digest refuses a str with a non-ASCII character.
        if not sign or not hmac.compare_digest(
            expected_sign(body, self._key).encode(), sign.strip().lower().encode()
        ):
            return PushOutcome(PushVerdict.BAD_SIGNATURE)
        try:
            message = json.loads(body)
            data = message["data"]
            return str(message["event"]), str(data["number"]), dict(data)
        except (ValueError, KeyError, TypeError):
            return PushOutcome(PushVerdict.MALFORMED)
