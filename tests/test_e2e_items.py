"""A shopper's conversation through the real stack: Bot over HTTP, fake Telegram, demo source."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import App
from bot.in_flight import GracefulDispatcher
from providers.clock import ManualClock
from providers.codes import s10_check_digit
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram, Message

DELIVERED = "RA000012349CN"  # demo: the normal journey from China
STALLED = "RA111100427CN"
DOMESTIC = "RA000056781RU"


async def test_start_greets_in_russian_and_explains_how_to_add(alice: Chat) -> None:
    reply = await alice.sends("/start")
    assert "Здравствуйте, Алиса" in reply.text
    assert "RA123456785CN" in reply.text


async def test_help_names_this_bot_for_inline_mode(alice: Chat, bob: Chat) -> None:
    assert "В любом чате: @parcel_test_bot номер" in (await alice.sends("/help")).text
    assert "In any chat: @parcel_test_bot number" in (await bob.sends("/help")).text


async def test_start_speaks_english_to_an_english_client(bob: Chat) -> None:
    reply = await bob.sends("/start")
    assert "Hello, Bob" in reply.text


async def test_commands_menu_is_set_in_both_languages(app: App, alice: Chat) -> None:
    await alice.sends("/start")
    ru = {c["command"]: c["description"] for c in app_commands(alice, "ru")}
    en = {c["command"]: c["description"] for c in app_commands(alice, "en")}
    assert set(ru) == set(en) >= {"add", "list", "status", "remove", "faq", "settings", "help"}
    assert ru["list"] != en["list"]


def app_commands(chat: Chat, language: str) -> list[dict[str, str]]:
    return chat.tg.my_commands(language_code=language)  # type: ignore[no-any-return]


async def test_add_command_follows_the_code_with_its_label(alice: Chat) -> None:
    reply = await alice.sends(f"/add {DELIVERED} наушники")
    assert "Добавлено" in reply.text
    assert "наушники" in reply.text
    assert DELIVERED in reply.text
    labels = [b[0] for row in reply.buttons for b in row]
    assert any("Обновить" in label for label in labels)
    assert any("Удалить" in label for label in labels)


async def test_a_plain_message_with_a_spaced_lower_case_code_adds_it(alice: Chat) -> None:
    reply = await alice.sends("вот мой трек RA 0000 1234 9 CN, это куртка")
    assert DELIVERED in reply.text
    assert "Добавлено" in reply.text


async def test_a_number_not_found_yet_says_so_once(alice: Chat) -> None:
    card = (await alice.sends(DELIVERED)).text
    assert "Нет данных" in card and "Событий пока нет" in card
    assert "Отправление не найдено" not in card  # the demo source's own words for it


async def test_more_matches_than_are_shown_are_counted_not_dropped(alice: Chat) -> None:
    for n in range(6):
        await alice.sends(f"{_s10(n)} подарок {n}")
    await alice.sends("/status подарок")
    more = await alice.wait_for_message(lambda m: "и ещё" in m.text)
    assert "…и ещё 1 совпадение. Уточните запрос" in more.text
    await alice.sends("/remove подарок")
    await alice.wait_for_message(lambda m: "и ещё 1 совпадение" in m.text and m is not more)


async def test_wrong_check_digit_is_refused_with_the_expected_digit(alice: Chat) -> None:
    reply = await alice.sends("RA000012340CN")
    assert "контрольная цифра" in reply.text
    assert "9" in reply.text
    listing = await alice.sends("/list")
    assert "пуст" in listing.text


async def test_remove_names_each_match_by_its_number_too(alice: Chat) -> None:
    """Two items labelled alike are told apart; an unlabelled one is named by its number."""
    await alice.sends(f"{DELIVERED} сдэк")
    await alice.sends(f"{DOMESTIC} сдэк 📦")
    confirms = [m.text for m in await asks_all(alice, "/remove сдэк", 2)]
    assert any(f"«сдэк» ({DELIVERED})" in text for text in confirms)
    assert any(f"«сдэк 📦» ({DOMESTIC})" in text for text in confirms)
    await alice.sends(STALLED)
    bare = await alice.sends(f"/remove {STALLED}")
    assert bare.text.startswith(f"Удалить {STALLED} из списка?")


async def asks_all(chat: Chat, said: str, count: int) -> list[Message]:
    await chat.sends(said)
    await chat.tg.until(lambda: sum("Удалить" in m.text for m in chat.messages) >= count, 10)
    return [m for m in chat.messages if m.text.startswith("Удалить")][-count:]


async def test_adding_the_same_code_twice_says_it_is_already_there(alice: Chat) -> None:
    await alice.sends(DELIVERED)
    again = await alice.sends(f"/add {DELIVERED}")
    assert "уже в вашем списке" in again.text


async def test_add_without_arguments_explains_usage(alice: Chat) -> None:
    reply = await alice.sends("/add")
    assert "/add" in reply.text


async def test_label_with_html_is_escaped_not_interpreted(alice: Chat) -> None:
    reply = await alice.sends(f"/add {DELIVERED} <b>подарок</b> & сюрприз")
    assert "<b>подарок</b> & сюрприз" in reply.text
    assert "&lt;b&gt;" in reply.html


async def test_list_paginates_long_lists(alice: Chat) -> None:
    codes = [_s10(n) for n in range(12)]
    await alice.sends("/add " + " ".join(codes[:6]))
    await alice.sends("/add " + " ".join(codes[6:]))
    first = await alice.sends("/list")
    assert "12" in first.text
    assert "1 из 2" in first.text
    second = await alice.taps("Дальше")
    assert second.message is not None
    assert "2 из 2" in second.message.text
    assert "11." in second.message.text
    # A page past the end (a button from before items went, or forged) shows the last one.
    back = await alice.taps("Назад", on=second.message)
    assert back.message is not None and "1 из 2" in back.message.text
    beyond = await alice.taps_data("p1:99", on=back.message)
    assert beyond.message is not None
    assert "2 из 2" in beyond.message.text and "11." in beyond.message.text


async def test_status_shows_the_card_for_a_label_and_refuses_unknown_queries(alice: Chat) -> None:
    await alice.sends(f"/add {DELIVERED} Куртка")
    card = await alice.sends("/status куртка")
    assert DELIVERED in card.text
    missing = await alice.sends("/status ноутбук")
    assert "нет «ноутбук»" in missing.text


async def test_an_unknown_query_of_a_whole_message_gets_a_short_polite_reply(alice: Chat) -> None:
    """Telegram allows 4,096 characters a message: echoing such a query whole would exceed it."""
    query = "где & <мой> заказ " * 220
    for command in ("/status", "/remove"):
        missing = await alice.sends(f"{command} {query.strip()}")
        assert "нет «где & <мой> заказ" in missing.text and "…»" in missing.text
        assert len(missing.text) < 300


async def test_a_message_full_of_codes_gets_every_reply_within_telegram_limits(
    alice: Chat, app: App
) -> None:
    """About 290 codes fit in one message; the reply names those beyond the cards by count,
    first those now in the list, then those past the day's 100 new numbers."""
    codes = [f"RA{n:08d}{s10_check_digit(f'{n:08d}')}CN" for n in range(5000, 5290)]
    await alice.sends(" ".join(codes))
    # The summary comes last; a card's own words («служба ещё не передала данные») must not
    # stand in for it.
    await alice.tg.until(lambda: any("в списке" in m.text for m in alice.messages), timeout=30)
    assert isinstance(app.dispatcher, GracefulDispatcher)
    assert await app.dispatcher.drained(30)  # the update is handled: every reply has been sent
    last = alice.messages[-1].text
    assert "{???}" not in last and len(last) <= 4096
    assert "И ещё 95 в списке" in last and codes[5] in last and codes[99] not in last
    assert "Не добавлены (190)" in last and codes[100] in last and codes[-1] not in last
    assert len(alice.messages) == 6  # five cards and the summary, not a card for each code
    listed = await alice.sends("/list")
    assert "100" in listed.text


