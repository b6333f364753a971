"""Logging set-up: plain or JSON lines, with secrets scrubbed before anything is written."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from types import TracebackType

# Bot tokens ("123456:AA...", also inside ".../bot123456:AA.../getMe"), anything after a
# "token"/"key"/"password" keyword, and personal data: contacts in URLs, phone numbers, e-mails.
_SECRET_PATTERNS = (
    re.compile(r"(?<!\d)\d{3,20}:[A-Za-z0-9_-]{30,64}(?![A-Za-z0-9_-])"),
    re.compile(
        r"(?i)((?:17token|token|api[_-]?key|password|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]+"
    ),
    re.compile(r"(?i)(bearer\s+)[^\s\"',]+"),
    # A shop order check carries the buyer's phone or e-mail in its query string.
    re.compile(r"(?i)([?&]contact=)[^&\s\"']+"),
    # Phone numbers (Russian spellings and any +international) and e-mail addresses.
    re.compile(
        r"(?<![\w.])(?:\+7|8|7)[\s.(-]*\d{3}[\s.)-]*\d{3}[\s.-]*\d{2}[\s.-]*\d{2}(?![\w.])"
    ),
    re.compile(r"(?<!\w)\+\d[\d\s()-]{8,20}\d(?!\w)"),
    # A Russian mobile number without its +7 or 8, spaced, dashed or not.
    re.compile(r"(?<![\w.])9\d{2}[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?![\w.])"),
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w.-]+)?"),
)


REPEAT_SECONDS = 300.0  # a repeating library warning shows once in this time
MAX_REMEMBERED = 100


def scrub(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the whole line, traceback included: an exception's text may hold a URL."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


class OneLinePerInterval(logging.Filter):
    """A library's retry loop that logs a traceback on every try (asyncpg's pool while the
    server is down) gets one line, without the traceback, every `seconds`."""

    def __init__(self, seconds: float = REPEAT_SECONDS) -> None:
        super().__init__()
        self._seconds = seconds
        self._last: dict[str, float] = {}

    def forget(self) -> None:
        """Count afresh: the next line of each message passes (a new run in the same process)."""
        self._last.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.created - self._last.get(message, -self._seconds) < self._seconds:
            return False
        if len(self._last) > MAX_REMEMBERED:  # messages vary little; never grow without bound
            self._last.clear()
        self._last[message] = record.created
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg, record.args = f"{message}: {type(error).__name__}: {error}", None
            record.exc_info, record.exc_text = None, None
        return True


def setup_logging(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # An error nothing caught is logged (and scrubbed) rather than printed raw by Python.
    sys.excepthook = _log_uncaught
    # httpx logs every request URL at INFO; URLs may carry tokens (Telegram puts it in the path).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # asyncpg logs a traceback for each try to reconnect its pool while the server is down.
    pool = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, OneLinePerInterval) for f in pool.filters):
        pool.addFilter(OneLinePerInterval())
    # aiosqlite logs every statement with its parameters at DEBUG: labels, dialogue data.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # APScheduler logs each run of each job at INFO: the send drain alone runs every second.
    if root.getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("bot").critical("unhandled error", exc_info=(kind, value, tb))
