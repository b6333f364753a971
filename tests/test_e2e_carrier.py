"""When 17TRACK cannot tell the carrier, the user picks it; the choice reaches 17TRACK."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import App
from tests.fakes.chat import Chat
from tests.fakes.telegram import Message
from tests.fakes.track17 import Fake17Track

KEY = "carrier-key"
CODE = "CNRU1234567890"


@pytest.fixture
async def track17() -> AsyncIterator[Fake17Track]:
    async with Fake17Track(KEY) as fake:
        fake.register_rejections[CODE] = -18019903
        yield fake


def item_id_in(message: Message, prefix: str, position: int) -> int:
    """The item id a button's callback data carries (`c1:<id>:<carrier>`, `i1:<action>:<id>`)."""
    return next(
        int(value.split(":")[position])
        for row in message.buttons
        for _, value in row
        if isinstance(value, str) and value.startswith(prefix)
    )


async def test_an_undetectable_carrier_is_chosen_by_the_user(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    ask = await alice.sends(CODE)
    assert "не смогла определить перевозчика" in ask.text
    track17.set_track(
        CODE,
        "InTransit",
        "InTransit_PickedUp",
        events=[
            {
                "time": "2026-11-19T10:00:00+08:00",
                "description": "Picked up",
                "location": "SHENZHEN",
            }
        ],
    )
    chosen = await alice.taps("Cainiao", on=ask)
    assert track17.registered[CODE] == 190271
    assert chosen.message is not None
    assert "В пути" in chosen.message.text
    assert "SHENZHEN" in chosen.message.text


def carrier_buttons(message: Message) -> dict[str, str]:
    return {
        button.text: str(button.value)
        for row in message.buttons
        for button in row
        if str(button.value).startswith("c1:")
    }


async def test_carrier_buttons_are_named_in_the_users_language_with_the_same_keys(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice, bob = chat(1, "ru"), chat(2, "en")
    russian = carrier_buttons(await alice.sends(CODE))
    english = carrier_buttons(await bob.sends(CODE))
    assert russian["Почта России"].endswith(":18031")
    assert russian["СДЭК"].endswith(":100030")
    assert english["Russian Post"].endswith(":18031")
    assert english["CDEK"].endswith(":100030")
    assert all("/" not in label and len(label) <= 14 for label in [*russian, *english])

    def keys(buttons: dict[str, str]) -> list[str]:
        return [data.rsplit(":", 1)[1] for data in buttons.values()]

    assert keys(russian) == keys(english)
    chosen = await alice.taps("Почта России", on=alice.last_message)
    assert chosen.answer_text is not None
    assert track17.registered[CODE] == 18031


async def test_a_forged_or_unknown_carrier_choice_is_refused(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice, bob = chat(1, "ru"), chat(2, "en")
    ask = await alice.sends(CODE)
    item_id = item_id_in(ask, "c1:", 1)
    own = await bob.sends("/start")
    foreign = await bob.taps_data(f"c1:{item_id}:3011", on=own)
    assert foreign.answer_text is not None and "no longer in your list" in foreign.answer_text
    unknown = await alice.taps_data(f"c1:{item_id}:999999", on=ask)
    assert unknown.answer_text is not None and "устарела" in unknown.answer_text
    assert CODE not in track17.registered


async def test_a_number_17track_follows_keeps_its_carrier_against_forged_choices(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    detected = "CNRU9876543210"  # 17TRACK finds this one's carrier by itself
    bob, alice = chat(2, "en"), chat(1, "ru")
    await bob.sends(detected)
    card = await alice.sends(detected)
    item_id = item_id_in(card, "i1:", 2)
    carrier, requests = track17.registered[detected], len(track17.requests)

    for forged in (11011, 2051, 18031):
        tap = await alice.taps_data(f"c1:{item_id}:{forged}", on=card)
        assert tap.answer_text is not None and "устарела" in tap.answer_text

    assert track17.registered[detected] == carrier
    assert track17.carrier_changes == {}
    assert len(track17.requests) == requests  # nothing was asked of 17TRACK
