"""aiogram's FSM storage in the bot's own database, for when no Redis is configured.

In memory, a dialogue (a rename, an order's contact question) was lost when the bot restarted,
and with several processes on one PostgreSQL database the next message of a dialogue could
reach a process that knew nothing of it. In the database every process reads the same state,
and a restart goes on where it stopped. Reading the state costs one query per update, as
RedisStorage's costs one Redis call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from providers.clock import Clock
from storage import Database


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._keys = DefaultKeyBuilder(
            with_bot_id=True, with_business_connection_id=True, with_destiny=True
        )

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        async with self._db.transaction() as tx:
            await tx.dialogues.set_state(self._key(key), key.user_id, name, self._clock())

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._db.glance() as tx:  # on every update: the cheapest read there is
            state, _ = await tx.dialogues.get(self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        async with self._db.transaction() as tx:
            await tx.dialogues.set_data(self._key(key), key.user_id, encoded, self._clock())

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._db.glance() as tx:
            _, data = await tx.dialogues.get(self._key(key))
        decoded = json.loads(data)
        return decoded if isinstance(decoded, dict) else {}

    async def close(self) -> None:
        """The database belongs to the app, which closes it."""
