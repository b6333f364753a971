"""The 17TRACK path through the real stack: Bot over HTTP, fake Telegram, fake 17TRACK API."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from providers.clock import ManualClock
from providers.codes import s10_check_digit
from tests.conftest import running_bot, track17_settings
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track

KEY = "e2e-17token-key"
CODE = "RB123456785CN"
OTHER = "RC234567895CN"
TIMEOUT_S = 1.5  # SOURCE_TIMEOUT_SECONDS here: short, yet roomy for a loaded machine

EVENTS = [
    {
        "time": "2026-11-18T10:05:00+08:00",
        "description": "Accepted by the post office",
        "location": "Shenzhen",
        "stage": "InfoReceived",
    },
    {
        "time": "2026-11-21T14:30:00+03:00",
        "description": "Arrived at the sorting centre",
        "location": "Moscow PCC",
        "stage": "Arrival",
    },
]


@pytest.fixture
async def track17(request: pytest.FixtureRequest) -> AsyncIterator[Fake17Track]:
    """The fake; a test may give its rate limit (requests a second) as the fixture's param."""
    async with Fake17Track(api_key=KEY, rate_limit=getattr(request, "param", None)) as server:
        yield server


@pytest.fixture
async def app(
    tg: FakeTelegram, track17: Fake17Track, tmp_path: Path, clock: ManualClock
) -> AsyncIterator[App]:
    """The bot with 17TRACK as its only source (no demo), pointed at the fake."""
    settings = track17_settings(
        tg,
        tmp_path / "bot.sqlite3",
        track17,
        source_timeout_seconds=TIMEOUT_S,
    )
    async with running_bot(settings, clock) as running:
        yield running


async def test_a_new_code_is_registered_at_17track_and_shows_no_data_yet(
    alice: Chat, track17: Fake17Track
) -> None:
    reply = await alice.sends(f"{CODE} наушники")
    assert "Добавлено" in reply.text
    assert "Нет данных" in reply.text
    assert "Событий пока нет" in reply.text
    assert CODE in track17.registered
    assert track17.endpoints() == ["gettrackinfo", "register"]
    assert all(r.headers.get("17token") == KEY for r in track17.requests)
    assert track17.requests[1].body == [{"number": CODE}]


async def test_a_pasted_list_asks_the_first_codes_at_once_and_the_rest_in_one_batch(
    alice: Chat, app: App, track17: Fake17Track
) -> None:
    codes = [f"RB{n:08d}{s10_check_digit(f'{n:08d}')}CN" for n in range(7000, 7012)]
    await alice.sends(" ".join(codes))
    await alice.tg.until(lambda: any("И ещё 7 в списке" in m.text for m in alice.messages), 10)
    asked_at_once = [n for r in track17.requests for n in (i["number"] for i in r.body)]
    assert asked_at_once == [code for code in codes[:5] for _ in ("gettrackinfo", "register")]

    await app.poller.tick()

    assert track17.endpoints()[10:] == ["gettrackinfo", "register"]
    assert [i["number"] for i in track17.requests[-1].body] == codes[5:]
    assert set(track17.registered) == set(codes)


async def test_refresh_after_the_limit_shows_status_carrier_and_last_location(
    alice: Chat, bob: Chat, track17: Fake17Track, clock: ManualClock
) -> None:
    added = await alice.sends(CODE)
    track17.set_track(CODE, "InTransit", "InTransit_Arrival", EVENTS, provider_name="China Post")
    clock.advance(minutes=2)
    tap = await alice.taps("Обновить", on=added)
    assert tap.answer_text == "Обновлено"
    assert tap.message is not None
    card = tap.message.text
    assert "В пути" in card
    assert "Почта Китая" in card  # 17TRACK says "China Post"; named in her language
    assert "Moscow PCC" in card and "Arrived at the sorting centre" in card
    assert card.count("Arrived at the sorting centre") == 1  # the status's words are the event's
    local = datetime.fromisoformat(EVENTS[1]["time"]).astimezone(ZoneInfo("Europe/Moscow"))
    assert local.strftime("%d.%m %H:%M") in card
    assert track17.endpoints()[-1] == "gettrackinfo"

    english = await bob.sends(CODE)
    assert "In transit" in english.text and "Moscow PCC" in english.text


