"""17TRACK webhook pushes over real HTTP: signature, replays, and the change pipeline."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.app import App
from providers.clock import ManualClock
from tests.conftest import running_bot, track17_settings
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track, sign

KEY = "push-test-key"
CODE = "RB123456785GB"
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "17track"


@pytest.fixture
async def track17() -> AsyncIterator[Fake17Track]:
    async with Fake17Track(KEY) as fake:
        yield fake


@pytest.fixture
async def bot_app(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, track17: Fake17Track
) -> AsyncIterator[App]:
    settings = track17_settings(
        tg,
        tmp_path / "bot.sqlite3",
        track17,
        web_port=0,
    )
    async with running_bot(settings, clock) as app:
        await app.web.start()
        yield app


async def post(app: App, body: bytes, signature: str | bytes | None) -> httpx.Response:
    headers: dict[str, str | bytes] = {"Content-Type": "application/json"}
    if signature is not None:
        headers["sign"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"http://127.0.0.1:{app.web.port}/webhooks/17track", content=body, headers=headers
        )


async def followed(chat: Callable[..., Chat], track17: Fake17Track) -> Chat:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    return alice


async def test_a_signed_push_reaches_followers_and_slows_polling(
    bot_app: App, track17: Fake17Track, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    alice = await followed(chat, track17)
    clock.advance(minutes=30)
    track17.set_track(
        CODE,
        "InTransit",
        "InTransit_Arrival",
        events=[
            {
                "time_iso": (clock.now - timedelta(hours=1)).isoformat(),
                "description": "Arrived at destination country, destinatário",
                "location": "MOSCOW",
                "stage": "Arrival",
            }
        ],
    )
    body = track17.push_body(CODE)
    response = await post(bot_app, body, sign(body, KEY))
    assert response.status_code == 200
    assert response.json() == {"result": "applied"}
    assert bot_app.sender is not None
    await bot_app.sender.drain(budget_seconds=5)
    await alice.tg.until(lambda: any(m.text.startswith("🔔") for m in alice.messages), 3)
    assert any("destination country, destinatário" in m.text for m in alice.messages)
    async with bot_app.db.read() as tx:
        shipment = await tx.shipments.find("track17", CODE)
    assert shipment is not None and shipment.next_check_at is not None
    assert shipment.next_check_at - clock.now >= timedelta(hours=11)


async def test_a_bad_signature_is_refused_and_changes_nothing(
    bot_app: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    await followed(chat, track17)
    track17.set_track(CODE, "Delivered", "Delivered_Other")
    body = track17.push_body(CODE)
    forged = (None, "", sign(body, "another-key"), sign(body + b" ", KEY), "подпись".encode())
    for signature in forged:
        response = await post(bot_app, body, signature)
        assert response.status_code == 401
    async with bot_app.db.read() as tx:
        shipment = await tx.shipments.find("track17", CODE)
    assert shipment is not None and shipment.status.value != "delivered"


async def test_a_replayed_push_is_refused(
    bot_app: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    await followed(chat, track17)
    track17.set_track(CODE, "InTransit", "InTransit_Other")
    body = track17.push_body(CODE)
    assert (await post(bot_app, body, sign(body, KEY))).status_code == 200
    replay = await post(bot_app, body, sign(body, KEY))
    assert replay.status_code == 409


async def test_a_push_for_an_unknown_number_is_acknowledged(bot_app: App) -> None:
    body = (FIXTURES / "webhook_tracking_updated_dashboard_test_v24.json").read_bytes()
    response = await post(bot_app, body, sign(body, KEY))
    assert response.status_code == 200
    assert response.json() == {"result": "ignored"}


async def test_a_signed_but_malformed_push_is_a_bad_request(bot_app: App) -> None:
    for body in (b"{not json", json.dumps({"event": "TRACKING_UPDATED"}).encode()):
        response = await post(bot_app, body, sign(body, KEY))
        assert response.status_code == 400


async def test_a_stopped_push_makes_the_bot_check_itself(
    bot_app: App, track17: Fake17Track, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    await followed(chat, track17)
    body = track17.stopped_push_body(CODE)
    assert (await post(bot_app, body, sign(body, KEY))).status_code == 200
    async with bot_app.db.read() as tx:
        shipment = await tx.shipments.find("track17", CODE)
    assert shipment is not None
    assert shipment.next_check_at is not None
    assert shipment.next_check_at <= clock.now


async def test_a_push_without_tracking_data_keeps_the_status_and_asks_the_source(
    bot_app: App, track17: Fake17Track, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    await followed(chat, track17)
    track17.set_track(CODE, "Delivered", "Delivered_Other")
    full = track17.push_body(CODE)
    assert (await post(bot_app, full, sign(full, KEY))).json() == {"result": "applied"}
    clock.advance(minutes=5)
    # The first of 17TRACK's signature examples: a TRACKING_UPDATED without track_info.
    body = json.dumps(
        {"event": "TRACKING_UPDATED", "data": {"number": CODE, "carrier": 3011, "tag": None}}
    ).encode()

    response = await post(bot_app, body, sign(body, KEY))

    assert response.status_code == 200
    async with bot_app.db.read() as tx:
        shipment = await tx.shipments.find("track17", CODE)
    assert shipment is not None
    assert shipment.status == "delivered"
    assert shipment.next_check_at is not None and shipment.next_check_at <= clock.now
