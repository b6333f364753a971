"""Quiet hours: a daily window, read from QUIET_HOURS or a user's setting, when alerts wait."""

from __future__ import annotations

import re
from datetime import time


class QuietHours:
    """A daily window like 23:00-08:00 (may cross midnight); `None` start means disabled."""

    __slots__ = ("end", "start")

    def __init__(self, start: time | None, end: time | None) -> None:
        self.start = start
        self.end = end

    @classmethod
    def parse(cls, raw: str) -> QuietHours:
        value = raw.strip().lower()
        if value in {"off", "none", "no", ""}:
            return cls(None, None)
        match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
        if not match:
            raise ValueError("expected HH:MM-HH:MM or 'off'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError("hours 0-23, minutes 0-59")
        return cls(time(h1, m1), time(h2, m2))

    @property
    def enabled(self) -> bool:
        return self.start is not None and self.start != self.end

    def contains(self, moment: time) -> bool:
        if not self.enabled or self.start is None or self.end is None:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        if not self.enabled or self.start is None or self.end is None:
            return "off"
        return f"{self.start:%H:%M}-{self.end:%H:%M}"