async def test_a_refresh_within_a_minute_does_not_ask_17track_again(
    alice: Chat, track17: Fake17Track, clock: ManualClock
) -> None:
    added = await alice.sends(CODE)
    clock.advance(minutes=2)
    await alice.taps("Обновить", on=added)
    asked = len(track17.requests)
    clock.advance(seconds=20)
    again = await alice.taps("Обновить", on=added)
    assert again.answer_text is not None and "через" in again.answer_text
    assert len(track17.requests) == asked


async def test_a_number_17track_rejects_gets_a_polite_refusal(
    alice: Chat, track17: Fake17Track
) -> None:
    track17.register_rejections[CODE] = -18010012  # "The format of ... is invalid."
    reply = await alice.sends(CODE)
    assert "не принимает номер" in reply.text and CODE in reply.text
    assert "Проверьте номер" in reply.text
    assert CODE not in track17.registered


@pytest.mark.parametrize("failure", [500, "timeout"])
async def test_17track_failing_on_add_keeps_the_item_and_says_the_service_is_not_answering(
    alice: Chat, track17: Fake17Track, failure: int | str
) -> None:
    track17.fail_next(failure, delay=TIMEOUT_S * 4)
    reply = await alice.sends(f"{CODE} наушники")
    assert "Добавлено" in reply.text
    assert "не отвечает" in reply.text
    listing = await alice.sends("/list")
    assert "наушники" in listing.text and "Ваши посылки и заказы: 1" in listing.text


async def test_17track_failing_on_add_tells_an_english_user_in_english(
    bob: Chat, track17: Fake17Track
) -> None:
    track17.fail_next(500)
    reply = await bob.sends(CODE)
    assert "Added" in reply.text and "not answering" in reply.text


async def test_a_wrong_key_does_not_crash_and_the_user_is_told_politely(
    app: App, alice: Chat, track17: Fake17Track, clock: ManualClock
) -> None:
    track17.api_key = "the-key-17track-knows"  # the bot keeps sending its old one: HTTP 401
    reply = await alice.sends(CODE)
    assert "Добавлено" in reply.text and "не отвечает" in reply.text
    assert track17.requests[-1].headers["17token"] == KEY
    clock.advance(minutes=2)
    tap = await alice.taps("Обновить", on=reply)
    assert tap.answer_text is not None and "не отвечает" in tap.answer_text
    assert "Что-то пошло не так" not in " ".join(m.text for m in alice.messages)
    assert CODE in (await alice.sends("/list")).text


@pytest.mark.parametrize("retry_after", [math.nan, math.inf])
async def test_a_broken_retry_after_costs_one_wait_not_the_source(
    alice: Chat, bob: Chat, track17: Fake17Track, clock: ManualClock, retry_after: float
) -> None:
    track17.fail_next(429, retry_after=retry_after)
    added = await alice.sends(CODE)
    assert "Добавлено" in added.text and "не отвечает" in added.text
    clock.advance(hours=1, minutes=1)  # past the longest back-off a source can ask for
    asked = len(track17.requests)
    reply = await bob.sends(OTHER)
    assert "Added" in reply.text and "not answering" not in reply.text
    assert len(track17.requests) > asked
    assert "Что-то пошло не так" not in " ".join(m.text for m in alice.messages)


