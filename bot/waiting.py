"""Waiting for a source, wrapped by the caller (a chat shows "typing…" meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

# Entered around each request a use case makes to a source on a user's behalf.
Waiting = Callable[[], AbstractAsyncContextManager[object]]
