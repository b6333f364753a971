"""A minimal HTTP source on 127.0.0.1 for pacing tests: `GET /` answers `{"ok": true}`.

It notes when each request arrived (and its `worker` query parameter); with `refuse_first`, the
first request gets 429 with `Retry-After: 1`, as a carrier over its rate answers.
"""

from __future__ import annotations

import time

from aiohttp import web

from tests.fakes.loopback import serve


class PlainSource:
    def __init__(self, *, refuse_first: bool = False) -> None:
        self.refuse_first = refuse_first
        self.received: list[tuple[str, float]] = []  # (worker, time.monotonic())
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def stamps(self) -> list[float]:
        return [at for _, at in self.received]

    async def __aenter__(self) -> PlainSource:
        app = web.Application()
        app.router.add_get("/", self._answer)
        self._runner, self.url = await serve(app)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        self.received.append((request.query.get("worker", ""), time.monotonic()))
        if self.refuse_first and len(self.received) == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return web.json_response({"ok": True})
