"""`/admin` for the operators listed in ADMIN_IDS; everyone else sees an unknown command."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.operator import OperatorReport, operator_report
from bot.poller import Poller
from bot.texts import Texts
from bot.tracking import TrackingService


def render_report(report: OperatorReport, texts: Texts) -> str:
    lines = [texts("admin-title"), ""]
    for health in report.sources:
        backing_off = health.backoff_until is not None and health.backoff_until > report.now
        mark = "🔴" if backing_off else "🟢"
        lines.append(f"{mark} <b>{escape(health.name)}</b>")
        if health.last_error:
            when = health.last_error_at.strftime("%d.%m %H:%M") if health.last_error_at else ""
            lines.append(texts("admin-last-error", error=escape(health.last_error[:200]), at=when))
        for key, value in sorted(health.extra.items()):
            lines.append(f"    {escape(key)}: {escape(value)}")
    if not report.sources:
        lines.append(texts("admin-no-sources"))
    lag = int((report.now - report.last_tick_at).total_seconds()) if report.last_tick_at else None
    lines += [
        "",
        texts(
            "admin-queues",
            users=report.active_users,
            items=report.subscriptions,
            polled=report.polled,
            due=report.due_now,
            outbox=report.outbox_pending,
            tick=str(lag) if lag is not None else "",  # the catalogue says "not yet"
        ),
    ]
    return "\n".join(lines)


async def cmd_admin(
    message: Message,
    texts: Texts,
    tracking: TrackingService,
    poller: Poller,
    admin_ids: frozenset[int],
) -> None:
    if message.from_user is None or message.from_user.id not in admin_ids:
        await message.answer(texts("unknown-command"))
        return
    report = await operator_report(tracking, poller)
    await message.answer(render_report(report, texts))


def build() -> Router:
    router = Router(name="admin")
    router.message(Command("admin", ignore_case=True))(cmd_admin)
    return router
