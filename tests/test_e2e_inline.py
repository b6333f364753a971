"""Inline mode through the real stack: `@bot CODE` in any chat answers with a status card."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import App
from providers.clock import ManualClock
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram, JsonDict, parse_html

DELIVERED = "RA000012349CN"  # demo: the normal journey from China
STALLED = "RA111100427CN"
NOBODYS = "RA222256785CN"  # a valid code nobody in these tests follows
TYPO = "RA000012340CN"  # DELIVERED with a wrong check digit
ORDER = "#4512"
ORDER_PATTERN = r"#\d{4}"


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    """The demo bot, with shop order numbers recognised (and followed through the demo)."""
    settings = make_settings(tg, tmp_path / "bot.sqlite3", shop_order_pattern=ORDER_PATTERN)
    async with running_bot(settings, clock) as running:
        yield running


@pytest.fixture
def carol(chat: Callable[..., Chat], app: App) -> Chat:
    return chat(3003, "ru", first_name="Карина")


def message_text(result: JsonDict) -> str:
    """What the chat shows once the user picks the result, parsed as Telegram would."""
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    plain, _ = parse_html(content["message_text"])
    return plain


async def test_a_followed_code_returns_the_users_own_card_with_its_label(alice: Chat) -> None:
    await alice.sends(f"{DELIVERED} куртка")
    results = await alice.queries_inline(DELIVERED)
    assert len(results) == 1
    (card,) = results
    assert card["title"] == "куртка"
    text = message_text(card)
    assert card["description"] in text  # the status label, as on the card
    assert "куртка" in text and DELIVERED in text
    assert "Проверено" in text


async def test_a_label_with_markup_is_escaped_in_the_inline_card(alice: Chat) -> None:
    await alice.sends(f"/add {DELIVERED} <b>подарок</b> & сюрприз")
    (card,) = await alice.queries_inline("подарок")
    assert card["title"] == "<b>подарок</b> & сюрприз"
    assert "<b>подарок</b> & сюрприз" in message_text(card)
    assert "&lt;b&gt;" in card["input_message_content"]["message_text"]


async def test_an_unfollowed_code_is_asked_of_the_source_and_nothing_is_stored(
    app: App, alice: Chat
) -> None:
    results = await alice.queries_inline(NOBODYS)
    assert len(results) == 1
    assert results[0]["title"] == NOBODYS
    assert NOBODYS in message_text(results[0])
    assert "пуст" in (await alice.sends("/list")).text
    async with app.db.read() as tx:
        assert await tx.shipments.find("demo", NOBODYS) is None


async def test_someone_elses_parcel_shows_its_status_but_never_their_label(
    alice: Chat, bob: Chat
) -> None:
    await alice.sends(f"{DELIVERED} секретный подарок")
    results = await bob.queries_inline(DELIVERED)
    assert len(results) == 1
    text = message_text(results[0])
    assert DELIVERED in text
    assert "секрет" not in text and "секрет" not in json.dumps(results, ensure_ascii=False)
    assert "empty" in (await bob.sends("/list")).text


async def test_an_empty_query_lists_the_users_items(alice: Chat, bob: Chat) -> None:
    await alice.sends(f"{DELIVERED} куртка")
    await alice.sends(f"{STALLED} ботинки")
    await bob.sends(f"{NOBODYS} bob's own")
    results = await alice.queries_inline("")
    assert sorted(r["title"] for r in results) == ["ботинки", "куртка"]
    assert all(r["id"].startswith("i") for r in results)
    texts = [message_text(r) for r in results]
    assert any(DELIVERED in t for t in texts) and any(STALLED in t for t in texts)


async def test_an_empty_query_without_items_offers_a_button_that_opens_the_bot(
    alice: Chat,
) -> None:
    assert await alice.queries_inline("") == []
    button = alice.tg.last_inline_button()
    assert "открыть бота" in button["text"]
    opened = await alice.sends(f"/start {button['start_parameter']}")
    assert "Здравствуйте, Алиса" in opened.text


async def test_an_order_number_is_found_only_by_its_owner(
    alice: Chat, bob: Chat, carol: Chat
) -> None:
    added = await alice.sends(f"{ORDER} подарок маме")
    assert "Добавлено" in added.text
    own = await alice.queries_inline(ORDER)
    assert [r["title"] for r in own] == ["подарок маме"]
    for stranger in (bob, carol):
        assert await stranger.queries_inline(ORDER) == []
        assert await stranger.queries_inline("") == []
        assert await stranger.queries_inline("подарок") == []


async def test_a_wrong_check_digit_returns_nothing_and_the_button_explains_the_typo(
    alice: Chat,
) -> None:
    assert await alice.queries_inline(TYPO) == []
    button = alice.tg.last_inline_button()
    assert "открыть бота" in button["text"]
    opened = await alice.sends(f"/start {button['start_parameter']}")
    assert "контрольная цифра" in opened.text and "должна быть 9" in opened.text
    assert "пуст" in (await alice.sends("/list")).text


async def test_inline_answers_speak_the_users_language(bob: Chat) -> None:
    await bob.sends(f"{DELIVERED} jacket")
    (card,) = await bob.queries_inline(DELIVERED)
    assert "Checked" in message_text(card)
    assert await bob.queries_inline(TYPO) == []
    assert "open the bot" in bob.tg.last_inline_button()["text"]


async def test_result_ids_fit_telegrams_64_bytes_for_long_codes(alice: Chat) -> None:
    long_generic = "ZX" + "7" * 28  # the longest free-form code: 30 characters
    await alice.sends(f"{DELIVERED} куртка")
    results = [
        *await alice.queries_inline(""),
        *await alice.queries_inline(DELIVERED),
        *await alice.queries_inline(NOBODYS),
        *await alice.queries_inline(long_generic),
    ]
    assert results
    assert all(1 <= len(r["id"].encode()) <= 64 for r in results)
