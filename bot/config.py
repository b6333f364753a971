"""One flat settings class read from the environment and `.env`; every knob of the bot lives here.

What each value accepts is declared by its type (`bot.config_values`, `bot.config_urls`); bad
values fail at start with a message naming the variable (`bot.config_errors`).
"""

from __future__ import annotations

import re

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config_errors import ConfigError, check_env_file, describe_errors
from bot.config_urls import (
    DatabaseUrl,
    HttpUrl,
    OptionalHttpUrl,
    RedisUrl,
    check_webhook_reachable,
    database_place,
    webhook_mode,
)
from bot.config_values import (
    BotToken,
    Language,
    ListenHost,
    LogFormat,
    LogLevel,
    OptionalText,
    QuietHoursText,
    RegexText,
    Secret,
    TimeZoneName,
    UserIds,
    WebhookSecret,
)
from bot.quiet_hours import QuietHours

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_TRACK17_API_URL = "https://api.17track.net"
DEFAULT_RUSSIAN_POST_API_URL = "https://tracking.russianpost.ru"
DAY_SECONDS = 86_400


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # an empty value means "not set": the default applies
    )

    bot_token: BotToken = None
    telegram_api_url: HttpUrl = DEFAULT_TELEGRAM_API_URL
    database_url: DatabaseUrl = "sqlite:///data/bot.sqlite3"
    database_pool_size: int = Field(default=5, gt=0)
    redis_url: RedisUrl = None
    default_language: Language = "ru"
    default_timezone: TimeZoneName = "Europe/Moscow"
    quiet_hours: QuietHoursText = "23:00-08:00"
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"

    track17_api_key: Secret = None
    track17_api_url: HttpUrl = DEFAULT_TRACK17_API_URL
    russian_post_login: OptionalText = None
    russian_post_password: Secret = None
    russian_post_api_url: HttpUrl = DEFAULT_RUSSIAN_POST_API_URL
    russian_post_daily_limit: int = Field(default=100, gt=0)
    shop_api_url: OptionalHttpUrl = None
    shop_api_token: Secret = None
    shop_name: str = ""
    shop_order_pattern: RegexText = None
    shop_link_secret: Secret = None
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
    admin_ids: UserIds = ()
    new_numbers_per_user_per_day: int = Field(default=100, ge=0)

    web_host: ListenHost = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    webhook_url: OptionalHttpUrl = None
    webhook_secret: WebhookSecret = None

    @model_validator(mode="after")
    def _webhook_reachable(self) -> Settings:
        check_webhook_reachable(self.telegram_api_url, self.webhook_url)
        return self

    @model_validator(mode="after")
    def _shop_complete(self) -> Settings:
        if self.shop_api_url and not self.shop_order_pattern:
            raise ValueError("SHOP_ORDER_PATTERN is required when SHOP_API_URL is set")
        if self.shop_api_url and self.shop_api_token is None:
            raise ValueError("SHOP_API_TOKEN is required when SHOP_API_URL is set")
        # SHOP_ORDER_PATTERN alone is fine: the demo source answers for orders.
        given = {
            "SHOP_API_TOKEN": self.shop_api_token is not None,
            "SHOP_LINK_SECRET": self.shop_link_secret is not None,
        }
        if not self.shop_api_url and (stray := [name for name, is_set in given.items() if is_set]):
            raise ValueError(f"SHOP_API_URL is required when {stray[0]} is set")
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
    def idle_settings(self) -> list[str]:
        """Settings that change nothing as the rest stands, most likely a forgotten key. Said,
        not refused: `.env.example` spells the default URLs out beside empty keys."""
        idle = []
        if self.track17_api_url != DEFAULT_TRACK17_API_URL and not self.track17_enabled:
            idle.append("TRACK17_API_URL is set but TRACK17_API_KEY is not: 17TRACK stays off")
        if (
            self.russian_post_api_url != DEFAULT_RUSSIAN_POST_API_URL
            and not self.russian_post_enabled
        ):
            idle.append(
                "RUSSIAN_POST_API_URL is set but RUSSIAN_POST_LOGIN and RUSSIAN_POST_PASSWORD "
                "are not: Russian Post stays off"
            )
        if self.webhook_secret is not None and not self.webhook_url:
            idle.append(
                "WEBHOOK_SECRET is set but WEBHOOK_URL is not: the bot long-polls and the "
                "secret is unused"
            )
        return idle

    @property
    def database_place(self) -> str:
        """Where the data lives, for the operator's eyes (never the password)."""
        return database_place(self.database_url)

    @property
    def mode(self) -> str:
        return webhook_mode(self.webhook_url)


def load_settings(**overrides: object) -> Settings:
    check_env_file(overrides.get("_env_file", ".env"))
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc)) from None
