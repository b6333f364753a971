"""The bot in a group: lists stay in private chats, and the group's chatter is left alone."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.app import App
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram, JsonDict, Message

GROUP: JsonDict = {"id": -100500, "type": "supergroup", "title": "Семья"}
CODE = "RA000012349CN"


# What Telegram puts in `from` when a group's admin writes anonymously (or as the group).
ANONYMOUS_ADMIN: JsonDict = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


async def said_in_group(
    tg: FakeTelegram, member: Chat, text: str, *, anonymously: bool = False
) -> list[Message]:
    """What the bot sent to the group in answer (waits a moment for a reply that may not come)."""
    before = len(tg.chat_messages(GROUP["id"]))
    update: dict[str, Any] = member.message_update(text)
    update["chat"] = dict(GROUP)
    if anonymously:
        update["from"] = dict(ANONYMOUS_ADMIN)
        update["sender_chat"] = dict(GROUP)
    tg.push_update({"message": update})
    await tg.until(lambda: len(tg.chat_messages(GROUP["id"])) > before, timeout=0.5)
    return tg.chat_messages(GROUP["id"])[before:]


async def users_stored(app: App) -> int:
    async with app.db.read() as tx:
        row = await tx.session.fetch_one("SELECT COUNT(*) AS n FROM users")
    return int(row["n"]) if row is not None else 0


async def test_codes_and_chatter_in_a_group_are_left_alone_and_nothing_is_stored(
    tg: FakeTelegram, app: App, alice: Chat
) -> None:
    tg.register_chat(GROUP)
    for text in (f"{CODE} подарок", "где посылка?", "привет всем", "/list@other_bot"):
        assert await said_in_group(tg, alice, text) == []
    assert await users_stored(app) == 0  # a member who never wrote to the bot is not a user
    listing = await alice.sends("/list")
    assert CODE not in listing.text  # nothing was followed for her from the group


async def test_a_command_in_a_group_points_to_the_private_chat_in_the_members_language(
    tg: FakeTelegram, app: App, alice: Chat, bob: Chat
) -> None:
    await alice.sends(f"{CODE} подарок маме")
    tg.register_chat(GROUP)
    for text in ("/list", "/status@parcel_test_bot подарок"):
        [reply] = await said_in_group(tg, alice, text)
        assert "в личном чате" in reply.text and "@parcel_test_bot" in reply.text
        assert "подарок" not in reply.text and CODE not in reply.text  # her list stays hers
        [[button]] = reply.reply_markup["inline_keyboard"]
        assert button["url"] == "https://t.me/parcel_test_bot"
    [english] = await said_in_group(tg, bob, "/start")
    assert "private chat" in english.text


async def test_an_anonymous_admins_command_gets_the_pointer_in_the_default_language(
    tg: FakeTelegram, app: App, alice: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    tg.register_chat(GROUP)
    [reply] = await said_in_group(tg, alice, "/list@parcel_test_bot", anonymously=True)
    assert "в личном чате" in reply.text
    assert await said_in_group(tg, alice, f"{CODE} подарок", anonymously=True) == []
    assert await users_stored(app) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
