"""Inline keyboards: pure functions of a view and the user's texts.

Markups are built directly rather than through aiogram's InlineKeyboardBuilder, which deep-copies
and re-validates every button: a list reply would spend more on its keyboard than on its text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import (
    ArchivePageCb,
    CarrierCb,
    ForgetCb,
    ItemAction,
    ItemCb,
    NumberCb,
    PageCb,
)
from bot.texts import Texts
from providers.statuses import CATALOGUE, Status


def grid(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[start : start + width]) for start in range(0, len(buttons), width)]


def item_button(item_id: int, key: str, action: ItemAction, texts: Texts) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=texts(key), callback_data=ItemCb(action=action, item_id=item_id).pack()
    )


def archive_row(item_id: int, archived: bool, texts: Texts) -> list[InlineKeyboardButton]:
    if archived:
        return [item_button(item_id, "btn-unarchive", ItemAction.UNARCHIVE, texts)]
    return [item_button(item_id, "btn-archive", ItemAction.ARCHIVE, texts)]


def item_keyboard(
    item_id: int, status: Status, muted: bool, texts: Texts, *, archived: bool = False
) -> InlineKeyboardMarkup:
    """A finished item has nothing left to alert about, so it offers the archive (an archived
    one, the way back) instead of muting. It keeps the refresh: a delivered parcel can move."""

    def button(key: str, action: ItemAction) -> InlineKeyboardButton:
        return item_button(item_id, key, action, texts)

    finished = CATALOGUE[status].final
    buttons = [
        button("btn-refresh", ItemAction.REFRESH),
        button("btn-history", ItemAction.HISTORY),
        button("btn-explain", ItemAction.EXPLAIN),
    ]
    if not finished:
        mute = ("btn-unmute", ItemAction.UNMUTE) if muted else ("btn-mute", ItemAction.MUTE)
        buttons.append(button(*mute))
    buttons += [button("btn-rename", ItemAction.RENAME), button("btn-delete", ItemAction.DELETE)]
    rows = grid(buttons, 2)
    if finished or archived:
        rows.append(archive_row(item_id, archived, texts))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def carriers_keyboard(
    item_id: int, choices: Mapping[int, str], texts: Texts
) -> InlineKeyboardMarkup:
    """Carrier keys as the button data, their names in the user's language as the labels."""
    buttons = [
        InlineKeyboardButton(
            text=texts(f"carrier-{name}"),
            callback_data=CarrierCb(item_id=item_id, carrier=key).pack(),
        )
        for key, name in choices.items()
    ]
    return InlineKeyboardMarkup(inline_keyboard=grid(buttons, 2))


def asked_numbers_keyboard(numbers: Sequence[str], texts: Texts) -> InlineKeyboardMarkup:
    """One "track it" button a number, each carrying only the number it adds."""
    rows = [
        [
            InlineKeyboardButton(
                text=texts("btn-track-number", number=number),
                callback_data=NumberCb(number=number).pack(),
            )
        ]
        for number in numbers
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back_keyboard(item_id: int, texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts("btn-back"),
                    callback_data=ItemCb(action=ItemAction.BACK, item_id=item_id).pack(),
                )
            ]
        ]
    )


def alert_keyboard(item_id: int, texts: Texts, *, finished: bool = False) -> InlineKeyboardMarkup:
    """A finished item's alert says it is the last one: it offers the archive, not muting."""
    row = [item_button(item_id, "btn-history", ItemAction.HISTORY, texts)]
    if finished:
        return InlineKeyboardMarkup(inline_keyboard=[row, archive_row(item_id, False, texts)])
    row.append(item_button(item_id, "btn-mute", ItemAction.MUTE, texts))
    return InlineKeyboardMarkup(inline_keyboard=[row])


def confirm_delete_keyboard(item_id: int, texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts("btn-delete-yes"),
                    callback_data=ItemCb(action=ItemAction.DELETE_YES, item_id=item_id).pack(),
                ),
                InlineKeyboardButton(
                    text=texts("btn-cancel"),
                    callback_data=ItemCb(action=ItemAction.BACK, item_id=item_id).pack(),
                ),
            ]
        ]
    )


def confirm_forget_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=texts("btn-forget-yes"), callback_data=ForgetCb(confirmed=True).pack()
                ),
                InlineKeyboardButton(
                    text=texts("btn-cancel"), callback_data=ForgetCb(confirmed=False).pack()
                ),
            ]
        ]
    )


def list_keyboard(
    item_ids: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    texts: Texts,
    *,
    archived: bool = False,
    first: int = 1,
) -> InlineKeyboardMarkup:
    """The items as buttons, two a row, then the page arrows (of the archive when `archived`).
    Numbered from `first`, as the page's text numbers them."""
    buttons = [
        InlineKeyboardButton(
            text=f"{number}. {title}"[:40],
            callback_data=ItemCb(action=ItemAction.OPEN, item_id=item_id).pack(),
        )
        for number, (item_id, title) in enumerate(item_ids, start=first)
    ]
    rows = grid(buttons, 2)
    arrows = _page_arrows(page, pages, texts, archived=archived)
    if arrows:
        rows.append(arrows)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _page_arrows(
    page: int, pages: int, texts: Texts, *, archived: bool
) -> list[InlineKeyboardButton]:
    """The previous and next page arrows, each only where there is such a page."""
    to_page = ArchivePageCb if archived else PageCb

    def arrow(key: str, target: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=texts(key), callback_data=to_page(page=target).pack())

    arrows = []
    if page > 0:
        arrows.append(arrow("btn-prev", page - 1))
    if page + 1 < pages:
        arrows.append(arrow("btn-next", page + 1))
    return arrows
