"""`/settings` through the real stack, and whole conversations in Russian and in English."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.app import App
from providers.clock import ManualClock
from tests.fakes.chat import Chat, Tap
from tests.fakes.telegram import Message

DELIVERED = "RA000012349CN"  # demo: the normal journey from China
STALLED = "RA111100427CN"


async def tap_exact(chat: Chat, label: str, on: Message) -> Tap:
    """Tap the button labelled exactly `label` (choices such as "on"/"off" share letters)."""
    data = [b.value for row in on.buttons for b in row if b.text == label]
    assert len(data) == 1, f"no single button {label!r}: {on.buttons}"
    return await chat.taps_data(data[0], on=on)


def labels(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def choose(chat: Chat, menu: Message, section: str, choice: str) -> Tap:
    """Open a section of the settings menu and pick one of its choices."""
    opened = await chat.taps(section, on=menu)
    assert opened.message is not None
    picked = await tap_exact(chat, choice, opened.message)
    assert picked.message is not None
    return picked


async def test_settings_shows_the_summary_with_the_defaults(alice: Chat) -> None:
    reply = await alice.sends("/settings")
    assert "Настройки" in reply.text
    assert "Язык: как в Telegram" in reply.text
    assert "Уведомления: включены" in reply.text
    assert "Тихие часы: 23:00-08:00" in reply.text
    assert "Часовой пояс: Москва" in reply.text
    labels = [b.text for row in reply.buttons for b in row]
    assert labels == ["🌐 Язык", "🔔 Уведомления", "🌙 Тихие часы", "🕓 Часовой пояс"]


async def test_switching_to_english_changes_the_next_replies_and_auto_switches_back(
    alice: Chat,
) -> None:
    menu = await alice.sends("/settings")
    picked = await choose(alice, menu, "Язык", "English")
    assert picked.answer_text == "Saved"
    assert picked.message is not None and "Language: English" in picked.message.text
    assert "Your list is empty" in (await alice.sends("/list")).text
    assert "How to use" in (await alice.sends("/help")).text

    menu = await alice.sends("/settings")
    back = await choose(alice, menu, "Language", "Same as Telegram")
    assert back.answer_text == "Сохранено"
    assert back.message is not None and "Язык: как в Telegram" in back.message.text
    assert "Список пуст" in (await alice.sends("/list")).text


async def test_an_english_client_can_choose_russian(bob: Chat) -> None:
    menu = await bob.sends("/settings")
    assert "Language: same as Telegram" in menu.text
    picked = await choose(bob, menu, "Language", "Русский")
    assert picked.message is not None and "Язык: Русский" in picked.message.text
    assert "Список пуст" in (await bob.sends("/list")).text


async def test_notifications_can_be_turned_off_and_on(alice: Chat) -> None:
    menu = await alice.sends("/settings")
    off = await choose(alice, menu, "Уведомления", "🔕 Выключить")
    assert off.message is not None and "Уведомления: выключены" in off.message.text
    assert "Уведомления: выключены" in (await alice.sends("/settings")).text
    silent = await alice.sends("RA000012349CN")
    assert "Уведомления у вас выключены" in silent.text and "Напишу" not in silent.text
    on = await choose(alice, await alice.sends("/settings"), "Уведомления", "🔔 Включить")
    assert on.message is not None and "Уведомления: включены" in on.message.text
    assert "Напишу, когда статус изменится" in (await alice.sends("RA000056781RU")).text


async def test_choice_buttons_read_as_actions_while_the_summary_keeps_the_values(
    alice: Chat, bob: Chat
) -> None:
    notify = await alice.taps("Уведомления", on=await alice.sends("/settings"))
    assert notify.message is not None
    assert labels(notify.message)[:2] == ["🔔 Включить", "🔕 Выключить"]
    language = await alice.taps("Язык", on=await alice.sends("/settings"))
    assert language.message is not None
    assert labels(language.message)[:3] == ["Как в Telegram", "Русский", "English"]
    english = await bob.taps("Alerts", on=await bob.sends("/settings"))
    assert english.message is not None
    assert labels(english.message)[:2] == ["🔔 Turn on", "🔕 Turn off"]
    off = await tap_exact(bob, "🔕 Turn off", english.message)
    assert off.message is not None and "Alerts: off" in off.message.text
    auto = await choose(bob, off.message, "Language", "Same as Telegram")
    assert auto.message is not None and "Language: same as Telegram" in auto.message.text


async def test_quiet_hours_presets_are_saved_and_off_reads_in_the_users_language(
    alice: Chat, bob: Chat
) -> None:
    menu = await alice.sends("/settings")
    picked = await choose(alice, menu, "Тихие часы", "22:00-07:00")
    assert picked.message is not None and "Тихие часы: 22:00-07:00" in picked.message.text
    off = await choose(alice, picked.message, "Тихие часы", "выключены")
    assert off.message is not None and "Тихие часы: выключены" in off.message.text

    english = await choose(bob, await bob.sends("/settings"), "Quiet hours", "off")
    assert english.message is not None and "Quiet hours: off" in english.message.text


async def test_the_back_button_returns_from_a_section_without_changing_anything(
    alice: Chat,
) -> None:
    menu = await alice.sends("/settings")
    before = menu.text
    opened = await alice.taps("Часовой пояс", on=menu)
    assert opened.message is not None and "Выберите часовой пояс" in opened.message.text
    back = [b.value for row in opened.message.buttons for b in row if b.value == "s1:menu:"]
    assert back, opened.message.buttons
    menu_again = await alice.taps_data(back[0], on=opened.message)
    assert menu_again.message is not None and menu_again.message.text == before
    assert (await alice.sends("/settings")).text == before


async def test_time_zone_preset_changes_the_times_on_cards(
    app: App, alice: Chat, clock: ManualClock
) -> None:
    added = await alice.sends(DELIVERED)
    clock.advance(days=3)
    await alice.taps("Обновить", on=added)
    (view,) = await app.tracking.find(alice.user_id, DELIVERED)
    assert view.last_event is not None
    moment = view.last_event.occurred_at

    def shown_in(zone: str) -> str:
        return moment.astimezone(ZoneInfo(zone)).strftime("%d.%m %H:%M")

    moscow_card = await alice.sends(f"/status {DELIVERED}")
    assert shown_in("Europe/Moscow") in moscow_card.text

    picked = await choose(
        alice, await alice.sends("/settings"), "Часовой пояс", "Владивосток (МСК+7)"
    )
    assert picked.message is not None and "Часовой пояс: Владивосток" in picked.message.text
    card = await alice.sends(f"/status {DELIVERED}")
    assert shown_in("Asia/Vladivostok") in card.text
    assert shown_in("Europe/Moscow") not in card.text


FORGED = (
    "s1:tz:Mars/Olympus",
    "s1:tz:UTC",  # a real zone, but not one of the offered choices
    "s1:lang:xx",
    "s1:quiet:9999",
    "s1:quiet:2500-0800",
    "s1:notify:maybe",
    "s1:warp:1",
    "s1:tz:Europe:Moscow",
)


async def test_forged_settings_values_are_refused_politely_and_change_nothing(
    alice: Chat,
) -> None:
    menu = await alice.sends("/settings")
    before = menu.text
    for data in FORGED:
        tap = await alice.taps_data(data, on=menu)
        assert tap.answer_text is not None and "устарела" in tap.answer_text, data
        assert tap.show_alert, data
    assert (await alice.sends("/settings")).text == before
    assert "Список пуст" in (await alice.sends("/list")).text  # still Russian


async def test_a_russian_conversation_adds_lists_and_uses_the_card_buttons(
    alice: Chat, clock: ManualClock
) -> None:
    added = await alice.sends(f"{DELIVERED} куртка")
    assert "Добавлено" in added.text and "куртка" in added.text
    assert "Проверено только что" in added.text
    await alice.sends(f"/add {STALLED} ботинки")

    listing = await alice.sends("/list")
    assert "Ваши посылки и заказы: 2" in listing.text
    assert "куртка" in listing.text and "ботинки" in listing.text
    opened = await alice.taps("куртка", on=listing)
    assert opened.message is not None and DELIVERED in opened.message.text
    card = opened.message
    assert [b.text for b in card.buttons[0]] == ["🔄 Обновить", "📜 История"]

    clock.advance(days=20)
    refreshed = await alice.taps("Обновить", on=card)
    assert refreshed.answer_text == "Обновлено"
    history = await alice.taps("История", on=card)
    assert history.message is not None and "История: куртка" in history.message.text
    meaning = await alice.taps("Что это значит", on=card)
    assert meaning.message is not None and "👉" in meaning.message.text
    assert any("К карточке" in b.text for row in meaning.message.buttons for b in row)


async def test_an_english_conversation_adds_lists_and_uses_the_card_buttons(
    bob: Chat, clock: ManualClock
) -> None:
    added = await bob.sends(f"{DELIVERED} jacket")
    assert "Added" in added.text and "jacket" in added.text
    assert "Checked just now" in added.text

    listing = await bob.sends("/list")
    assert "Your parcels and orders: 1" in listing.text and "jacket" in listing.text
    opened = await bob.taps("jacket", on=listing)
    assert opened.message is not None
    card = opened.message
    assert [b.text for b in card.buttons[0]] == ["🔄 Refresh", "📜 History"]

    muted = await bob.taps("Mute", on=card)
    assert muted.answer_text == "Alerts off"
    assert muted.message is not None and "Alerts for this number are off" in muted.message.text
    clock.advance(days=20)
    assert (await bob.taps("Refresh", on=card)).answer_text == "Updated"
    history = await bob.taps("History", on=card)
    assert history.message is not None and "History: jacket" in history.message.text
    confirm = await bob.taps("Delete", on=card)
    assert confirm.message is not None and "Remove “jacket”" in confirm.message.text
    done = await bob.taps("Yes, delete", on=confirm.message)
    assert done.message is not None and "Removed from your list" in done.message.text
    assert "Your list is empty" in (await bob.sends("/list")).text


async def test_a_russian_client_who_chose_english_gets_english_cards(alice: Chat) -> None:
    await choose(alice, await alice.sends("/settings"), "Язык", "English")
    added = await alice.sends(DELIVERED)
    assert "Added" in added.text
    assert "Refresh" in str(added.buttons)
