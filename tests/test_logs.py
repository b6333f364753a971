"""Logs: what the bot and its libraries write never holds the bot token or a contact."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramNetworkError

from bot.app import make_bot
from bot.config import load_settings
from bot.logs import OneLinePerInterval, scrub, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SECRET_PART = TOKEN.split(":")[1]


@pytest.fixture
def production_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


GET_ME = json.dumps(
    {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "T", "username": "t"}}
).encode()


async def _broken_bot_api(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """getMe works; anything else gets a status line aiohttp cannot read, and aiohttp's error
    names the URL, token included."""
    request = await reader.read(65536)
    if b"/getMe " in request:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(GET_ME)}"
        )
        writer.write(head.encode() + b"\r\nConnection: close\r\n\r\n" + GET_ME)
    else:
        writer.write(b"HTTP/1.1 XYZ garbage\r\n\r\n")
    await writer.drain()
    writer.close()


async def _poll_a_broken_api_briefly() -> None:
    server = await asyncio.start_server(_broken_bot_api, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = load_settings(
        bot_token=TOKEN, telegram_api_url=f"http://127.0.0.1:{port}", _env_file=None
    )
    bot = make_bot(settings)
    dispatcher = Dispatcher()
    try:
        polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
        await asyncio.sleep(1.5)  # aiogram logs each failed getUpdates, then backs off
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        try:
            await bot.send_message(1, "hello")
        except TelegramNetworkError:  # logged with its traceback, as a failed handler would be
            logging.getLogger("handlers.errors").exception("update failed")
    finally:
        await bot.session.close()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_the_bot_token_in_a_failed_request_url_never_reaches_the_log(
    fmt: str, production_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("DEBUG", fmt)

    await _poll_a_broken_api_briefly()

    logged = capsys.readouterr().err
    assert "Failed to fetch updates" in logged  # aiogram's own line was captured
    assert "Traceback" in logged or '"exception"' in logged  # and the traceback
    assert SECRET_PART not in logged
    assert "/bot***/" in logged
    if fmt == "json":
        lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
        assert lines and all(
            {"time", "level", "logger", "message"} <= line.keys() for line in lines
        )


@pytest.mark.parametrize(
    "text",
    [
        f"url=http://127.0.0.1/bot{TOKEN}/getMe",
        f"token {TOKEN} given",
        f"({TOKEN})",
    ],
)
def test_tokens_are_scrubbed_wherever_they_stand(text: str) -> None:
    assert SECRET_PART not in scrub(text)


def test_numbers_that_merely_look_alike_are_left_alone() -> None:
    text = "order 12345 at 10:30, parcel RA123456785CN, post 80082234567890, user 1234567890"
    assert scrub(text) == text


def test_an_address_without_a_dot_in_its_domain_is_scrubbed() -> None:
    assert scrub("contact ivan@localhost given") == "contact *** given"


def test_sql_statements_and_their_parameters_stay_out_of_a_debug_log(tmp_path: Path) -> None:
    program = (
        "import asyncio\n"
        "from datetime import UTC, datetime\n"
        "from bot.logs import setup_logging\n"
        "from storage import open_database\n"
        "setup_logging('DEBUG', 'text')\n"
        "async def main():\n"
        f"    db = await open_database('sqlite:///{tmp_path / 'bot.sqlite3'}')\n"
        "    async with db.transaction() as tx:\n"
        "        now = datetime.now(UTC)\n"
        "        await tx.users.seen(7, 'ru', now)\n"
        "        shipment, _ = await tx.shipments.get_or_create('demo', 'RA1', 'track', now)\n"
        "        await tx.subscriptions.add(7, shipment.id, 'gift for mum', now)\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "DEBUG" in done.stderr  # the log is at DEBUG indeed
    assert "gift for mum" not in done.stderr


def test_an_error_nothing_caught_is_logged_scrubbed() -> None:
    program = (
        "from bot.logs import setup_logging\n"
        "setup_logging('INFO', 'text')\n"
        f"raise RuntimeError('request to /bot{TOKEN}/getMe failed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "CRITICAL bot: unhandled error" in done.stderr
    assert "RuntimeError: request to /bot***/getMe failed" in done.stderr
    assert SECRET_PART not in done.stderr


@pytest.mark.parametrize(
    "contact",
    [
        "+79991234567",
        "8 (999) 123-45-67",
        "9991234567",
        "+44 20 7946 0958",
        "+1 (212) 555-0100",
        "79165551234",
        "7 916 555 12 34",
        "916-555-12-34",
        "916 555 12 34",
        "8.916.555.12.34",
    ],
)
def test_phone_numbers_in_any_spelling_are_scrubbed(contact: str) -> None:
    scrubbed = scrub(f"contact {contact} given")
    assert scrubbed == "contact *** given"


def record_of_a_failed_reconnect(created: float) -> logging.LogRecord:
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
    except ConnectionRefusedError:
        record = logging.LogRecord(
            "asyncpg.pool",
            logging.WARNING,
            __file__,
            1,
            "Failed to restore the pool connection floor; retrying",
            None,
            sys.exc_info(),
        )
    record.created = created
    return record


def test_a_library_retry_loop_logs_one_line_without_a_traceback_every_five_minutes() -> None:
    quiet = OneLinePerInterval(seconds=300)
    tries = [record_of_a_failed_reconnect(t) for t in (0.0, 1.0, 3.0, 299.0, 301.0)]
    passed = [record for record in tries if quiet.filter(record)]
    assert [r.created for r in passed] == [0.0, 301.0]
    assert all(r.exc_info is None for r in passed)
    assert passed[0].getMessage() == (
        "Failed to restore the pool connection floor; retrying: ConnectionRefusedError:"
        " [Errno 111] Connect call failed ('127.0.0.1', 5432)"
    )
