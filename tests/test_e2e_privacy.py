"""`/forget` through the real stack: a confirmation that counts what is kept, then nothing of
the user left, while what others follow stays followed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import App
from bot.privacy import erase_user
from bot.tracking import TrackingService
from providers.clock import ManualClock
from providers.codes import Code, classify
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource, s10

ALICE, BOB = 1001, 2002
ONLY_HERS = s10(11)
SHARED = s10(12)


@pytest.fixture
def source(clock: ManualClock) -> ScriptedSource:
    return ScriptedSource.with_delivered_and_moving(ONLY_HERS, SHARED, clock.now)


@pytest.fixture
def alice(chat: Callable[..., Chat], scripted: App) -> Chat:
    return chat(ALICE, "ru", first_name="Алиса")


@pytest.fixture
def bob(chat: Callable[..., Chat], scripted: App) -> Chat:
    return chat(BOB, "en", first_name="Bob")


async def rows(app: App, sql: str, *params: object) -> int:
    async with app.tracking.db.read() as tx:
        row = await tx.session.fetch_one(f"SELECT COUNT(*) AS n FROM {sql}", params)
    assert row is not None
    return int(row["n"])


async def test_forget_erases_the_user_and_stops_only_what_nobody_else_follows(
    alice: Chat, bob: Chat, scripted: App, source: ScriptedSource
) -> None:
    done = await alice.sends(f"{ONLY_HERS} кеды")
    await alice.taps("В архив", on=done)
    await alice.sends(SHARED)
    await bob.sends(SHARED)
    await alice.sends("/settings")
    await alice.taps("Уведомления")
    await alice.taps("Выключить")
    assert "Уведомления: выключены" in (await alice.sends("/settings")).text

    confirm = await alice.sends("/forget")
    assert "всего: 2" in confirm.text and "в архиве: 1" in confirm.text
    tap = await alice.taps("Да, удалить всё", on=confirm)
    assert tap.message is not None and "удалил ваш список посылок и заказов" in tap.message.text

    assert await rows(scripted, "users WHERE id = ?", ALICE) == 0
    assert await rows(scripted, "subscriptions WHERE user_id = ?", ALICE) == 0
    assert await rows(scripted, "outbox WHERE user_id = ?", ALICE) == 0
    assert await rows(scripted, "shipments WHERE code = ?", ONLY_HERS) == 0
    assert await rows(scripted, "shipments WHERE code = ? AND followers = 1", SHARED) == 1
    assert source.stopped == [ONLY_HERS]
    assert SHARED in (await bob.sends("/list")).text

    # Coming back is a fresh start: defaults again, an empty list and archive.
    settings = await alice.sends("/settings")
    assert "Уведомления: включены" in settings.text
    assert "Список пуст" in (await alice.sends("/list")).text
    assert "Архив пуст" in (await alice.sends("/archive")).text


async def test_cancelling_keeps_everything(alice: Chat, scripted: App) -> None:
    await alice.sends(SHARED)
    confirm = await alice.sends("/forget")
    tap = await alice.taps("Отмена", on=confirm)
    assert tap.message is not None and "ничего не удаляю" in tap.message.text
    assert SHARED in (await alice.sends("/list")).text


async def test_forget_speaks_english_and_works_with_nothing_kept(bob: Chat, scripted: App) -> None:
    confirm = await bob.sends("/forget")
    assert "(0 in total, 0 of them archived)" in confirm.text
    tap = await bob.taps("Yes, delete everything", on=confirm)
    assert tap.message is not None
    assert "deleted your list of parcels and orders" in tap.message.text
    assert "Your list is empty" in (await bob.sends("/list")).text


async def test_the_privacy_answer_names_the_command_that_deletes_everything(
    alice: Chat, scripted: App
) -> None:
    await alice.sends("/faq")
    tap = await alice.taps("Какие данные я храню")
    assert tap.message is not None and "/forget" in tap.message.text


async def test_another_process_that_still_remembers_an_erased_user_adds_for_them(
    scripted: App, clock: ManualClock
) -> None:
    """Each process caches users for a minute; one that saw the user just before another
    erased them must still be able to follow a number for them."""
    here = scripted.tracking
    elsewhere = TrackingService(here.db, here.sources, clock, here.poll_interval)
    await elsewhere.seen_user(ALICE, "ru")
    await here.seen_user(ALICE, "ru")
    assert await erase_user(here, ALICE)
    code = classify(SHARED)
    assert isinstance(code, Code)
    (outcome,) = await elsewhere.add(ALICE, [code])
    assert outcome.created and outcome.view is not None
    assert await rows(scripted, "users WHERE id = ?", ALICE) == 1
