"""The fake Bot API server and the Chat helper, driven by a real aiogram Bot over HTTP.

A tiny router (echo, a card with buttons, an inline answer, a member-status listener) stands in
for the project's handlers, so these tests show what end-to-end tests can rely on: long polling,
recorded messages and edits, Telegram's refusals surfacing as aiogram's exceptions, and the
failure knobs (injected errors, blocked chats, rate limit, held sends).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router, html
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultUnion,
    InputTextMessageContent,
    ReplyParameters,
)
from aiogram.types import Message as TgMessage

from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram, parse_html, running_polling

ALICE = 1001
BOB = 1002


def card_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="🗑 Удалить", callback_data="i1:del:5"),
                InlineKeyboardButton(text="Сайт", url="https://example.org"),
            ]
        ]
    )


def build_router() -> Router:
    router = Router()

    @router.message(Command("start"))
    async def on_start(message: TgMessage) -> None:
        kinds = ", ".join(entity.type for entity in message.entities or [])
        await message.answer(f"Привет! entities: {kinds}")

    @router.message(Command("item"))
    async def on_item(message: TgMessage) -> None:
        await message.answer("<b>Посылка</b> RA123456785CN", reply_markup=card_keyboard())

    @router.message(Command("two"))
    async def on_two(message: TgMessage) -> None:
        await message.answer("раз")
        await asyncio.sleep(0.02)
        await message.answer("два")

    @router.message(Command("broken"))
    async def on_broken(message: TgMessage) -> None:
        await message.answer("<x>не разметка</x>")

    @router.message(Command("quote"))
    async def on_quote(message: TgMessage) -> None:
        await message.reply("Вы сказали это", reply_markup=card_keyboard())

    @router.message(F.text.startswith("#"))
    async def on_note(message: TgMessage) -> None:
        """Notes to self get no reply."""

    @router.message(F.text)
    async def on_echo(message: TgMessage) -> None:
        await message.answer(html.quote(message.text or ""))

    @router.callback_query(F.data.startswith("i1:del:"))
    async def on_delete(callback: CallbackQuery) -> None:
        assert isinstance(callback.message, TgMessage)
        if callback.data != "i1:del:5":
            await callback.answer("Не найдено", show_alert=True)
            return
        await callback.message.edit_text(f"Удалено: {callback.message.html_text}")
        await callback.answer("Готово")

    @router.inline_query()
    async def on_inline(query: InlineQuery) -> None:
        results: list[InlineQueryResultUnion] = [
            InlineQueryResultArticle(
                id=f"{query.query}:{n}",
                title=f"{query.query} #{n}",
                input_message_content=InputTextMessageContent(
                    message_text=f"<b>{html.quote(query.query)}</b> #{n}"
                ),
            )
            for n in range(2)
        ]
        await query.answer(results, cache_time=1, is_personal=True)

    @router.my_chat_member()
    async def on_member(update: ChatMemberUpdated, member_events: list[tuple[int, str]]) -> None:
        member_events.append((update.chat.id, update.new_chat_member.status))

    return router


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def make_bot(tg: FakeTelegram, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    default = DefaultBotProperties(parse_mode=ParseMode.HTML)
    return Bot(token or tg.token, session=session, default=default)


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg)
    yield bot
    await bot.session.close()


@pytest.fixture
async def polling(bot: Bot) -> AsyncIterator[Dispatcher]:
    dp = Dispatcher(member_events=[])
    dp.include_router(build_router())
    async with running_polling(dp, bot):
        yield dp


@pytest.fixture
def alice(tg: FakeTelegram) -> Chat:
    return Chat(tg, user_id=ALICE, first_name="Алиса", language_code="ru")


# ---------------------------------------------------------------- conversations


async def test_echo_round_trip_records_the_reply_in_the_users_chat(
    tg: FakeTelegram, polling: Dispatcher, alice: Chat
) -> None:
    reply = await alice.sends("<b>жирный</b> & «кавычки»")

    assert reply.text == "<b>жирный</b> & «кавычки»"
    assert reply.html == "&lt;b&gt;жирный&lt;/b&gt; &amp; «кавычки»"
    assert alice.messages == [reply]
    assert (tg.sent[-1].chat_id, tg.sent[-1].action) == (ALICE, "send")


async def test_commands_arrive_with_a_bot_command_entity(polling: Dispatcher, alice: Chat) -> None:
    reply = await alice.sends("/start")

    assert reply.text == "Привет! entities: bot_command"


async def test_a_step_waits_until_a_multi_message_reply_is_complete(
    polling: Dispatcher, alice: Chat
) -> None:
    last = await alice.sends("/two")

    assert last.text == "два"
    assert [m.text for m in alice.messages] == ["раз", "два"]


async def test_a_held_long_poll_answers_as_soon_as_an_update_is_pushed(
    tg: FakeTelegram, polling: Dispatcher, alice: Chat
) -> None:
    await tg.wait_until(lambda: tg.polls_waiting == 1, what="a held getUpdates")
    await asyncio.sleep(0.2)
    pushed_at = time.monotonic()
    update_id = tg.push_update({"message": alice.message_update("привет")})

    call = await tg.wait_for(
        lambda c: (
            c.method == "getUpdates"
            and c.ok
            and update_id in [u["update_id"] for u in c.response["result"]]
        )
    )

    assert call.received_at < pushed_at - 0.15, "the poll was not held open"
    # At once, not at the poll's own timeout (many seconds) or on a tick of its own.
    assert call.answered_at - pushed_at < 0.5


async def test_tapping_a_button_answers_the_callback_and_records_the_edit(
    polling: Dispatcher, alice: Chat
) -> None:
    card = await alice.sends("/item")
    assert card.buttons == [[("🗑 Удалить", "i1:del:5"), ("Сайт", "https://example.org")]]
    assert card.entities == [{"type": "bold", "offset": 0, "length": 7}]
    with pytest.raises(AssertionError, match="sends no data"):
        await alice.taps("Сайт")

    tap = await alice.taps("🗑")

    assert (tap.answer_text, tap.show_alert) == ("Готово", False)
    assert tap.message is card
    assert card.text == "Удалено: Посылка RA123456785CN"
    assert card.html == "Удалено: <b>Посылка</b> RA123456785CN"
    assert card.buttons == [], "an edit without reply_markup drops the keyboard"
    assert [version.action for version in card.history] == ["send", "edit"]


async def test_forged_callback_data_reaches_the_bot_as_sent(
    polling: Dispatcher, alice: Chat
) -> None:
    card = await alice.sends("/item")

    tap = await alice.taps_data("i1:del:999")

    assert (tap.answer_text, tap.show_alert) == ("Не найдено", True)
    assert tap.message is None
    assert len(card.history) == 1


async def test_inline_answers_are_recorded_per_query(
    tg: FakeTelegram, polling: Dispatcher, alice: Chat
) -> None:
    results = await alice.queries_inline("RA123456785CN")

    assert [r["id"] for r in results] == ["RA123456785CN:0", "RA123456785CN:1"]
    assert results[0]["input_message_content"]["message_text"] == "<b>RA123456785CN</b> #0"
    (answer,) = tg.inline_answers.values()
    assert (answer.cache_time, answer.is_personal) == (1, True)


async def test_sends_and_expect_nothing_passes_on_silence_and_fails_on_a_reply(
    polling: Dispatcher, alice: Chat
) -> None:
    await alice.sends_and_expect_nothing("# заметка", wait=0.1)

    with pytest.raises(AssertionError, match="expected no reply"):
        await alice.sends_and_expect_nothing("эхо", wait=0.3)


async def test_a_step_without_reply_fails_showing_what_the_server_refused(
    tg: FakeTelegram, polling: Dispatcher
) -> None:
    bob = Chat(tg, user_id=BOB, first_name="Bob", language_code="en", timeout=0.5)

    with pytest.raises(AssertionError, match="sendMessage -> 400 Bad Request: can't parse"):
        await bob.sends("/broken")


async def test_blocking_the_bot_delivers_my_chat_member_and_forbids_sends(
    tg: FakeTelegram, bot: Bot, polling: Dispatcher, alice: Chat
) -> None:
    await alice.blocks_bot()
    await tg.wait_until(lambda: polling["member_events"] == [(ALICE, "kicked")])

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "вы тут?")

    await alice.unblocks_bot()
    await tg.wait_until(lambda: polling["member_events"][-1] == (ALICE, "member"))
    await bot.send_message(ALICE, "снова здесь")
    assert alice.last_message.text == "снова здесь"


# ---------------------------------------------------------------- the server's own rules


async def test_get_updates_drops_confirmed_updates_and_honours_limit(
    tg: FakeTelegram, bot: Bot, alice: Chat
) -> None:
    ids = [tg.push_update({"message": alice.message_update(f"m{n}")}) for n in range(3)]

    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates(offset=ids[1] + 1)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[0])] == ids[2:]

    started = time.monotonic()
    assert await bot.get_updates(offset=ids[2] + 1, timeout=1) == []
    assert 0.9 < time.monotonic() - started < 5.0  # held for its timeout, then let go


async def test_a_second_poller_ends_the_first_with_a_conflict(tg: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await tg.wait_until(lambda: tg.polls_waiting == 1)

    assert await bot.get_updates() == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("Привет <x>", 'Unsupported start tag "x" at byte offset 13'),
        ("<b>жирный", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("fish & chips", "Character '&' at byte offset 5 does not start an entity"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_malformed_html_is_refused_and_aiogram_raises_bad_request(
    tg: FakeTelegram, bot: Bot, text: str, reason: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=re.escape(f"can't parse entities: {reason}")):
        await bot.send_message(ALICE, text)

    assert tg.sent == []


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        (
            '📦 <b>RA123</b> &lt;дача&gt; <a href="https://x.org/?a=1&b=2">трек</a>',
            "📦 RA123 <дача> трек",
            [
                {"type": "bold", "offset": 3, "length": 5},
                {"type": "text_link", "offset": 16, "length": 4, "url": "https://x.org/?a=1&b=2"},
            ],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        (
            "<i>a<tg-spoiler>b</tg-spoiler></i>&#128230;&quot;",
            'ab📦"',
            [
                {"type": "italic", "offset": 0, "length": 2},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
    ],
)
def test_html_becomes_plain_text_with_utf16_entity_offsets(
    source: str, text: str, entities: list[dict[str, object]]
) -> None:
    assert parse_html(source) == (text, entities)


async def test_text_longer_than_4096_characters_after_parsing_is_refused(
    tg: FakeTelegram, bot: Bot
) -> None:
    fits = await bot.send_message(ALICE, "<b>" + "я" * 4096 + "</b>")
    assert len(fits.text or "") == 4096

    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ALICE, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ALICE, "<b> </b>")
    assert len(tg.sent) == 1


async def test_callback_data_over_64_bytes_is_refused(tg: FakeTelegram, bot: Bot) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(text="x", callback_data=data)
        return InlineKeyboardMarkup(inline_keyboard=[[button]])

    await bot.send_message(ALICE, "ровно 64", reply_markup=keyboard("д" * 32))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "65 байт", reply_markup=keyboard("д" * 32 + "x"))

    assert [m.text for m in tg.chat_messages(ALICE)] == ["ровно 64"]


async def test_edits_of_unchanged_or_unknown_messages_are_refused(
    tg: FakeTelegram, bot: Bot
) -> None:
    sent = await bot.send_message(ALICE, "<b>Статус</b>")

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>Статус</b>", chat_id=ALICE, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Статус", chat_id=ALICE, message_id=sent.message_id + 1)
    await bot.edit_message_text("<i>Статус</i>", chat_id=ALICE, message_id=sent.message_id)

    assert [s.action for s in tg.sent] == ["send", "edit"]


async def test_a_reply_carries_the_users_message_into_later_callback_queries(
    tg: FakeTelegram, polling: Dispatcher, alice: Chat
) -> None:
    reply = await alice.sends("/quote куртка")

    shown = tg.message_json(reply)["reply_to_message"]
    assert (shown["text"], shown["from"]["id"]) == ("/quote куртка", ALICE)
    assert "reply_to_message" not in shown


async def test_a_reply_to_an_unknown_message_is_refused_unless_allowed(
    tg: FakeTelegram, bot: Bot
) -> None:
    parameters = ReplyParameters(message_id=77)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(ALICE, "ответ", reply_parameters=parameters)

    allowed = ReplyParameters(message_id=77, allow_sending_without_reply=True)
    sent = await bot.send_message(ALICE, "ответ", reply_parameters=allowed)
    first = await bot.send_message(ALICE, "первое")
    second = await bot.send_message(
        ALICE, "второе", reply_parameters=ReplyParameters(message_id=first.message_id)
    )

    assert sent.reply_to_message is None
    assert second.reply_to_message is not None
    assert second.reply_to_message.text == "первое"


async def test_commands_are_recorded_per_language_and_scope(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(command="add", description="Добавить")], language_code="ru"
    )
    await bot.set_my_commands(
        [BotCommand(command="add", description="Add")], scope=BotCommandScopeAllPrivateChats()
    )

    assert tg.my_commands("ru") == [{"command": "add", "description": "Добавить"}]
    assert tg.my_commands(scope="all_private_chats") == [{"command": "add", "description": "Add"}]
    assert tg.my_commands() == []
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Добавить"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Add-Item", description="x")])


async def test_wrong_token_is_unauthorized_and_unknown_method_is_not_found(
    tg: FakeTelegram,
) -> None:
    stranger = make_bot(tg, token="123:wrong")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()

    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}/bot{tg.token}/sendTelepathy"
        async with http.post(url, data={"chat_id": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        url = f"{tg.base_url}/bot{tg.token}/sendMessage"
        async with http.post(url, json={"chat_id": ALICE, "text": "json body"}) as response:
            assert response.status == 200
    assert tg.sent[-1].text == "json body"


# ---------------------------------------------------------------- failure knobs


async def test_injected_429_surfaces_as_retry_after_once(tg: FakeTelegram, bot: Bot) -> None:
    tg.fail_next("sendMessage", retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ALICE, "раз")
    await bot.send_message(ALICE, "два")

    assert caught.value.retry_after == 7
    assert [s.text for s in tg.sent] == ["два"]
    assert tg.count_429 == 1


async def test_injected_failures_repeat_the_requested_number_of_times(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.fail_next("getMe", error_code=500, times=2)

    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    assert (await bot.get_me()).username == "parcel_test_bot"


async def test_blocked_chat_surfaces_as_forbidden(tg: FakeTelegram, bot: Bot) -> None:
    tg.block(ALICE)

    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "привет")
    await bot.send_message(BOB, "другому")

    assert [s.chat_id for s in tg.sent] == [BOB]


async def test_rate_limit_answers_429_per_chat_in_a_sliding_second(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.enforce_rate(per_chat_per_s=1.0)
    await bot.send_message(ALICE, "1")

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ALICE, "2")
    await bot.send_message(BOB, "другой чат")
    await asyncio.sleep(1.0)
    await bot.send_message(ALICE, "3")

    assert caught.value.retry_after == 1
    assert tg.count_429 == 1
    assert [s.text for s in tg.sent] == ["1", "другой чат", "3"]


async def test_rate_limit_counts_all_chats_against_the_global_cap(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.enforce_rate(global_per_s=2, per_chat_per_s=None)
    await bot.send_message(ALICE, "1")
    await bot.send_message(BOB, "2")

    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(1003, "3")
    assert tg.count_429 == 1


async def test_held_sends_stay_open_until_released(tg: FakeTelegram, bot: Bot) -> None:
    tg.hold_sends()
    sending = asyncio.create_task(bot.send_message(ALICE, "в пути"))
    await tg.wait_until(lambda: tg.held == 1)
    await asyncio.sleep(0.05)
    assert not sending.done()
    assert tg.sent == []

    tg.release_sends()

    assert (await sending).message_id == tg.sent[0].message_id


async def test_held_sends_released_undelivered_fail_and_leave_no_message(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.hold_sends()
    sending = asyncio.create_task(bot.send_message(ALICE, "потеряется"))
    await tg.wait_until(lambda: tg.held == 1)

    tg.release_sends(deliver=False)

    with pytest.raises(TelegramServerError):
        await sending
    assert tg.sent == []


async def test_updates_pushed_while_polling_is_stopped_wait_for_the_next_poller(
    tg: FakeTelegram, bot: Bot, alice: Chat
) -> None:
    dp = Dispatcher(member_events=[])
    dp.include_router(build_router())
    async with running_polling(dp, bot):
        await alice.sends("до остановки")
    await asyncio.sleep(0.05)

    update_id = tg.push_update({"message": alice.message_update("пока лежал")})
    await asyncio.sleep(0.1)
    assert not tg.delivered(update_id), "the stopped poller's open request took it"
    assert tg.pending_updates == 1

    async with running_polling(dp, bot):
        reply = await alice.wait_for_message(lambda m: m.text == "пока лежал")
    assert tg.delivered(update_id)
    assert [m.text for m in alice.messages] == ["до остановки", reply.text]
