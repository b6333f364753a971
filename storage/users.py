"""Users: who talks to the bot, their settings, and whether Telegram still lets us write."""

from __future__ import annotations

from datetime import datetime

from storage.models import User
from storage.sql import Row, Session, from_ms, required, select_list, to_ms

COLUMNS = (
    "id",
    "language",
    "tg_language",
    "timezone",
    "quiet_hours",
    "notifications",
    "active",
    "created_at",
)
_SELECT = select_list("u", COLUMNS)


def user_from_row(row: Row, prefix: str = "") -> User:
    return User(
        id=row[f"{prefix}id"],
        language=row[f"{prefix}language"],
        tg_language=row[f"{prefix}tg_language"],
        timezone=row[f"{prefix}timezone"],
        quiet_hours=row[f"{prefix}quiet_hours"],
        notifications=bool(row[f"{prefix}notifications"]),
        active=bool(row[f"{prefix}active"]),
        created_at=from_ms(row[f"{prefix}created_at"]),
    )


class UsersRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def seen(self, user_id: int, tg_language: str | None, now: datetime) -> User:
        """Upsert on every update: a user who writes again is reachable again.

        A missing language_code keeps the last one Telegram reported.
        """
        row = await self._s.fetch_one(
            "INSERT INTO users AS u (id, tg_language, notifications, active, created_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET"
            " tg_language = COALESCE(excluded.tg_language, u.tg_language),"
            " active = excluded.active"
            f" RETURNING {', '.join(COLUMNS)}",
            (user_id, tg_language, True, True, to_ms(now)),
        )
        return user_from_row(required(row))

    async def ensure(self, user_id: int, now: datetime) -> None:
        """The user's row exists (as new if it was not there): something of theirs is about to
        be written, and another process may have erased them since this one cached them."""
        await self._s.execute(
            "INSERT INTO users (id, notifications, active, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (user_id, True, True, to_ms(now)),
        )

    async def count_active(self) -> int:
        row = await self._s.fetch_one("SELECT COUNT(*) AS n FROM users WHERE active = ?", (True,))
        return int(required(row)["n"])

    async def get(self, user_id: int) -> User | None:
        row = await self._s.fetch_one(f"SELECT {_SELECT} FROM users u WHERE u.id = ?", (user_id,))
        return None if row is None else user_from_row(row)

    async def set_language(self, user_id: int, language: str | None) -> None:
        await self._s.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_timezone(self, user_id: int, tz: str | None) -> None:
        await self._s.execute("UPDATE users SET timezone = ? WHERE id = ?", (tz, user_id))

    async def set_quiet_hours(self, user_id: int, value: str | None) -> None:
        await self._s.execute("UPDATE users SET quiet_hours = ? WHERE id = ?", (value, user_id))

    async def set_notifications(self, user_id: int, enabled: bool) -> None:
        await self._s.execute(
            "UPDATE users SET notifications = ? WHERE id = ?", (enabled, user_id)
        )

    async def set_active(self, user_id: int, active: bool) -> None:
        await self._s.execute("UPDATE users SET active = ? WHERE id = ?", (active, user_id))

    async def erase(self, user_id: int) -> bool:
        """Delete the user with their subscriptions, messages and dialogues; False if there was
        no such user.

        Followers counts are kept in step first (the foreign keys' cascade would bypass them);
        shipments nobody follows any more are left for `ShipmentsRepo.delete_orphans`. The
        user's allowance uses stay: they only count against the limits, and housekeeping
        deletes them within a day.
        """
        await self._s.execute(
            "UPDATE shipments SET followers = followers - 1"
            " WHERE id IN (SELECT shipment_id FROM subscriptions WHERE user_id = ?)",
            (user_id,),
        )
        await self._s.execute("DELETE FROM subscriptions WHERE user_id = ?", (user_id,))
        await self._s.execute("DELETE FROM outbox WHERE user_id = ?", (user_id,))
        await self._s.execute("DELETE FROM dialogues WHERE user_id = ?", (user_id,))
        return await self._s.execute("DELETE FROM users WHERE id = ?", (user_id,)) > 0
