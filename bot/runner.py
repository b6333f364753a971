"""Running the bot: long polling, or a webhook when WEBHOOK_URL is set; both stop cleanly on
SIGTERM/SIGINT (finish what is in flight, release the rest, close every session)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import hashlib
import hmac
import logging
import signal
from urllib.parse import urlsplit

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.app import App, assemble
from bot.config import Settings
from bot.redis_turns import RedisProblem, redis_problem
from bot.webhook import TelegramWebhook, UpdateClaims
from storage import StorageError

log = logging.getLogger(__name__)

EXIT_CONFIG = 2  # systemd's unit does not restart on it: a restart would not help
EXIT_UNREACHABLE = 1  # restarted: Telegram may be back by then


def settle_heap() -> None:
    """Take what start-up built (modules, aiogram's models, the app) out of the collector's view.

    Frozen objects are never scanned again, so a full collection costs what the garbage of
    recent updates and ticks costs instead of rescanning hundreds of thousands of objects that
    live as long as the process.
    """
    gc.collect()
    gc.freeze()


async def run_bot(settings: Settings) -> int:
    """Exit code 2 for a token or webhook Telegram refuses or a Redis that refuses the bot, 1
    when the Bot API, the database or Redis cannot be reached at start; one line in the log
    either way, not a traceback."""
    api = urlsplit(settings.telegram_api_url).netloc
    if settings.redis_url and (problem := await redis_problem(settings.redis_url)):
        return _redis_exit(problem)
    _stop_starting_on_signals()
    try:
        return await _run(settings)
    except asyncio.CancelledError:
        log.info("stopped while starting")
        return 0
    except StorageError as exc:
        log.error("cannot open the database at DATABASE_URL: %s", exc)
        return EXIT_UNREACHABLE
    except TelegramUnauthorizedError:
        log.error("Telegram refused BOT_TOKEN (401 Unauthorized): check the token from @BotFather")
        return EXIT_CONFIG
    except (TelegramNetworkError, TelegramServerError) as exc:
        log.error("cannot reach the Telegram Bot API at %s: %s", api, exc.message)
        return EXIT_UNREACHABLE


def _redis_exit(problem: RedisProblem) -> int:
    if problem.refused:
        log.error("Redis at REDIS_URL refused the bot: %s", problem.reason)
        return EXIT_CONFIG
    log.error("cannot reach Redis at REDIS_URL: %s", problem.reason)
    return EXIT_UNREACHABLE


async def _run(settings: Settings) -> int:
    sources = ", ".join(settings.enabled_sources) or "none: no code can be tracked"
    log.info(
        "database: %s; sources: %s; mode: %s", settings.database_place, sources, settings.mode
    )
    for idle in settings.idle_settings:
        log.warning("%s", idle)
    async with assemble(settings) as app:
        assert app.bot is not None
        settle_heap()
        if settings.webhook_url:
            return await serve_webhook(app, asyncio.Event(), handle_signals=True)
        if not await _start_web(app):
            return EXIT_CONFIG
        me = await app.bot.get_me()
        log.info("starting long polling as @%s", me.username)
        await app.bot.delete_webhook(drop_pending_updates=False)
        app.jobs.start()
        await app.dispatcher.start_polling(
            app.bot,
            handle_signals=True,
            close_bot_session=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        log.info("polling stopped, shutting down")  # updates in flight finished first
    return 0


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token: every process behind a load balancer
    derives the same, and nobody without the token can post updates to the webhook."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    assert settings.bot_token is not None
    token = settings.bot_token.get_secret_value().encode()
    return hmac.new(token, b"telegram webhook secret", hashlib.sha256).hexdigest()


async def serve_webhook(app: App, stop: asyncio.Event, *, handle_signals: bool = False) -> int:
    """Register the webhook with its secret, serve it on WEB_HOST:WEB_PORT until `stop`."""
    settings, bot, dispatcher = app.settings, app.bot, app.dispatcher
    assert bot is not None and settings.webhook_url is not None
    secret = webhook_secret(settings)
    claims = UpdateClaims(app.db, app.clock)
    webhook = TelegramWebhook(dispatcher, bot, claims, secret, dispatcher.workflow_data)
    app.web.application.router.add_post(urlsplit(settings.webhook_url).path or "/", webhook.handle)
    if not await _start_web(app):
        return EXIT_CONFIG
    await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
    try:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
    except TelegramBadRequest as exc:
        log.error("Telegram refused WEBHOOK_URL or WEBHOOK_SECRET (%s)", exc.message)
        await app.web.stop()
        return EXIT_CONFIG if _refused_for_good(exc.message) else EXIT_UNREACHABLE
    app.jobs.start()
    log.info("serving the webhook on %s:%s", settings.web_host, app.web.port)
    if handle_signals:  # until now a signal cancels the start (`_stop_starting_on_signals`)
        _on_signals(stop.set)
    await stop.wait()
    log.info("stopping: finishing updates in flight")
    await app.jobs.stop()
    await app.web.stop()  # updates being handled finish first (bot.in_flight)
    await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)
    return 0


def _refused_for_good(message: str) -> bool:
    """Telegram's refusals that only a new setting mends (an http URL, a port it does not call,
    a secret with other characters); the rest (a host it cannot resolve or reach yet, a
    certificate) may mend themselves, so systemd is left to try again."""
    lowered = message.lower()
    return any(words in lowered for words in ("https url", "ports", "secret token"))


LISTEN_HINTS = {
    errno.EADDRINUSE: "set WEB_PORT to a free port",
    errno.EADDRNOTAVAIL: "set WEB_HOST to an address of this machine",
}


async def _start_web(app: App) -> bool:
    try:
        await app.web.start()
    except OSError as exc:
        hint = LISTEN_HINTS.get(exc.errno or 0, "check WEB_HOST and WEB_PORT")
        log.error(
            "cannot listen on WEB_HOST:WEB_PORT %s:%s (%s); %s",
            app.settings.web_host,
            app.settings.web_port,
            exc.strerror or exc,
            hint,
        )
        return False
    return True


def _stop_starting_on_signals() -> None:
    """Until polling or the webhook installs its own handlers, SIGTERM cancels the start (a
    Bot API that hangs can hold `getMe` for a minute), and the sessions opened so far close."""
    task = asyncio.current_task()
    if task is not None:
        _on_signals(task.cancel)


def _on_signals(callback: object) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, callback)  # type: ignore[arg-type]
