"""The plain values among the settings: what each accepts, as types the settings class declares.

Secrets and optional texts read an empty or blank value as unset, as every variable does; the
token and the webhook secret keep the shape Telegram gives them; ADMIN_IDS is a comma-separated
list of ids; names (language, time zone, log level) are checked against what exists. Each check
raises ValueError with words the operator can act on; the variable's name is added by
`bot.config_errors`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, SecretStr
from pydantic_settings import NoDecode

from bot.quiet_hours import QuietHours

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SUPPORTED_LANGUAGES = ("ru", "en")
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})


def empty_is_unset(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def empty_is_loopback(value: object) -> object:
    """Empty means unset, as for every variable: loopback, never every interface."""
    return "127.0.0.1" if isinstance(value, str) and not value.strip() else value


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME_RE = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?")


def check_host(value: str) -> str:
    value = value.strip()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if not HOST_NAME_RE.fullmatch(value):
            raise ValueError("expected an IP address or a host name, e.g. 127.0.0.1") from None
    return value


def check_token(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not TOKEN_RE.fullmatch(value.get_secret_value()):
        raise ValueError("does not look like a token from @BotFather (digits:secret)")
    return value


def check_webhook_secret(value: SecretStr | None) -> SecretStr | None:
    if value is not None and not WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value()):
        raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
    return value


def parse_user_ids(value: object) -> object:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(re.fullmatch(r"-?\d+", p) for p in parts):
            raise ValueError("expected comma-separated Telegram user ids")
        return tuple(int(p) for p in parts)
    return value


def check_language(value: str) -> str:
    value = value.strip().lower()
    if value not in SUPPORTED_LANGUAGES:
        raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
    return value


def check_timezone(value: str) -> str:
    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone (expected an IANA name like Europe/Moscow)") from exc
    return value


def check_quiet_hours(value: str) -> str:
    window = QuietHours.parse(value)
    if window.start is not None and window.start == window.end:
        raise ValueError("start and end are the same; write off to turn quiet hours off")
    return value


def check_log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value.upper()


def check_log_format(value: str) -> str:
    if value.lower() not in {"text", "json"}:
        raise ValueError("expected text or json")
    return value.lower()


def check_pattern(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from exc
    return value


OptionalText = Annotated[str | None, BeforeValidator(empty_is_unset)]
ListenHost = Annotated[str, BeforeValidator(empty_is_loopback), AfterValidator(check_host)]
Secret = Annotated[SecretStr | None, BeforeValidator(empty_is_unset)]
BotToken = Annotated[Secret, AfterValidator(check_token)]
WebhookSecret = Annotated[Secret, AfterValidator(check_webhook_secret)]
# NoDecode: a comma-separated list, not the JSON pydantic-settings expects of a tuple.
UserIds = Annotated[tuple[int, ...], NoDecode, BeforeValidator(parse_user_ids)]
Language = Annotated[str, AfterValidator(check_language)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
QuietHoursText = Annotated[str, AfterValidator(check_quiet_hours)]
LogLevel = Annotated[str, AfterValidator(check_log_level)]
LogFormat = Annotated[str, AfterValidator(check_log_format)]
RegexText = Annotated[OptionalText, AfterValidator(check_pattern)]