async def test_many_mistyped_codes_get_one_reply(alice: Chat) -> None:
    typos = [f"RA{n:08d}{(s10_check_digit(f'{n:08d}') + 1) % 10}CN" for n in range(6000, 6060)]
    reply = await alice.sends(" ".join(typos))
    await asyncio.sleep(0.3)  # a second reply would have come by now
    assert [m.text for m in alice.messages] == [reply.text]
    assert reply.text.count("опечатка") == 5
    assert "…и ещё с ошибками (55)" in reply.text and typos[5] in reply.text
    assert len(reply.text) <= 4096


async def test_a_code_in_a_photos_caption_is_followed(alice: Chat) -> None:
    reply = await alice.sends_photo(f"Мой заказ: {DELIVERED} кроссовки")
    assert "Добавлено" in reply.text and "кроссовки" in reply.text


async def test_a_mistyped_code_fixed_by_editing_the_message_is_followed(alice: Chat) -> None:
    typo = await alice.sends("RA000012340CN")
    assert "опечатка" in typo.text
    fixed = await alice.edits("RA000012340CN", DELIVERED)
    assert "Добавлено" in fixed.text and DELIVERED in fixed.text
    assert "Ваши посылки и заказы: 1\n" in (await alice.sends("/list")).text


async def test_status_without_arguments_lists_everything(alice: Chat) -> None:
    await alice.sends(DELIVERED)
    await alice.sends(STALLED)
    overview = await alice.sends("/status")
    assert DELIVERED in overview.text and STALLED in overview.text


