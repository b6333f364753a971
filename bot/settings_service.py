"""A user's preferences with the operator's defaults filled in, and their validated changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.callbacks import SettingsAction
from bot.menus import QUIET_PRESETS, TIMEZONE_PRESETS
from bot.quiet_hours import QuietHours
from providers.clock import Clock
from storage import Database
from storage.models import User


class SettingsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        default_quiet: str,
        default_tz: str,
        on_change: Callable[[int], None] = lambda _user_id: None,
    ) -> None:
        self._on_change = on_change
        self._db = db
        self._clock = clock
        self._default_quiet = default_quiet
        self._default_tz = default_tz

    def quiet_hours(self, user: User) -> QuietHours:
        return QuietHours.parse(user.quiet_hours or self._default_quiet)

    def timezone_name(self, user: User) -> str:
        return user.timezone or self._default_tz

    def timezone(self, user: User) -> ZoneInfo:
        return ZoneInfo(self.timezone_name(user))

    def quiet_until(self, user: User, now: datetime) -> datetime | None:
        """When the user's quiet hours end, if `now` falls within them."""
        quiet = self.quiet_hours(user)
        if not quiet.enabled or quiet.end is None:
            return None
        local = now.astimezone(self.timezone(user))
        if not quiet.contains(local.time()):
            return None
        end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end

    async def apply(self, user_id: int, action: SettingsAction, value: str) -> User | None:
        """Validate against the offered choices (button data is not trusted), then save."""
        self._on_change(user_id)
        async with self._db.transaction() as tx:
            await tx.users.ensure(user_id, self._clock())  # erased by another process meanwhile
            if action is SettingsAction.LANGUAGE and value in {"auto", "ru", "en"}:
                await tx.users.set_language(user_id, None if value == "auto" else value)
            elif action is SettingsAction.NOTIFY and value in {"on", "off"}:
                await tx.users.set_notifications(user_id, value == "on")
            elif action is SettingsAction.QUIET and value in {
                p.replace(":", "") for p in QUIET_PRESETS
            }:
                preset = next(p for p in QUIET_PRESETS if p.replace(":", "") == value)
                await tx.users.set_quiet_hours(user_id, preset)
                await tx.outbox.reschedule_user(user_id, self._clock())
            elif action is SettingsAction.TIMEZONE and value in TIMEZONE_PRESETS:
                await tx.users.set_timezone(user_id, value)
                await tx.outbox.reschedule_user(user_id, self._clock())
            else:
                return None
            return await tx.users.get(user_id)
