"""The menus' keyboards: FAQ topics and statuses, settings and their choices, the way from a
group to the private chat.

Built directly like those of `bot.keyboards` (see there why).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import FaqCb, SettingsAction, SettingsCb
from bot.keyboards import grid
from bot.texts import FAQ_TOPICS, Texts
from providers.statuses import CATALOGUE, Status


def faq_menu_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=texts(f"faq-{topic}-title"), callback_data=FaqCb(topic=topic).pack()
        )
        for topic in FAQ_TOPICS
    ]
    return InlineKeyboardMarkup(inline_keyboard=grid(buttons, 1))


def open_bot_keyboard(username: str, texts: Texts) -> InlineKeyboardMarkup:
    """A link to the private chat with the bot, for a command given in a group."""
    button = InlineKeyboardButton(text=texts("btn-open-bot"), url=f"https://t.me/{username}")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def status_label_key(status: Status) -> str:
    return f"status-{status.value.replace('_', '-')}-label"


def faq_statuses_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    """One status a row: labels such as "⌛ Отслеживание остановлено" are cut in two columns."""
    buttons = [
        InlineKeyboardButton(
            text=f"{CATALOGUE[status].emoji} {texts(status_label_key(status))}",
            callback_data=FaqCb(topic="status", status=status.value).pack(),
        )
        for status in Status
    ]
    menu = InlineKeyboardButton(
        text=texts("btn-faq-menu"), callback_data=FaqCb(topic="menu").pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[*grid(buttons, 1), [menu]])


def faq_back_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts("btn-faq-menu"), callback_data=FaqCb(topic="menu").pack()
                )
            ]
        ]
    )


QUIET_PRESETS = ("23:00-08:00", "22:00-07:00", "00:00-09:00", "off")
TIMEZONE_PRESETS = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
)


def settings_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    def button(key: str, action: SettingsAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=texts(key), callback_data=SettingsCb(action=action).pack()
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button("btn-settings-language", SettingsAction.LANGUAGE)],
            [button("btn-settings-notify", SettingsAction.NOTIFY)],
            [button("btn-settings-quiet", SettingsAction.QUIET)],
            [button("btn-settings-timezone", SettingsAction.TIMEZONE)],
        ]
    )


def settings_choices_keyboard(
    action: SettingsAction, choices: Sequence[tuple[str, str]], texts: Texts
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=title, callback_data=SettingsCb(action=action, value=value).pack()
        )
        for value, title in choices
    ]
    back = InlineKeyboardButton(
        text=texts("btn-settings-back"),
        callback_data=SettingsCb(action=SettingsAction.MENU).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*grid(buttons, 2), [back]])
