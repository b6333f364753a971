"""Starting a benchmark bot in its own process and stopping it cleanly.

Where the platform allows, the child is forked from this process, which has already imported
everything: importing aiogram alone takes seconds (it rebuilds hundreds of pydantic models), and
paying that twice more would eat a third of the benchmark's time budget. The fork happens from
the event loop's thread, which asyncio tolerates (a loop belongs to the pid that ran it); the
child starts its own loop and keeps the inherited objects out of its garbage collector
(`bench.bots.serve`). Elsewhere it is spawned. The bot counts as ready once it has called getMe,
which `start_polling` does right before its first getUpdates; anything pushed earlier simply
waits in the fake server's queue.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench.bots import BotSpec, serve
from tests.fakes.telegram import FakeTelegram

READY_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 30.0


@asynccontextmanager
async def bot_process(tg: FakeTelegram, spec: BotSpec) -> AsyncIterator[int]:
    """Run a bot process for the body of the block; yields its pid."""
    context = _context()
    stop = context.Event()
    process = context.Process(target=serve, args=(spec, stop), name=f"bench-{spec.kind}-bot")
    mark = len(tg.calls)
    process.start()
    try:
        await _wait_ready(tg, process, mark)
        assert process.pid is not None
        yield process.pid
    finally:
        stop.set()
        await asyncio.to_thread(process.join, STOP_TIMEOUT_S)
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join)
    if process.exitcode != 0:
        raise RuntimeError(f"the {spec.kind} bot process exited with code {process.exitcode}")


def _context() -> multiprocessing.context.ForkContext | multiprocessing.context.SpawnContext:
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


async def _wait_ready(
    tg: FakeTelegram, process: multiprocessing.process.BaseProcess, mark: int
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_S

    def called_get_me() -> bool:
        return any(call.method == "getMe" for call in tg.calls[mark:])

    while not await tg.until(called_get_me, 0.5):
        if not process.is_alive():
            raise RuntimeError(f"the bot process died before polling (exit {process.exitcode})")
        if loop.time() > deadline:
            raise TimeoutError(f"the bot process did not start polling in {READY_TIMEOUT_S}s")
