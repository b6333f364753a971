"""Receipts of signed pushes, so a replayed request is noticed (the digest is the key)."""

from __future__ import annotations

from datetime import datetime

from storage.sql import Session, to_ms


class ReceiptsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def remember(self, digest: str, now: datetime) -> bool:
        """True the first time a digest is seen, False for a replay."""
        changed = await self._s.execute(
            "INSERT INTO receipts (digest, received_at) VALUES (?, ?)"
            " ON CONFLICT (digest) DO NOTHING",
            (digest, to_ms(now)),
        )
        return changed == 1

    async def forget_before(self, moment: datetime) -> int:
        return await self._s.execute(
            "DELETE FROM receipts WHERE received_at < ?", (to_ms(moment),)
        )
