"""The bot's HTTP side on WEB_HOST:WEB_PORT (aiohttp): source pushes, /healthz, /metrics.

One small server for everything that must reach the bot from outside; handlers here only
translate HTTP to a service call and back.
"""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.health import HealthCheck
from bot.in_flight import SHUTDOWN_GRACE_SECONDS
from bot.metrics import Metrics
from bot.pushes import PushVerdict, Track17Pushes
from storage import StorageError

log = logging.getLogger(__name__)

PUSHES_KEY = web.AppKey("pushes", Track17Pushes)
HEALTH_KEY = web.AppKey("health", HealthCheck)
METRICS_KEY = web.AppKey("metrics", Metrics)
MAX_BODY = 1024 * 1024
# On stop, requests being handled get this long to finish, then as long again once cancelled
# (an update cut off so is left to Telegram's next delivery): a stop takes seconds, not minutes.

_STATUS = {
    PushVerdict.APPLIED: 200,
    PushVerdict.IGNORED: 200,
    PushVerdict.BAD_SIGNATURE: 401,
    PushVerdict.REPLAYED: 409,
    PushVerdict.MALFORMED: 400,
}


async def track17_webhook(request: web.Request) -> web.Response:
    body = await request.read()
    outcome = await request.app[PUSHES_KEY].receive(body, request.headers.get("sign"))
    if outcome.verdict in {PushVerdict.BAD_SIGNATURE, PushVerdict.REPLAYED}:
        log.warning("17TRACK push refused: %s", outcome.verdict)
    return web.json_response({"result": outcome.verdict.value}, status=_STATUS[outcome.verdict])


async def healthz(request: web.Request) -> web.Response:
    report = await request.app[HEALTH_KEY].run()
    body = {"status": "ok" if report.ok else "unhealthy", "checks": report.checks}
    return web.json_response(body, status=200 if report.ok else 503)


async def metrics(request: web.Request) -> web.Response:
    gauges = request.app[METRICS_KEY]
    try:
        await request.app[HEALTH_KEY].refresh_gauges()
    except StorageError:
        gauges.database_up.set(0)  # the queue gauges keep their last values meanwhile
        log.warning("metrics scraped while the database is unavailable")
    else:
        gauges.database_up.set(1)
    return web.Response(
        body=request.app[METRICS_KEY].render(),
        headers={"Content-Type": CONTENT_TYPE_LATEST},
    )


def build_web_app(
    pushes: Track17Pushes | None, health: HealthCheck, registry: Metrics
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app[HEALTH_KEY] = health
    app[METRICS_KEY] = registry
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if pushes is not None:
        app[PUSHES_KEY] = pushes
        app.router.add_post("/webhooks/17track", track17_webhook)
    return app


class WebServer:
    """Start and stop the aiohttp site; port 0 picks a free port (tests)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.application = app  # routes may still be added until start()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE_SECONDS)
        self._host = host
        self._port = port
        self.port: int | None = None
        self._started = False

    async def start(self) -> None:
        self._started = True
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        sockets = self._runner.addresses
        self.port = int(sockets[0][1]) if sockets else self._port
        log.info("HTTP server listening on %s:%s", self._host, self.port)

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await self._runner.cleanup()
