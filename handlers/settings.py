"""`/settings`: language, notifications, quiet hours and time zone, all by buttons."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import SettingsAction, SettingsCb
from bot.menus import (
    QUIET_PRESETS,
    TIMEZONE_PRESETS,
    settings_choices_keyboard,
    settings_keyboard,
)
from bot.quiet_hours import QuietHours
from bot.settings_service import SettingsService
from bot.texts import Catalogue, Texts
from handlers.views import edit_or_keep
from storage.models import User


def quiet_label(quiet: QuietHours, texts: Texts) -> str:
    return str(quiet) if quiet.enabled else texts("settings-off")


def timezone_label(name: str, texts: Texts) -> str:
    """The city in the user's language for the offered zones; any other zone by its IANA name."""
    key = "tz-" + name.rsplit("/", 1)[-1].lower().replace("_", "-")
    return texts(key) if texts.has(key) else name


def summary(user: User, texts: Texts, defaults: SettingsService) -> str:
    return texts(
        "settings-summary",
        language=texts(f"language-{user.language or 'auto'}"),
        notifications=texts("settings-on" if user.notifications else "settings-off"),
        quiet=quiet_label(defaults.quiet_hours(user), texts),
        timezone=timezone_label(defaults.timezone_name(user), texts),
    )


async def cmd_settings(
    message: Message, user: User, texts: Texts, settings_service: SettingsService
) -> None:
    await message.answer(
        summary(user, texts, settings_service), reply_markup=settings_keyboard(texts)
    )


async def on_settings(
    query: CallbackQuery,
    callback_data: SettingsCb,
    user: User,
    texts: Texts,
    catalogue: Catalogue,
    settings_service: SettingsService,
) -> None:
    action, value = callback_data.action, callback_data.value
    if action is SettingsAction.MENU or not value:
        await _show_choices(query, action, texts, summary(user, texts, settings_service))
        return
    updated = await settings_service.apply(user.id, action, value)
    if updated is None:
        await query.answer(texts("settings-bad-value"), show_alert=True)
        return
    texts = catalogue.for_language(updated.language or updated.tg_language)
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message, summary(updated, texts, settings_service), settings_keyboard(texts)
        )
    await query.answer(texts("settings-saved"))


async def _show_choices(
    query: CallbackQuery, action: SettingsAction, texts: Texts, menu_text: str
) -> None:
    """A section's choices; the menu itself (the back button) shows the summary again."""
    choices: list[tuple[str, str]]
    if action is SettingsAction.LANGUAGE:
        # Button labels read as choices; the summary shows the values ("как в Telegram").
        choices = [("auto", texts("btn-language-auto"))]
        choices += [(c, texts(f"language-{c}")) for c in ("ru", "en")]
    elif action is SettingsAction.NOTIFY:
        choices = [("on", texts("btn-notify-on")), ("off", texts("btn-notify-off"))]
    elif action is SettingsAction.QUIET:
        choices = [
            (p.replace(":", ""), quiet_label(QuietHours.parse(p), texts)) for p in QUIET_PRESETS
        ]
    elif action is SettingsAction.TIMEZONE:
        choices = [(tz, timezone_label(tz, texts)) for tz in TIMEZONE_PRESETS]
    else:
        if isinstance(query.message, Message):
            await edit_or_keep(query.message, menu_text, settings_keyboard(texts))
        await query.answer()
        return
    if isinstance(query.message, Message):
        await edit_or_keep(
            query.message,
            texts(f"settings-choose-{action.value}"),
            settings_choices_keyboard(action, choices, texts),
        )
    await query.answer()


def build() -> Router:
    router = Router(name="settings")
    router.message(Command("settings", ignore_case=True))(cmd_settings)
    router.callback_query(SettingsCb.filter())(on_settings)
    return router