async def test_refresh_shows_the_new_status_once_time_has_passed(
    alice: Chat, clock: ManualClock
) -> None:
    added = await alice.sends(DELIVERED)
    before = added.text
    clock.advance(days=12)
    tap = await alice.taps("Обновить", on=added)
    assert tap.answer_text == "Обновлено"
    assert tap.message is not None
    assert "Нет данных" in before and "Нет данных" not in tap.message.text
    assert "🚚 В пути" in tap.message.text
    clock.advance(minutes=2)  # past the refresh limit; the demo's parcel has not moved since
    again = await alice.taps("Обновить", on=tap.message)
    assert again.answer_text == "Проверил: нового пока нет"


async def test_refresh_is_limited_to_once_a_minute(alice: Chat, clock: ManualClock) -> None:
    added = await alice.sends(DELIVERED)
    clock.advance(days=1)
    await alice.taps("Обновить", on=added)
    clock.advance(seconds=10)
    second = await alice.taps("Обновить", on=added)
    assert second.answer_text is not None and "через" in second.answer_text


async def test_history_lists_the_events_newest_first(alice: Chat, clock: ManualClock) -> None:
    added = await alice.sends(DELIVERED)
    clock.advance(days=30)
    await alice.taps("Обновить", on=added)
    tap = await alice.taps("История", on=alice.tg.messages[(alice.chat_id, added.message_id)])
    assert tap.message is not None
    text = tap.message.text
    assert text.startswith(f"📜 История: {DELIVERED}")
    steps = ["Вручение адресату", "Прием на таможню", "Принято в отделении", "Присвоен трек-номер"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


async def test_explain_tells_what_the_status_means_and_what_to_do(alice: Chat) -> None:
    added = await alice.sends(f"{DELIVERED} <кеды & носки>")
    tap = await alice.taps("Что это значит", on=added)
    assert tap.message is not None
    assert "👉" in tap.message.text
    assert tap.message.text.startswith("<кеды & носки>: ")  # whose status, as it is now


async def test_mute_and_unmute_toggle_the_button(alice: Chat) -> None:
    added = await alice.sends(DELIVERED)
    muted = await alice.taps("Не уведомлять", on=added)
    assert muted.message is not None
    assert "Уведомления по этому номеру выключены" in muted.message.text
    unmuted = await alice.taps("Уведомлять", on=muted.message)
    assert unmuted.message is not None
    assert "выключены" not in unmuted.message.text


async def test_rename_asks_for_a_new_label_and_keeps_it(alice: Chat) -> None:
    added = await alice.sends(DELIVERED)
    prompt = await alice.taps("Изменить подпись", on=added)
    assert prompt.message is not None and "Пришлите новую подпись" in prompt.message.text
    done = await alice.sends("Зимние ботинки")
    assert "Зимние ботинки" in done.text
    listing = await alice.sends("/list")
    assert "Зимние ботинки" in listing.text


async def test_a_track_code_sent_instead_of_a_name_is_added_and_the_name_kept(
    alice: Chat,
) -> None:
    added = await alice.sends(f"{DELIVERED} кроссовки")
    await alice.taps("Изменить подпись", on=added)
    reply = await alice.sends(f"{STALLED} зарядка")
    assert "Добавлено" in reply.text and STALLED in reply.text
    listing = (await alice.sends("/list")).text
    assert "кроссовки" in listing and "зарядка" in listing
    assert "Подпись сохранена" not in (await alice.sends("наушники")).text  # the rename is over


@pytest.mark.parametrize("command", ["/list", "/help", "/settings", "/nosuchcommand"])
async def test_a_command_during_a_rename_is_answered_and_ends_the_rename(
    alice: Chat, command: str
) -> None:
    added = await alice.sends(f"{DELIVERED} кроссовки")
    await alice.taps("Изменить подпись", on=added)
    answered = await alice.sends(command)
    assert "подпись не меняю" not in answered.text  # the command's own answer
    assert "Подпись сохранена" not in (await alice.sends("наушники")).text
    assert "кроссовки" in (await alice.sends("/list")).text


async def test_a_long_new_label_is_shortened_at_a_word(alice: Chat) -> None:
    added = await alice.sends(DELIVERED)
    await alice.taps("Изменить подпись", on=added)
    done = await alice.sends("зимние ботинки для прогулок по парку " * 5)
    label = "зимние ботинки для прогулок по парку зимние ботинки для…"
    assert label in done.text and len(label) <= 64


async def test_delete_asks_for_confirmation_first(alice: Chat) -> None:
    added = await alice.sends(f"{DELIVERED} куртка")
    confirm = await alice.taps("Удалить", on=added)
    assert confirm.message is not None and "Удалить «куртка» (RA" in confirm.message.text
    done = await alice.taps("Да, удалить", on=confirm.message)
    assert done.message is not None and "Удалено из списка: «куртка» (RA" in done.message.text
    listing = await alice.sends("/list")
    assert "пуст" in listing.text


async def test_remove_command_finds_by_code_and_confirms(alice: Chat) -> None:
    await alice.sends(DELIVERED)
    confirm = await alice.sends(f"/remove {DELIVERED.lower()}")
    assert "Удалить" in confirm.text
    await alice.taps("Да, удалить", on=confirm)
    assert "пуст" in (await alice.sends("/list")).text


async def test_remove_without_arguments_explains_usage(alice: Chat) -> None:
    reply = await alice.sends("/remove")
    assert "/remove" in reply.text


async def test_forged_callback_for_a_foreign_item_is_refused(
    tg: FakeTelegram, alice: Chat, bob: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    added = await alice.sends(f"{DELIVERED} секрет")
    item_id = _item_id(added)
    own = await bob.sends("/start")
    for action in ("d", "y", "h", "r", "n", "m", "o", "e"):
        tap = await bob.taps_data(f"i1:{action}:{item_id}", on=own)
        assert tap.answer_text is not None and "no longer in your list" in tap.answer_text
    assert "секрет" in (await alice.sends("/list")).text
    answers = [c for c in tg.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 8 and {c.status for c in answers} == {200}  # each press answered once
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_garbage_and_outdated_callback_data_get_a_polite_answer(alice: Chat) -> None:
    own = await alice.sends("/start")
    for data in ("i1:zz:1", "i0:d:1", "nonsense", "i1:d:not-a-number", "p1:x"):
        tap = await alice.taps_data(data, on=own)
        assert tap.answer_text is not None and "устарела" in tap.answer_text


async def test_callback_numbers_too_large_for_the_database_are_outdated_buttons(
    alice: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    own = await alice.sends("/start")
    huge = "99999999999999999999"
    for data in (f"p1:{huge}", f"a1:{huge}", f"i1:o:{huge}", f"c1:{huge}:3011", "i1:o:-1"):
        tap = await alice.taps_data(data, on=own)
        assert tap.answer_text is not None and "устарела" in tap.answer_text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_cancel_with_no_dialogue_open_says_there_is_nothing_to_cancel(
    alice: Chat, bob: Chat
) -> None:
    assert "нечего отменять" in (await alice.sends("/cancel")).text
    assert "nothing to cancel" in (await bob.sends("/cancel")).text


async def test_a_short_list_names_an_unlabelled_code_once_and_no_pages(alice: Chat) -> None:
    await alice.sends(DELIVERED)
    await alice.sends(f"{STALLED} кроссовки")
    listed = (await alice.sends("/list")).text
    assert listed.count(DELIVERED) == 1 and listed.count(STALLED) == 1
    assert "кроссовки" in listed
    assert "стр." not in listed


async def test_unknown_command_gets_a_hint(alice: Chat) -> None:
    reply = await alice.sends("/frobnicate")
    assert "/help" in reply.text


async def test_a_command_capitalised_by_the_phone_keyboard_still_works(alice: Chat) -> None:
    assert "Здравствуйте, Алиса" in (await alice.sends("/Start")).text
    assert "Список пуст" in (await alice.sends("/List")).text
    assert "Добавлено" in (await alice.sends("/ADD RA000012349CN")).text


async def test_text_without_codes_gets_a_hint(alice: Chat) -> None:
    reply = await alice.sends("привет")
    assert "трек-номер" in reply.text
    assert "заказа" not in reply.text  # this bot has no shop: order numbers get nowhere


async def test_deep_link_adds_a_code(alice: Chat) -> None:
    reply = await alice.sends(f"/start add_{DELIVERED}")
    assert "Добавлено" in reply.text


async def test_bad_deep_link_is_refused_politely(alice: Chat) -> None:
    reply = await alice.sends("/start o_forged_payload")
    assert "ссылка" in reply.text.lower()


async def test_english_user_gets_english_cards(alice: Chat, bob: Chat, clock: ManualClock) -> None:
    reply = await bob.sends(DELIVERED)
    assert "Added" in reply.text
    assert "Refresh" in str(reply.buttons)
    clock.advance(days=3)
    refreshed = await bob.taps("Refresh", on=reply)
    assert refreshed.message is not None
    assert "Russian Post" in refreshed.message.text  # the carrier's name too
    assert "Почта России" not in refreshed.message.text
    assert "Почта России" in (await alice.sends(DELIVERED)).text


def _item_id(message: object) -> int:
    for row in message.buttons:  # type: ignore[attr-defined]
        for _text, value in row:
            if isinstance(value, str) and value.startswith("i1:"):
                return int(value.rsplit(":", 1)[1])
    raise AssertionError("no item button")


def _s10(serial: int) -> str:
    digits = f"{90000000 + serial:08d}"
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"RR{digits}{check}CN"


async def test_a_label_beside_two_codes_is_said_to_be_left_out(alice: Chat) -> None:
    await alice.sends(f"{DELIVERED} и {DOMESTIC} кроссовки")
    await alice.wait_for_message(lambda m: "Подпись «кроссовки» я не добавил" in m.text)
    assert sum("Добавлено" in m.text for m in alice.messages) == 2
    listing = await alice.sends("/list")
    assert "кроссовки" not in listing.text
