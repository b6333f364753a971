"""Who sends what in the dispatch benchmark, and what the reply to it must contain.

"add a code": a new user per update sending a new valid S10 code as a plain message. "/status": a
user who already follows `items` codes (drawn from a pool of shipments, seeded before polling).
Bare echo: a new user per update sending a code, answered with the same text. Users speak English,
so the checks can look for the English catalogue's words.
"""

from __future__ import annotations

from bench.common import s10_code
from bench.load import Outgoing, ReplyCheck
from bot.console_session import html_to_text
from bot.texts import Catalogue
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram

ADD_USERS, STATUS_USERS, BARE_USERS = 100_000_000, 200_000_000, 300_000_000
ADD_SERIALS, POOL_SERIALS, BARE_SERIALS = 10_000_000, 20_000_000, 30_000_000
POOL_SIZE = 50  # shipments the /status users' items are drawn from


def added(sent: str, reply: str) -> bool:
    return "Added" in reply and sent in reply


def echoed(sent: str, reply: str) -> bool:
    return reply == sent


def carded(sent: str, reply: str) -> bool:
    """The bare card bot answers every message with the one card it rendered at start."""
    return "Added" in reply


class Workload:
    """Who sends what: a fresh user and code per add, seeded followers for /status."""

    def __init__(self, tg: FakeTelegram, items: int) -> None:
        if not 1 <= items <= POOL_SIZE:
            raise ValueError(f"items per /status user must be between 1 and {POOL_SIZE}")
        self.tg = tg
        self.items = items
        self.pool = [s10_code(POOL_SERIALS + k) for k in range(POOL_SIZE)]

    def _chat(self, user_id: int) -> Chat:
        return Chat(self.tg, user_id, "Bench", language_code="en")

    def adds(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(ADD_USERS + i), s10_code(ADD_SERIALS + i))
            for i in range(start, start + count)
        ]

    def echoes(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(BARE_USERS + i), s10_code(BARE_SERIALS + i))
            for i in range(start, start + count)
        ]

    def statuses(self, start: int, count: int) -> list[Outgoing]:
        return [
            Outgoing(self._chat(STATUS_USERS + j), "/status") for j in range(start, start + count)
        ]

    def followers(self, count: int) -> list[tuple[int, tuple[str, ...]]]:
        """The first `count` /status users with the codes each follows (to seed before polling)."""
        items = self.items
        return [
            (STATUS_USERS + j, tuple(self.pool[(j * items + t) % POOL_SIZE] for t in range(items)))
            for j in range(count)
        ]

    def status_check(self) -> ReplyCheck:
        # One item gets its card; several get the list, headed as the catalogue heads it.
        title = Catalogue().for_language("en")("list-title", count=self.items, pages=1, page=1)
        expected = html_to_text(title) if self.items > 1 else self.pool[0][:2]
        return lambda sent, reply: expected in reply
