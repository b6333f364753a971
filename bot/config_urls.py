"""The addresses among the settings: the shapes each accepts, and how the database is shown.

Telegram's Bot API, the sources and the webhook take http(s) URLs, kept without a trailing
slash; the database is a SQLite path or a PostgreSQL database; Redis a redis(s) or unix URL
with a readable port. The operator sees where the data lives, never a password.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from pydantic import AfterValidator
from redis.connection import parse_url

from bot.config_values import OptionalText

OFFICIAL_BOT_API_HOST = "api.telegram.org"


def check_http_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("expected an http:// or https:// URL")
    return value.rstrip("/") if value else value


POSTGRES_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


def check_database_url(value: str) -> str:
    scheme = value.partition("://")[0]
    if value.startswith("sqlite:///") and value != "sqlite:///":
        return value
    if scheme in {"postgresql", "postgres"} and urlsplit(value).path.strip("/"):
        if not _port_readable(value):
            raise ValueError("the port must be a number from 1 to 65535")
        query = parse_qs(urlsplit(value).query)
        if any(mode not in POSTGRES_SSL_MODES for mode in query.get("sslmode", [])):
            raise ValueError(f"sslmode must be one of {', '.join(sorted(POSTGRES_SSL_MODES))}")
        if any(not _positive_seconds(t) for t in query.get("connect_timeout", [])):
            raise ValueError("connect_timeout must be a number of seconds above 0")
        return value
    raise ValueError("expected sqlite:///path or postgresql://user@host/database")


def _positive_seconds(text: str) -> bool:
    try:
        return 0 < float(text) < float("inf")
    except ValueError:
        return False


def check_redis_url(value: str | None) -> str | None:
    """redis-py's own reading of the URL, so that a bad option fails here and not at start."""
    if value is None:
        return value
    if not _port_readable(value) or not re.match(r"^(rediss?|unix)://\S+", value):
        raise ValueError("expected redis://host:port/db, rediss://... or unix:///path")
    parts = urlsplit(value)
    if parts.scheme != "unix" and not re.fullmatch(r"/?\d*", parts.path):
        raise ValueError("the database after the port must be a number, as in redis://host:6379/0")
    try:
        parse_url(value)  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
    except ValueError as exc:
        raise ValueError(str(exc).rstrip(".")) from None
    return value


def _port_readable(url: str) -> bool:
    try:
        port = urlsplit(url).port  # ValueError when it is no number or out of range
    except ValueError:
        return False
    return port != 0


def check_webhook_reachable(telegram_api_url: str, webhook_url: str | None) -> None:
    """Telegram calls only https webhooks; a self-hosted Bot API server may call http."""
    official = urlsplit(telegram_api_url).hostname == OFFICIAL_BOT_API_HOST
    https = urlsplit(webhook_url or "").scheme.lower() == "https"
    if official and webhook_url and not https:
        raise ValueError("WEBHOOK_URL: Telegram requires an https:// URL")


def database_place(url: str) -> str:
    """The file, or the server and database (never the password), for the operator's eyes.
    A relative SQLite path depends on the working directory, so it is shown resolved."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return f"SQLite file {Path(path).resolve()}" if path != ":memory:" else "SQLite in memory"
    parts = urlsplit(url)
    user = f" as {parts.username}" if parts.username else ""  # no "@": logs scrub e-mails
    port = f":{parts.port}" if parts.port else ""
    return f"PostgreSQL {parts.hostname or 'local socket'}{port}{parts.path}{user}"


def webhook_mode(webhook_url: str | None) -> str:
    if webhook_url:
        return f"webhook at {urlsplit(webhook_url).path or '/'}"
    return "long polling"


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
OptionalHttpUrl = Annotated[OptionalText, AfterValidator(check_http_url)]
DatabaseUrl = Annotated[str, AfterValidator(check_database_url)]
RedisUrl = Annotated[OptionalText, AfterValidator(check_redis_url)]
