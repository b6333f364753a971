"""Webhook mode over real HTTP: the secret header is checked, a repeated update is handled once
(also when the repeat reaches a second process on the same database), and an update is answered
only once handled, so one left unfinished by a stopped or dead process is handled on its next
delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.app import assemble
from bot.config import Settings
from bot.runner import serve_webhook, webhook_secret
from bot.webhook import LEASE
from providers.clock import ManualClock
from storage import ClaimOutcome
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.webhooks import SECRET, deliver, free_port, webhook_bot, webhook_settings


def settings_for(tg: FakeTelegram, tmp_path: Path, port: int) -> Settings:
    return webhook_settings(tg, tmp_path / "bot.sqlite3", port)


async def delivered_when_stopped(port: int, update: dict[str, Any]) -> int | None:
    """The answer to a delivery, or None when the process went away without one."""
    try:
        return await deliver(port, update)
    except httpx.TransportError:
        return None


async def test_the_webhook_is_registered_with_its_secret(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    async with webhook_bot(settings_for(tg, tmp_path, port), clock):
        await tg.wait_until(lambda: any(c.method == "setWebhook" for c in tg.calls), 10, "hook")
    call = next(c for c in tg.calls if c.method == "setWebhook")
    assert call.params["url"] == f"http://127.0.0.1:{port}/tg/hook"
    assert call.params["secret_token"] == SECRET


async def test_a_wrong_or_missing_secret_is_refused(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    alice = Chat(tg, 1001)
    async with webhook_bot(settings_for(tg, tmp_path, port), clock):
        update = {"update_id": 1, "message": alice.message_update("/start")}
        assert await deliver(port, update, secret="wrong") in {401, 403}
        assert await deliver(port, update, secret=None) in {401, 403}
        await asyncio.sleep(0.3)
    assert alice.messages == []


async def test_a_repeated_update_is_handled_once_even_by_another_process(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    first_port, second_port = free_port(), free_port()
    alice = Chat(tg, 1001)
    update = {"update_id": 42, "message": alice.message_update("/start")}
    async with webhook_bot(settings_for(tg, tmp_path, first_port), clock):
        assert await deliver(first_port, update) == 200
        await tg.wait_until(lambda: len(alice.messages) == 1, 10, "the greeting")
        assert await deliver(first_port, update) == 200
        second = settings_for(tg, tmp_path, second_port)
        async with webhook_bot(second, clock):
            assert await deliver(second_port, update) == 200
            await asyncio.sleep(0.5)
        fresh = {"update_id": 43, "message": alice.message_update("/help")}
        assert await deliver(first_port, fresh) == 200
        await tg.wait_until(lambda: len(alice.messages) == 2, 10, "the help")
    assert len(alice.messages) == 2


async def test_something_that_is_not_an_update_is_refused(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    async with webhook_bot(settings_for(tg, tmp_path, port), clock):
        assert await deliver(port, {"hello": "world"}) == 400
        assert await deliver(port, [1, 2]) == 400


async def test_an_update_another_process_is_handling_is_asked_for_again_later(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    alice = Chat(tg, 1001)
    update = {"update_id": 77, "message": alice.message_update("/help")}
    async with webhook_bot(settings_for(tg, tmp_path, port), clock) as app:
        async with app.db.transaction() as tx:  # a process that took it, then died
            taken = await tx.update_claims.take(77, clock(), clock() + LEASE)
        assert taken is ClaimOutcome.TAKEN
        assert await deliver(port, update) == 503
        await asyncio.sleep(0.3)
        assert alice.messages == []
        clock.advance(seconds=LEASE.total_seconds())
        assert await deliver(port, update) == 200  # answered once handled
        assert len(alice.messages) == 1
        assert await deliver(port, update) == 200
    assert len(alice.messages) == 1


@asynccontextmanager
async def stopped_mid_update(
    tg: FakeTelegram, settings: Settings, clock: ManualClock, update: dict[str, Any]
) -> AsyncIterator[tuple[asyncio.Task[int], asyncio.Task[int | None]]]:
    """A webhook process told to stop while its reply to `update` is held at the fake Telegram:
    the task serving the webhook, and the delivery waiting for its answer."""
    async with assemble(settings, clock=clock) as app:
        stop = asyncio.Event()
        serving = asyncio.create_task(serve_webhook(app, stop))
        await tg.wait_until(lambda: any(c.method == "setWebhook" for c in tg.calls), 10, "hook")
        tg.hold_sends()
        delivery = asyncio.create_task(delivered_when_stopped(settings.web_port, update))
        await tg.wait_until(lambda: tg.held == 1, 10, "the reply on its way")
        stop.set()
        yield serving, delivery


async def test_a_stop_lets_the_update_in_hand_finish_before_closing(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    alice = Chat(tg, 1001)
    update = {"update_id": 50, "message": alice.message_update("/help")}
    settings = settings_for(tg, tmp_path, free_port())
    async with stopped_mid_update(tg, settings, clock, update) as (serving, delivery):
        await asyncio.sleep(0.3)
        tg.release_sends()
        assert await delivery == 200
        assert await serving == 0
    assert len(alice.messages) == 1


async def test_an_update_cut_off_by_a_stop_is_handled_by_the_next_process(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    alice = Chat(tg, 1001)
    update = {"update_id": 60, "message": alice.message_update("/help")}
    first = settings_for(tg, tmp_path, free_port())
    async with stopped_mid_update(tg, first, clock, update) as (serving, delivery):
        assert await serving == 0  # the grace ran out: the update was cut off, unanswered
        assert await delivery is None
    tg.release_sends(deliver=False)
    second_port = free_port()
    async with webhook_bot(settings_for(tg, tmp_path, second_port), clock):
        assert await deliver(second_port, update) == 200
    assert len(alice.messages) == 1


async def test_a_secret_header_with_non_ascii_characters_is_refused(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    alice = Chat(tg, 1001)
    async with webhook_bot(settings_for(tg, tmp_path, port), clock):
        update = {"update_id": 1, "message": alice.message_update("/start")}
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/tg/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "секрет".encode()},
            )
        assert response.status_code in {401, 403}
    assert alice.messages == []


async def test_without_webhook_secret_one_derived_from_the_token_is_required(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock
) -> None:
    port = free_port()
    alice = Chat(tg, 1001)
    settings = settings_for(tg, tmp_path, port).model_copy(update={"webhook_secret": None})
    async with webhook_bot(settings, clock):
        await tg.wait_until(lambda: any(c.method == "setWebhook" for c in tg.calls), 10, "hook")
        derived = next(c for c in tg.calls if c.method == "setWebhook").params["secret_token"]
        update = {"update_id": 1, "message": alice.message_update("/start")}
        assert await deliver(port, update, secret=None) in {401, 403}
        assert await deliver(port, update, secret=derived) == 200
        await alice.tg.until(lambda: bool(alice.messages), 10)
    assert derived == webhook_secret(settings)
    assert tg.token.split(":", 1)[1] not in derived
    assert len(derived) == 64 and derived.isalnum()
