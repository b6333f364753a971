"""The load side of the dispatch benchmark: push updates into the fake Bot API and time replies.

Every update of a phase comes from a different chat, so the first message the bot sends to that
chat after the push is the reply to that update; latency is the fake server's receipt of that
sendMessage minus the push, both on this process's monotonic clock. Throughput is the phase's
update count over the time from the first push to the last reply. A burst pushes everything at
once (the bot drains a backlog: a throughput figure, its latencies are mostly queueing); a paced
phase pushes at a steady rate below capacity (a latency figure).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.common import percentile
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram, JsonDict

ReplyCheck = Callable[[str, str], bool]  # (text the user sent, text of the reply) -> as expected


@dataclass(frozen=True, slots=True)
class Outgoing:
    chat: Chat
    text: str


@dataclass(frozen=True, slots=True)
class PhaseResult:
    updates: int
    seconds: float
    latencies_ms: tuple[float, ...]
    unexpected: int  # replies whose text failed the check
    extra: int  # messages to chats that were not waiting for a reply
    failed_calls: int  # Bot API calls the fake refused during the phase
    chat_actions: int  # "typing…" and the like sent during the phase
    bot_cpu_s: float
    server_cpu_s: float

    @property
    def per_s(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0

    @property
    def bot_cpu_ms_per_update(self) -> float:
        """The bot process's CPU per update: steadier than wall time on a busy machine."""
        return 1000 * self.bot_cpu_s / self.updates if self.updates else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 0.99)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, all its threads included (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Driver:
    """Runs phases against one FakeTelegram and one bot process."""

    def __init__(self, tg: FakeTelegram, bot_pid: int) -> None:
        self.tg = tg
        self.bot_pid = bot_pid

    async def run(
        self,
        outgoing: Sequence[Outgoing],
        check: ReplyCheck,
        rate: float | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - a deadline for the whole phase
    ) -> PhaseResult:
        """Push every update (all at once, or `rate` per second) and wait for every reply."""
        bodies = [(o.chat.chat_id, o.text, o.chat.message_update(o.text)) for o in outgoing]
        if len({chat_id for chat_id, _, _ in bodies}) != len(bodies):
            raise ValueError("each update of a phase must come from its own chat")
        phase = _Phase(self.tg, len(self.tg.sent), check)
        calls_before = len(self.tg.calls)
        cpu_before = process_cpu_seconds(self.bot_pid), time.process_time()
        pusher = asyncio.create_task(phase.push(bodies, rate))
        limit = timeout if timeout is not None else 30.0 + 0.05 * len(bodies)
        try:
            if not await self.tg.until(phase.finished, limit):
                raise TimeoutError(
                    f"{len(phase.pending)} of {len(bodies)} updates got no reply in {limit:.0f}s"
                )
        finally:
            pusher.cancel()
        calls = self.tg.calls[calls_before:]
        failed = sum(1 for call in calls if not call.ok)
        return PhaseResult(
            updates=len(bodies),
            seconds=phase.last_reply_at - phase.first_push_at,
            latencies_ms=tuple(phase.latencies_ms),
            unexpected=phase.unexpected,
            extra=phase.extra,
            failed_calls=failed,
            chat_actions=sum(1 for call in calls if call.method == "sendChatAction"),
            bot_cpu_s=process_cpu_seconds(self.bot_pid) - cpu_before[0],
            server_cpu_s=time.process_time() - cpu_before[1],
        )


class _Phase:
    def __init__(self, tg: FakeTelegram, cursor: int, check: ReplyCheck) -> None:
        self.tg = tg
        self.cursor = cursor
        self.check = check
        self.pushed_at: dict[int, float] = {}
        self.pending: dict[int, str] = {}
        self.latencies_ms: list[float] = []
        self.unexpected = 0
        self.extra = 0
        self.all_pushed = False
        self.first_push_at = 0.0
        self.last_reply_at = 0.0

    async def push(self, bodies: Sequence[tuple[int, str, JsonDict]], rate: float | None) -> None:
        start = time.monotonic()
        self.first_push_at = start
        for index, (chat_id, text, message) in enumerate(bodies):
            if rate is not None:
                delay = start + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.pending[chat_id] = text
            self.pushed_at[chat_id] = time.monotonic()
            self.tg.push_update({"message": message})
        self.all_pushed = True

    def finished(self) -> bool:
        """Take in the sends recorded since the last look; True once every update is answered."""
        sent = self.tg.sent
        while self.cursor < len(sent):
            record = sent[self.cursor]
            self.cursor += 1
            text = self.pending.pop(record.chat_id, None)
            if record.action != "send" or text is None:
                self.extra += 1
                continue
            self.latencies_ms.append((record.at - self.pushed_at[record.chat_id]) * 1000)
            self.last_reply_at = max(self.last_reply_at, record.at)
            self.unexpected += not self.check(text, record.text)
        return self.all_pushed and not self.pending
