"""Numbers of digits only (CDEK's, say): `/add` takes them, a plain message asks first, and a
phone number is never sent to 17TRACK, however the button that would add it was forged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import App
from providers.clock import ManualClock
from tests.fakes.chat import Chat
from tests.fakes.track17 import Fake17Track

KEY = "bare-key"
CDEK = "10296250133"
CDEK_KEY = 100030


@pytest.fixture
async def track17() -> AsyncIterator[Fake17Track]:
    async with Fake17Track(KEY) as fake:
        for number in (CDEK, "1029625014"):
            fake.set_track(
                number,
                "InTransit",
                "InTransit_Other",
                events=[
                    {
                        "time": "2026-12-05T10:00:00+03:00",
                        "description": "Отправлено в город получателя",
                        "location": "Новосибирск",
                    }
                ],
                carrier_key=CDEK_KEY,
                provider_name="CDEK",
            )
        yield fake


async def test_a_plain_digits_only_number_is_asked_about_then_tracked_on_a_tap(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    alice = chat(1, "ru")
    ask = await alice.sends(f"зимняя куртка, СДЭК {CDEK}")
    assert "Это трек-номер?" in ask.text
    assert CDEK not in track17.registered  # asking costs the operator nothing
    tapped = await alice.taps(f"Отслеживать {CDEK}", on=ask)
    assert tapped.answer_text is None  # the spinner stops, the card says the rest
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert CDEK in card.text and "Нет данных" in card.text  # 17TRACK answers on its next look
    assert "зимняя куртка, СДЭК" in card.text  # the words typed beside it label the item
    assert CDEK in track17.registered
    clock.advance(minutes=2)
    refreshed = await alice.taps("Обновить", on=card)
    assert refreshed.message is not None
    assert "В пути" in refreshed.message.text and "Новосибирск" in refreshed.message.text
    assert "СДЭК" in refreshed.message.text  # 17TRACK says "CDEK"; named in her language


async def test_a_number_that_only_happens_to_pass_a_weak_check_digit_is_asked_about_too(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    for said in ("ИНН 7707083893", "заказ 123456789012"):  # DHL's and FedEx's check digits pass
        ask = await alice.sends(said)
        assert "Это трек-номер?" in ask.text, said
    assert track17.registered == {}
    added = await alice.sends("/add 7707083893")  # the user says it is one: it is followed
    assert "Добавлено" in added.text and "7707083893" in track17.registered


async def test_several_numbers_get_a_button_each_in_english(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    bob = chat(2, "en")
    ask = await bob.sends(f"{CDEK} and 1029625014")
    assert "Are these tracking numbers?" in ask.text
    labels = [text for row in ask.buttons for text, _ in row]
    assert labels == [f"📦 Track {CDEK}", "📦 Track 1029625014"]
    await bob.taps("1029625014", on=ask)
    await bob.wait_for_message(lambda m: "Added" in m.text and "1029625014" in m.text)
    assert "1029625014" in track17.registered and CDEK not in track17.registered


async def test_add_takes_a_digits_only_number_with_its_label_at_once(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    added = await alice.sends(f"/add {CDEK} зимняя куртка")
    assert "Добавлено" in added.text and "зимняя куртка" in added.text
    assert CDEK in track17.registered


async def test_an_add_link_with_a_digits_only_number_adds_it(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    added = await alice.sends(f"/start add_{CDEK}")
    assert "Добавлено" in added.text and CDEK in added.text
    refused = await alice.sends("/start add_89161234567")
    assert "ссылка не подходит" in refused.text.lower()
    assert list(track17.registered) == [CDEK]


async def test_a_phone_number_is_neither_asked_about_nor_added(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    hint = await alice.sends("мой номер 89161234567")
    assert "Не нашёл здесь трек-номера" in hint.text and not hint.buttons
    refused = await alice.sends("/add 8-916-123-45-67")
    assert "Не вижу здесь трек-номера" in refused.text
    assert track17.registered == {}


async def test_forged_number_buttons_are_refused_and_reach_no_source(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    own = await alice.sends("/start")
    for data in ("n1:89161234567", "n1:9161234567", "n1:12ab", "n1:" + "1" * 40):
        tap = await alice.taps_data(data, on=own)
        assert tap.answer_text is not None and "устарела" in tap.answer_text, data
    assert track17.registered == {}


async def test_inline_mode_finds_a_followed_number_and_offers_to_add_an_unfollowed_one(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice, bob = chat(1, "ru"), chat(2, "ru")
    assert await alice.queries_inline(CDEK) == []
    assert track17.registered == {}  # typing in inline mode spends no quota
    button = alice.tg.last_inline_button()
    assert button is not None and button["start_parameter"] == f"add_{CDEK}"
    added = await alice.sends(f"/start {button['start_parameter']}")
    assert "Добавлено" in added.text
    (own,) = await alice.queries_inline(CDEK)
    assert CDEK in own["title"] or CDEK in own["input_message_content"]["message_text"]
    (public,) = await bob.queries_inline(CDEK)  # a number somebody follows: its stored status
    assert CDEK in public["input_message_content"]["message_text"]
    assert await alice.queries_inline("89161234567") == []
    phone_button = alice.tg.last_inline_button()
    assert phone_button is not None and phone_button["start_parameter"] == "inline"
