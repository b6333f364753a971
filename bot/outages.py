"""Which failures of an update mean "a store is out of reach for now", not a bug.

While Redis or the database is down, every update fails the same way: the user is asked to
send it again in a minute (in webhook mode Telegram is, by a 503), and the operator gets one line
every few minutes (with the count in `bot_updates_failed_total`) instead of a traceback per
update.
"""

from __future__ import annotations

import redis.exceptions

from storage import StorageUnavailableError

_REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def unreachable_store(exc: BaseException) -> str | None:
    """The store the failure could not reach ("redis", "database"), or None for any other."""
    if isinstance(exc, _REDIS_DOWN):
        return "redis"
    if isinstance(exc, StorageUnavailableError):
        return "database"
    return None
