"""Dialogue state (aiogram's FSM) by key: a state name and a JSON object of the dialogue's data.

A row exists only while a dialogue is going on: setting no state and empty data deletes it, so
the table holds the dialogues in progress and the ones users walked away from (`forget_before`).
"""

from __future__ import annotations

from datetime import datetime

from storage.sql import Session, required, to_ms

EMPTY = "{}"


class DialoguesRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def get(self, key: str) -> tuple[str | None, str]:
        """(state, data as JSON); no dialogue reads as (None, "{}")."""
        row = await self._s.fetch_one(
            "SELECT state, data FROM dialogues WHERE dialogue_key = ?", (key,)
        )
        return (row["state"], row["data"]) if row is not None else (None, EMPTY)

    async def set_state(self, key: str, user_id: int, state: str | None, now: datetime) -> None:
        await self._s.execute(
            "INSERT INTO dialogues (dialogue_key, user_id, state, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (dialogue_key) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            (key, user_id, state, to_ms(now)),
        )
        await self._drop_if_idle(key)

    async def set_data(self, key: str, user_id: int, data: str, now: datetime) -> None:
        await self._s.execute(
            "INSERT INTO dialogues (dialogue_key, user_id, data, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (dialogue_key) DO UPDATE"
            " SET data = excluded.data, updated_at = excluded.updated_at",
            (key, user_id, data, to_ms(now)),
        )
        await self._drop_if_idle(key)

    async def _drop_if_idle(self, key: str) -> None:
        await self._s.execute(
            "DELETE FROM dialogues WHERE dialogue_key = ? AND state IS NULL AND data = ?",
            (key, EMPTY),
        )

    async def forget_before(self, moment: datetime) -> int:
        """Dialogues nobody touched since `moment`: the user walked away from them."""
        return await self._s.execute(
            "DELETE FROM dialogues WHERE updated_at < ?", (to_ms(moment),)
        )

    async def count(self) -> int:
        row = await self._s.fetch_one("SELECT COUNT(*) AS n FROM dialogues")
        return int(required(row)["n"])
