"""Telegram routers, one per topic, assembled in the order that matters."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    adding,
    admin,
    archive,
    asking,
    editing,
    errors,
    fallback,
    faq,
    groups,
    inline,
    items,
    membership,
    orders,
    privacy,
    settings,
    start,
    status,
)


def build_router() -> Router:
    """Order: groups first (nothing said in a group reaches the private chat's handlers), then
    commands before free text (a `/add` must not reach the code scanner), though a command
    first ends a rename, the rename dialogue (inside `editing`) before the code scanner so a
    new label is not read as codes, the code scanner before the "track it?" question (a message
    it reads as codes is not asked about), and the fallback last so it sees only what nobody
    else wanted.
    """
    root = Router(name="root")
    root.include_routers(
        membership.build(),
        groups.build(),
        editing.build_dialogue_exit(),
        start.build(),
        admin.build(),
        orders.build(),
        settings.build(),
        privacy.build(),
        faq.build(),
        status.build(),
        items.build(),
        editing.build(),
        archive.build(),
        adding.build(),
        asking.build(),
        inline.build(),
        fallback.build(),
        errors.build(),
    )
    return root
