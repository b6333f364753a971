"""Dialogue state in the database: per key, shared by every process, kept across a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey

from bot.dialogue_storage import DatabaseStorage
from bot.retention import forget_abandoned_dialogues
from handlers.editing import Rename
from providers.clock import ManualClock
from storage import Database, open_database
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.test_storage_backends import T0

pytest_plugins = ["tests.test_storage_backends"]  # the `db` fixture, on each engine

ALICE = StorageKey(bot_id=42, chat_id=1001, user_id=1001)
BOB = StorageKey(bot_id=42, chat_id=2002, user_id=2002)
CODE = "RA000012349CN"


async def rows(db: Database) -> int:
    async with db.read() as tx:
        return await tx.dialogues.count()


async def test_state_and_data_are_kept_per_user_and_gone_once_cleared(db: Database) -> None:
    storage = DatabaseStorage(db, ManualClock(T0))
    assert await storage.get_state(ALICE) is None and await storage.get_data(ALICE) == {}
    await storage.set_state(ALICE, Rename.waiting_label)
    await storage.update_data(ALICE, {"item_id": 7, "note": "«подарок» & <маме>"})
    assert await storage.get_state(ALICE) == "Rename:waiting_label"
    assert await storage.get_data(ALICE) == {"item_id": 7, "note": "«подарок» & <маме>"}
    assert await storage.get_state(BOB) is None and await storage.get_data(BOB) == {}
    await storage.set_state(ALICE, None)
    assert await storage.get_data(ALICE) == {"item_id": 7, "note": "«подарок» & <маме>"}
    await storage.set_data(ALICE, {})
    assert await storage.get_state(ALICE) is None
    assert await rows(db) == 0  # a finished dialogue leaves no row behind


async def test_a_second_process_reads_the_dialogue_the_first_one_began(
    db: Database, db_url: str
) -> None:
    other = await open_database(db_url, migrate=False)
    try:
        await DatabaseStorage(db, ManualClock(T0)).set_state(ALICE, "Rename:waiting_label")
        assert await DatabaseStorage(other, ManualClock(T0)).get_state(ALICE) == (
            "Rename:waiting_label"
        )
    finally:
        await other.close()


async def test_abandoned_dialogues_are_forgotten_and_erasing_a_user_takes_theirs(
    db: Database,
) -> None:
    clock = ManualClock(T0)
    storage = DatabaseStorage(db, clock)
    await storage.set_state(ALICE, "Rename:waiting_label")
    clock.advance(days=2)
    await storage.set_state(BOB, "OrderDialog:waiting_contact")
    assert await forget_abandoned_dialogues(db, clock.now) == 1  # Alice's, a day past
    assert await storage.get_state(ALICE) is None
    assert await storage.get_state(BOB) == "OrderDialog:waiting_contact"
    async with db.transaction() as tx:
        await tx.users.seen(BOB.user_id, "ru", clock.now)
    async with db.transaction() as tx:
        assert await tx.users.erase(BOB.user_id)
    assert await rows(db) == 0


async def test_a_rename_begun_before_a_restart_is_finished_after_it(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    settings = make_settings(tg, tmp_path / "bot.sqlite3")
    alice = chat(1001, "ru")
    async with running_bot(settings, clock):
        added = await alice.sends(CODE)
        prompt = await alice.taps("Изменить подпись", on=added)
        assert prompt.message is not None and "Пришлите новую подпись" in prompt.message.text
    async with running_bot(settings, clock):
        done = await alice.sends("Зимние ботинки")
        assert "Подпись сохранена" in done.text and "Зимние ботинки" in done.text
        listing = await alice.sends("/list")
        assert "Зимние ботинки" in listing.text
