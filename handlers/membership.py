"""Blocking and unblocking the bot: a blocked user gets no alerts and their parcels stop being
polled (unless someone else follows them); unblocking brings everything back."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.tracking import TrackingService


async def on_blocked(event: ChatMemberUpdated, tracking: TrackingService) -> None:
    await tracking.set_active(event.from_user.id, False)


async def on_unblocked(event: ChatMemberUpdated, tracking: TrackingService) -> None:
    await tracking.set_active(event.from_user.id, True)


def build() -> Router:
    router = Router(name="membership")
    router.my_chat_member.filter(lambda event: event.chat.type == "private")
    router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=KICKED))(on_blocked)
    router.my_chat_member(ChatMemberUpdatedFilter(member_status_changed=MEMBER))(on_unblocked)
    return router
