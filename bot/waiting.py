"""Waiting for a source, wrapped by the caller (a chat shows "typing…" meanwhile)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

Waiting = Callable[[], AbstractAsyncContextManager[object]]


class WaitingSpan:
    """One `waiting` for several requests: entered at the first, left with the stack."""

    def __init__(self, waiting: Waiting, stack: contextlib.AsyncExitStack) -> None:
        self._waiting = waiting
        self._stack = stack
        self._entered = False

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        if not self._entered:
            self._entered = True
            await self._stack.enter_async_context(self._waiting())
        yield
