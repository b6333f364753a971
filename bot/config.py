"""One flat settings class read from the environment and `.env`; every knob of the bot lives here.

Bad values fail at start with a message naming the variable (see `describe_errors`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.quiet_hours import QuietHours

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
SUPPORTED_LANGUAGES = ("ru", "en")
DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DAY_SECONDS = 86_400


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # an empty value means "not set": the default applies
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_TELEGRAM_API_URL
    database_url: str = "sqlite:///data/bot.sqlite3"
    database_pool_size: int = Field(default=5, gt=0)
    redis_url: str | None = None
    default_language: str = "ru"
    default_timezone: str = "Europe/Moscow"
    quiet_hours: str = "23:00-08:00"
    log_level: str = "INFO"
    log_format: str = "text"

    track17_api_key: SecretStr | None = None
    track17_api_url: str = "https://api.17track.net"
    russian_post_login: str | None = None
    russian_post_password: SecretStr | None = None
    russian_post_api_url: str = "https://tracking.russianpost.ru"
    russian_post_daily_limit: int = Field(default=100, gt=0)
    shop_api_url: str | None = None
    shop_api_token: SecretStr | None = None
    shop_name: str = ""
    shop_order_pattern: str | None = None
    shop_link_secret: SecretStr | None = None
    demo_source: bool = False
    demo_time_scale: float = Field(default=1.0, gt=0, le=1e6, allow_inf_nan=False)

    # Upper bounds keep every derived time a real timedelta and every rate a real number.
    poll_tick_seconds: float = Field(default=30, gt=0, le=DAY_SECONDS, allow_inf_nan=False)
    poll_interval_seconds: float = Field(
        default=3600, gt=0, le=30 * DAY_SECONDS, allow_inf_nan=False
    )
    source_timeout_seconds: float = Field(default=15, gt=0, le=600, allow_inf_nan=False)
    send_rate_per_second: float = Field(default=25, gt=0, le=10_000, allow_inf_nan=False)
    outbox_lease_seconds: float = Field(default=60, gt=0, le=DAY_SECONDS, allow_inf_nan=False)
    poll_lease_seconds: float = Field(default=300, gt=0, le=DAY_SECONDS, allow_inf_nan=False)
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    new_numbers_per_user_per_day: int = Field(default=100, ge=0)

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @field_validator(
        "redis_url",
        "shop_api_url",
        "shop_order_pattern",
        "webhook_url",
        "russian_post_login",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("web_host", mode="before")
    @classmethod
    def _empty_host_is_local(cls, value: object) -> object:
        """Empty means unset, as for every variable: loopback, never every interface."""
        return "127.0.0.1" if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "bot_token",
        "track17_api_key",
        "shop_api_token",
        "shop_link_secret",
        "webhook_secret",
        "russian_post_password",
        mode="before",
    )
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_RE.fullmatch(value.get_secret_value()):
            raise ValueError("does not look like a token from @BotFather (digits:secret)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("expected comma-separated Telegram user ids")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        scheme = value.partition("://")[0]
        if value.startswith("sqlite:///") and value != "sqlite:///":
            return value
        if scheme in {"postgresql", "postgres"} and urlsplit(value).path.strip("/"):
            return value
        raise ValueError("expected sqlite:///path or postgresql://user@host/database")

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _port_readable(value) or not re.match(r"^(rediss?|unix)://\S+", value):
            raise ValueError("expected redis://host:port/db, rediss://... or unix:///path")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_RE.fullmatch(value.get_secret_value()):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator(
        "telegram_api_url",
        "track17_api_url",
        "shop_api_url",
        "webhook_url",
        "russian_post_api_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                "unknown time zone (expected an IANA name like Europe/Moscow)"
            ) from exc
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        window = QuietHours.parse(value)
        if window.start is not None and window.start == window.end:
            raise ValueError("start and end are the same; write off to turn quiet hours off")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        if value.lower() not in {"text", "json"}:
            raise ValueError("expected text or json")
        return value.lower()

    @field_validator("shop_order_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _webhook_reachable(self) -> Settings:
        """Telegram calls only https webhooks; a self-hosted Bot API server may call http."""
        official = urlsplit(self.telegram_api_url).hostname == "api.telegram.org"
        https = urlsplit(self.webhook_url or "").scheme.lower() == "https"
        if official and self.webhook_url and not https:
            raise ValueError("WEBHOOK_URL: Telegram requires an https:// URL")
        return self

    @model_validator(mode="after")
    def _shop_complete(self) -> Settings:
        if self.shop_api_url and not self.shop_order_pattern:
            raise ValueError("SHOP_ORDER_PATTERN is required when SHOP_API_URL is set")
        if self.shop_api_url and self.shop_api_token is None:
            raise ValueError("SHOP_API_TOKEN is required when SHOP_API_URL is set")
        if bool(self.russian_post_login) != bool(self.russian_post_password):
            raise ValueError("RUSSIAN_POST_LOGIN and RUSSIAN_POST_PASSWORD go together")
        return self

    @property
    def quiet(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)

    @property
    def order_regex(self) -> re.Pattern[str] | None:
        return re.compile(self.shop_order_pattern) if self.shop_order_pattern else None

    @property
    def track17_enabled(self) -> bool:
        return self.track17_api_key is not None

    @property
    def russian_post_enabled(self) -> bool:
        return self.russian_post_login is not None and self.russian_post_password is not None

    @property
    def shop_enabled(self) -> bool:
        return self.shop_api_url is not None

    @property
    def enabled_sources(self) -> list[str]:
        switches = (
            ("17TRACK", self.track17_enabled),
            ("Russian Post", self.russian_post_enabled),
            ("shop", self.shop_enabled),
            ("demo", self.demo_source),
        )
        return [name for name, on in switches if on]

    @property
    def database_place(self) -> str:
        """Where the data lives, for the operator's eyes: the file, or the server and database
        (never the password). A relative SQLite path depends on the working directory."""
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            return (
                f"SQLite file {Path(path).resolve()}" if path != ":memory:" else "SQLite in memory"
            )
        parts = urlsplit(self.database_url)
        user = f" as {parts.username}" if parts.username else ""  # no "@": logs scrub e-mails
        return f"PostgreSQL {parts.hostname or 'local socket'}{parts.path}{user}"

    @property
    def mode(self) -> str:
        if self.webhook_url:
            return f"webhook at {urlsplit(self.webhook_url).path or '/'}"
        return "long polling"


def _port_readable(url: str) -> bool:
    try:
        urlsplit(url).port  # noqa: B018 - reading it is the check: ValueError when it is no number
    except ValueError:
        return False
    return True


class ConfigError(Exception):
    """Configuration is unusable; the message names the variable and is safe to print."""


def describe_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        name = "_".join(str(p) for p in item["loc"]).upper() or "configuration"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "; ".join(parts)


def load_settings(**overrides: object) -> Settings:
    _check_env_file(overrides.get("_env_file", ".env"))
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from None


def _check_env_file(path: object) -> None:
    """A .env saved in a legacy encoding (cp1251 is common for Russian text) is named plainly,
    before the settings library trips over it with a traceback."""
    if not isinstance(path, str | Path) or not Path(path).is_file():
        return
    try:
        Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
