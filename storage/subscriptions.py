"""Subscriptions: a user following a shipment under their own label; ownership is checked here.

Every method that acts on one subscription takes the acting user's id and matches it in SQL, so
another user's id simply finds nothing. Labels are also stored case-folded (`str.casefold`)
because SQL `lower()` does not fold Cyrillic in every engine. `add` and `delete` keep
`shipments.followers` in step so orphaned shipments are found without a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.models import Item, Subscription, User
from storage.shipment_rows import COLUMNS as SHIPMENT_COLUMNS
from storage.shipment_rows import shipment_from_row
from storage.sql import (
    Row,
    Session,
    from_ms,
    marks,
    opt_dt,
    required,
    select_list,
    to_ms,
)
from storage.users import COLUMNS as USER_COLUMNS
from storage.users import user_from_row

COLUMNS = (
    "id",
    "user_id",
    "shipment_id",
    "label",
    "muted",
    "archived",
    "created_at",
    "refreshed_at",
)
_RETURNING = ", ".join(COLUMNS)
_ITEM_FROM = (
    f"SELECT {select_list('s', COLUMNS)}, {select_list('sh', SHIPMENT_COLUMNS, 'sh_')}"
    " FROM subscriptions s JOIN shipments sh ON sh.id = s.shipment_id"
)
_NEWEST_FIRST = "ORDER BY s.created_at DESC, s.id DESC"
_LIKE_ESCAPE = "!"
# Named so the query-plan tests read the very statements the hot paths run.
LIST_ITEMS_SQL = (
    f"{_ITEM_FROM} WHERE s.user_id = ? AND s.archived = ? {_NEWEST_FIRST} LIMIT ? OFFSET ?"
)
FOLLOWERS_SQL = (
    f"SELECT {select_list('s', COLUMNS)}, {select_list('u', USER_COLUMNS, 'u_')}"
    " FROM subscriptions s JOIN users u ON u.id = s.user_id"
    " WHERE s.shipment_id = ? AND u.active = ? ORDER BY s.id"
)


def subscription_from_row(row: Row) -> Subscription:
    return Subscription(
        id=row["id"],
        user_id=row["user_id"],
        shipment_id=row["shipment_id"],
        label=row["label"],
        muted=bool(row["muted"]),
        archived=bool(row["archived"]),
        created_at=from_ms(row["created_at"]),
        refreshed_at=opt_dt(row["refreshed_at"]),
    )


def item_from_row(row: Row) -> Item:
    return Item(subscription_from_row(row), shipment_from_row(row, "sh_"))


def fold(text: str) -> str:
    """The form labels are searched in: caseless, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def _like_pattern(needle: str) -> str:
    escaped = needle.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


class SubscriptionsRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    async def add(
        self, user_id: int, shipment_id: int, label: str, now: datetime
    ) -> tuple[Subscription, bool]:
        """Follow a shipment; adding it again brings it back from the archive.

        An existing subscription keeps its label unless a non-empty one is given.
        """
        label = label.strip()
        row = await self._s.fetch_one(
            "INSERT INTO subscriptions"
            " (user_id, shipment_id, label, label_folded, muted, archived, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (user_id, shipment_id) DO NOTHING RETURNING {_RETURNING}",
            (user_id, shipment_id, label, fold(label), False, False, to_ms(now)),
        )
        if row is not None:
            await self._s.execute(
                "UPDATE shipments SET followers = followers + 1 WHERE id = ?", (shipment_id,)
            )
            return subscription_from_row(row), True
        new_label = label or None
        row = await self._s.fetch_one(
            "UPDATE subscriptions SET archived = ?, label = COALESCE(?, label),"
            " label_folded = COALESCE(?, label_folded)"
            f" WHERE user_id = ? AND shipment_id = ? RETURNING {_RETURNING}",
            (False, new_label, new_label and fold(new_label), user_id, shipment_id),
        )
        return subscription_from_row(required(row)), False

    async def find_for(self, user_id: int, shipment_id: int) -> Subscription | None:
        row = await self._s.fetch_one(
            f"SELECT {_RETURNING} FROM subscriptions WHERE user_id = ? AND shipment_id = ?",
            (user_id, shipment_id),
        )
        return None if row is None else subscription_from_row(row)

    async def get_item(self, subscription_id: int, user_id: int) -> Item | None:
        """None when the subscription does not exist or belongs to someone else."""
        row = await self._s.fetch_one(
            f"{_ITEM_FROM} WHERE s.id = ? AND s.user_id = ?", (subscription_id, user_id)
        )
        return None if row is None else item_from_row(row)

    async def list_items(
        self, user_id: int, *, offset: int = 0, limit: int = 50, archived: bool = False
    ) -> list[Item]:
        rows = await self._s.fetch_all(LIST_ITEMS_SQL, (user_id, archived, limit, offset))
        return [item_from_row(row) for row in rows]

    async def count(self, user_id: int, *, archived: bool = False) -> int:
        row = await self._s.fetch_one(
            "SELECT COUNT(*) AS n FROM subscriptions WHERE user_id = ? AND archived = ?",
            (user_id, archived),
        )
        return int(required(row)["n"])

    async def find_items(self, user_id: int, query: str, *, limit: int = 50) -> list[Item]:
        """Items whose code (or linked code) is the query, or whose label contains it.

        An order number is found with or without its `#` or `№` (`1001` finds `#1001`).
        Archived items are included after the current ones.
        """
        code = "".join(query.split()).upper()
        needle = fold(query)
        if not needle:
            return []
        bare = code.lstrip("#№")
        rows = await self._s.fetch_all(
            f"{_ITEM_FROM} WHERE s.user_id = ?"
            " AND (sh.code IN (?, ?, ?, ?) OR sh.linked_code = ?"
            f" OR s.label_folded LIKE ? ESCAPE '{_LIKE_ESCAPE}')"
            f" ORDER BY s.archived, s.created_at DESC, s.id DESC LIMIT ?",
            (user_id, code, bare, f"#{bare}", f"№{bare}", code, _like_pattern(needle), limit),
        )
        return [item_from_row(row) for row in rows]

    async def rename(self, subscription_id: int, user_id: int, label: str) -> bool:
        label = label.strip()
        changed = await self._s.execute(
            "UPDATE subscriptions SET label = ?, label_folded = ? WHERE id = ? AND user_id = ?",
            (label, fold(label), subscription_id, user_id),
        )
        return changed > 0

    async def set_muted(self, subscription_id: int, user_id: int, muted: bool) -> bool:
        changed = await self._s.execute(
            "UPDATE subscriptions SET muted = ? WHERE id = ? AND user_id = ?",
            (muted, subscription_id, user_id),
        )
        return changed > 0

    async def set_archived(self, subscription_id: int, user_id: int, archived: bool) -> bool:
        changed = await self._s.execute(
            "UPDATE subscriptions SET archived = ? WHERE id = ? AND user_id = ?",
            (archived, subscription_id, user_id),
        )
        return changed > 0

    async def archive_finished(
        self, statuses: Sequence[str], checked_before: datetime, limit: int
    ) -> int:
        """Archive up to `limit` items whose shipment ended in one of `statuses` and has not
        been checked since `checked_before` (so no longer polled); returns how many."""
        rows = await self._s.fetch_all(
            "SELECT s.id FROM subscriptions s JOIN shipments sh ON sh.id = s.shipment_id"
            f" WHERE s.archived = ? AND sh.status IN ({marks(len(statuses))})"
            " AND sh.next_check_at IS NULL AND sh.checked_at < ? LIMIT ?",
            (False, *statuses, to_ms(checked_before), limit),
        )
        ids = [row["id"] for row in rows]
        if not ids:
            return 0
        return await self._s.execute(
            f"UPDATE subscriptions SET archived = ? WHERE id IN ({marks(len(ids))})",
            (True, *ids),
        )

    async def restore_all(self, shipment_id: int) -> int:
        """Bring every follower's archived item of the shipment back to their lists."""
        return await self._s.execute(
            "UPDATE subscriptions SET archived = ? WHERE shipment_id = ? AND archived = ?",
            (False, shipment_id, True),
        )

    async def delete(self, subscription_id: int, user_id: int) -> bool:
        row = await self._s.fetch_one(
            "DELETE FROM subscriptions WHERE id = ? AND user_id = ? RETURNING shipment_id",
            (subscription_id, user_id),
        )
        if row is None:
            return False
        await self._s.execute(
            "UPDATE shipments SET followers = followers - 1 WHERE id = ?", (row["shipment_id"],)
        )
        return True

    async def touch_refresh(self, subscription_id: int, at: datetime) -> None:
        await self._s.execute(
            "UPDATE subscriptions SET refreshed_at = ? WHERE id = ?",
            (to_ms(at), subscription_id),
        )

    async def followers(self, shipment_id: int) -> list[tuple[Subscription, User]]:
        """Everyone to alert, muted included (the caller decides); blocked users left out."""
        rows = await self._s.fetch_all(FOLLOWERS_SQL, (shipment_id, True))
        return [(subscription_from_row(row), user_from_row(row, "u_")) for row in rows]

    async def count_all(self) -> int:
        row = await self._s.fetch_one("SELECT COUNT(*) AS n FROM subscriptions")
        return int(required(row)["n"])
