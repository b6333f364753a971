"""The archive through the real stack: finished items leave /list by button or by themselves,
stay readable in /archive, and come back by button or when their code is sent again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.app import App
from bot.archive import ARCHIVE_AFTER, Archive, archive_finished
from providers.clock import ManualClock
from providers.statuses import Status
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource, s10
from tests.fakes.telegram import Message

DONE = s10(1)
MOVING = s10(2)


@pytest.fixture
def source(clock: ManualClock) -> ScriptedSource:
    return ScriptedSource.with_delivered_and_moving(DONE, MOVING, clock.now)


@pytest.fixture
def shopper(chat: Callable[..., Chat], scripted: App) -> Chat:
    return chat(1001, "ru", first_name="Алиса")


@pytest.fixture
def other(chat: Callable[..., Chat], scripted: App) -> Chat:
    return chat(2002, "en", first_name="Bob")


def labels(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


def item_id_of(message: Message) -> int:
    """The item id in the card's buttons (ItemCb: i1:<action>:<id>)."""
    return int(message.buttons[0][0].value.rsplit(":", 1)[1])


async def test_only_a_finished_item_offers_the_archive(shopper: Chat) -> None:
    done = await shopper.sends(DONE)
    moving = await shopper.sends(MOVING)
    assert "🗄 В архив" in labels(done)
    assert not any("архив" in label for label in labels(moving))


async def test_archiving_moves_the_item_from_the_list_to_the_archive_and_back(
    shopper: Chat,
) -> None:
    done = await shopper.sends(f"{DONE} кроссовки")
    await shopper.sends(MOVING)
    tap = await shopper.taps("В архив", on=done)
    assert tap.answer_text is not None and "архив" in tap.answer_text
    assert tap.message is not None and "📤 Вернуть в список" in labels(tap.message)

    listing = await shopper.sends("/list")
    assert MOVING in listing.text and "кроссовки" not in listing.text
    assert "В архиве: 1" in listing.text and "/archive" in listing.text

    archive = await shopper.sends("/archive")
    assert "Архив: 1" in archive.text and "кроссовки" in archive.text
    opened = await shopper.taps("1. кроссовки", on=archive)
    assert opened.message is not None and DONE in opened.message.text

    back = await shopper.taps("Вернуть в список", on=opened.message)
    assert back.answer_text == "Вернул в список"
    listing = await shopper.sends("/list")
    assert "кроссовки" in listing.text and "В архиве" not in listing.text
    assert "Архив пуст" in (await shopper.sends("/archive")).text


async def test_an_item_still_on_its_way_is_not_archived_by_forged_data(shopper: Chat) -> None:
    moving = await shopper.sends(MOVING)
    tap = await shopper.taps_data(f"i1:a:{item_id_of(moving)}", on=moving)
    assert tap.answer_text is not None and "только полученные" in tap.answer_text
    listing = await shopper.sends("/list")
    assert MOVING in listing.text and "В архиве" not in listing.text


async def test_another_users_item_cannot_be_archived_or_brought_back(
    shopper: Chat, other: Chat
) -> None:
    mine = await shopper.sends(DONE)
    item_id = item_id_of(mine)
    greeting = await other.sends("/start")
    for action in ("a", "x"):
        tap = await other.taps_data(f"i1:{action}:{item_id}", on=greeting)
        assert tap.answer_text == "This item is no longer in your list."
    listing = await shopper.sends("/list")
    assert DONE in listing.text and "В архиве" not in listing.text


async def test_sending_an_archived_code_again_brings_it_back(shopper: Chat) -> None:
    done = await shopper.sends(DONE)
    await shopper.taps("В архив", on=done)
    again = await shopper.sends(DONE)
    assert "Вернул из архива" in again.text and DONE in again.text
    assert DONE in (await shopper.sends("/list")).text


async def test_a_new_label_for_a_code_in_the_list_is_confirmed(shopper: Chat) -> None:
    await shopper.sends(MOVING)
    same = await shopper.sends(MOVING)
    assert "уже в вашем списке" in same.text and "Подпись обновлена" not in same.text
    relabelled = await shopper.sends(f"{MOVING} зимняя куртка")
    assert "Подпись обновлена" in relabelled.text and "зимняя куртка" in relabelled.text