async def test_a_code_added_while_17track_was_down_is_registered_once_it_recovers(
    alice: Chat, track17: Fake17Track, clock: ManualClock
) -> None:
    track17.fail_next(500)
    added = await alice.sends(CODE)
    assert "не отвечает" in added.text and "Ещё не проверено" in added.text
    assert CODE not in track17.registered
    clock.advance(hours=1, minutes=1)  # past the source's back-off and the refresh limit
    first = await alice.taps("Обновить", on=added)
    assert first.answer_text == "Обновлено"
    assert first.message is not None and "Проверено только что" in first.message.text
    assert CODE in track17.registered
    track17.set_track(CODE, "Delivered", "Delivered_Other", EVENTS)
    clock.advance(minutes=2)
    second = await alice.taps("Обновить", on=added)
    assert second.message is not None and "Вручено" in second.message.text


async def test_two_codes_in_one_message_are_both_registered(
    alice: Chat, track17: Fake17Track
) -> None:
    await alice.sends(f"{CODE} и {OTHER}")
    assert set(track17.registered) == {CODE, OTHER}
    listing = await alice.sends("/list")
    assert CODE in listing.text and OTHER in listing.text


@pytest.mark.parametrize("track17", [3], indirect=True)
async def test_users_adding_and_refreshing_at_once_stay_within_17tracks_rate(
    app: App, track17: Fake17Track, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    """17TRACK answers 429 past three requests in a second; each add asks twice (look, register).

    Every request of the bot waits for its turn of the source's rate, so three users adding
    and then refreshing at the same moment are all answered and nothing is refused.
    """
    codes = [CODE, OTHER, "RD345678909CN"]
    users = [chat(2001 + n, "ru", timeout=10.0) for n in range(len(codes))]
    added = await asyncio.gather(*(u.sends(c) for u, c in zip(users, codes, strict=True)))
    assert all("Добавлено" in reply.text for reply in added)
    for code in codes:
        track17.set_track(code, "InTransit", "InTransit_Arrival", EVENTS)
    clock.advance(minutes=2)
    taps = await asyncio.gather(
        *(u.taps("Обновить", on=a) for u, a in zip(users, added, strict=True))
    )
    assert [tap.answer_text for tap in taps] == ["Обновлено"] * len(codes)
    assert all(tap.message is not None and "В пути" in tap.message.text for tap in taps)
    assert track17.endpoints().count("register") == len(codes)
    assert track17.refused == 0


async def test_a_slow_add_shows_typing_and_a_quick_one_does_not(
    alice: Chat, tg: FakeTelegram
) -> None:
    def typing_calls() -> list[object]:
        return [c.params.get("action") for c in tg.calls if c.method == "sendChatAction"]

    await alice.sends(CODE)  # one look-up and one registration: well under a second
    assert typing_calls() == []
    # Three new numbers: six requests at 17TRACK's three a second take about two seconds.
    reply = await alice.sends(f"{OTHER} RD345678909CN RE456789015CN")
    assert "Добавлено" in reply.text
    assert typing_calls() and set(typing_calls()) == {"typing"}


async def test_a_source_sending_very_long_texts_still_gets_a_whole_card(
    alice: Chat, track17: Fake17Track, clock: ManualClock
) -> None:
    """Texts are shortened before they are escaped, so no card is cut inside a tag or entity."""
    wordy = "Сортировка & <проверка> " * 400  # ~9,600 characters, every one escaped
    events = [{**EVENTS[0], "description": wordy, "location": "Шэньчжэнь & " * 50}, EVENTS[1]]
    events[1] = {**EVENTS[1], "description": wordy}
    added = await alice.sends(CODE)
    track17.set_track(CODE, "InTransit", "InTransit_Arrival", events, provider_name="China Post")
    clock.advance(minutes=2)
    tap = await alice.taps("Обновить", on=added)
    assert tap.message is not None
    card = tap.message.text
    assert "В пути" in card and "Проверено" in card and "…" in card
    assert "Сортировка & <проверка>" in card
    status = await alice.sends(f"/status {CODE}")
    assert "В пути" in status.text and "Проверено" in status.text
    history = await alice.taps("История", on=status)
    assert history.message is not None
    assert "Сортировка & <проверка>" in history.message.text
