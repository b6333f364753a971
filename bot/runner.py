"""Long polling (or, later, webhook) with a clean stop on SIGTERM/SIGINT."""

from __future__ import annotations

import logging

from bot.app import assemble
from bot.config import Settings

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> int:
    async with assemble(settings) as app:
        assert app.bot is not None
        me = await app.bot.get_me()
        log.info("starting long polling as @%s", me.username)
        await app.bot.delete_webhook(drop_pending_updates=False)
        try:
            await app.web.start()
        except OSError as exc:
            log.error(
                "cannot listen on WEB_HOST:WEB_PORT %s:%s (%s); set WEB_PORT to a free port",
                settings.web_host,
                settings.web_port,
                exc.strerror,
            )
            return 2
        app.jobs.start()
        await app.dispatcher.start_polling(
            app.bot,
            handle_signals=True,
            close_bot_session=False,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
        log.info("polling stopped, shutting down")
    return 0