async def test_finished_items_go_to_the_archive_by_themselves_after_two_weeks(
    shopper: Chat, scripted: App, clock: ManualClock
) -> None:
    await shopper.sends(DONE)
    await shopper.sends(MOVING)
    # The final status is confirmed once more before polling stops.
    clock.advance(hours=12)
    await scripted.poller.tick()
    clock.advance(days=ARCHIVE_AFTER.days - 1)
    assert await archive_finished(scripted.tracking.db, clock()) == 0
    clock.advance(days=2)
    assert await archive_finished(scripted.tracking.db, clock()) == 1
    assert await archive_finished(scripted.tracking.db, clock()) == 0
    listing = await shopper.sends("/list")
    assert MOVING in listing.text and DONE not in listing.text
    assert "В архиве: 1" in listing.text


async def test_the_archive_speaks_english_and_pages_like_the_list(
    other: Chat, scripted: App, source: ScriptedSource, clock: ManualClock
) -> None:
    bob = other
    codes = [s10(100 + n) for n in range(12)]
    for code in codes:
        source.set(code, Status.DELIVERED, (clock.now, Status.DELIVERED, "Delivered", "Kazan"))
    await bob.sends(" ".join(codes))
    for _ in range(2):  # the numbers past the first cards are first asked by a poll tick
        clock.advance(hours=12)
        await scripted.poller.tick()
    clock.advance(days=ARCHIVE_AFTER.days + 1)
    assert await archive_finished(scripted.tracking.db, clock(), batch=5) == len(codes)
    for command in ("/list", "/status"):
        empty = await bob.sends(command)
        assert "Your list is empty" in empty.text and "In the archive: 12" in empty.text
    first = await bob.sends("/archive")
    assert "Archive: 12" in first.text and "page 1 of 2" in first.text
    second = await bob.taps("Next →", on=first)
    assert second.message is not None and "page 2 of 2" in second.message.text
    numbered = [text.split(".")[0] for row in second.message.buttons for text, _ in row[:2]]
    assert numbered[:2] == ["11", "12"]  # as the page's text numbers them, not from 1 again
    assert "\n11. " in second.message.text
    back = await bob.taps("← Back", on=second.message)
    assert back.message is not None and "page 1 of 2" in back.message.text
    beyond = await bob.taps_data("a1:7", on=back.message)
    assert beyond.message is not None and "page 2 of 2" in beyond.message.text


async def test_the_hourly_housekeeping_job_archives_finished_items(
    shopper: Chat, scripted: App, clock: ManualClock
) -> None:
    await shopper.sends(DONE)
    clock.advance(hours=12)
    await scripted.poller.tick()
    clock.advance(days=ARCHIVE_AFTER.days + 1)
    archive = Archive(scripted.tracking.db)
    scripted.jobs.start()  # every job runs once at start, then at its interval
    try:
        for _ in range(100):
            if await archive.count(shopper.user_id):
                break
            await asyncio.sleep(0.05)
    finally:
        await scripted.jobs.stop()
    assert await archive.count(shopper.user_id) == 1


async def test_an_archived_item_whose_parcel_moves_again_is_back_in_the_list(
    shopper: Chat, source: ScriptedSource, clock: ManualClock
) -> None:
    done = await shopper.sends(DONE)
    archived = await shopper.taps("В архив", on=done)
    assert archived.message is not None
    source.set(
        DONE,
        Status.RETURNING,
        (clock.now - timedelta(days=1), Status.DELIVERED, "Вручено адресату", "Москва"),
        (clock.now, Status.RETURNING, "Возврат отправителю", "Москва"),
    )
    clock.advance(minutes=5)
    refreshed = await shopper.taps("Обновить", on=archived.message)
    assert refreshed.message is not None and "Возврат" in refreshed.message.text
    assert not any("Вернуть в список" in label for label in labels(refreshed.message))
    listing = await shopper.sends("/list")
    assert DONE in listing.text and "В архиве" not in listing.text


async def test_inline_lists_what_is_still_on_its_way_but_finds_an_archived_code(
    shopper: Chat,
) -> None:
    done = await shopper.sends(f"{DONE} кроссовки")
    await shopper.sends(f"{MOVING} куртка")
    await shopper.taps("В архив", on=done)
    listed = await shopper.queries_inline("")
    assert [r["title"] for r in listed] == ["куртка"]
    (found,) = await shopper.queries_inline(DONE)
    assert found["title"] == "кроссовки"
