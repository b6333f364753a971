"""`python -m bot` as an operator runs it: exit codes, one-line errors, polling and a clean stop.

The commands run as real subprocesses with a clean environment: no variable of the bot's
settings inherited, each database in its own temporary folder. A cold interpreter start costs
seconds (aiogram builds its models on import), so the short commands are launched together by
one fixture and overlap. The per-variable configuration errors run in-process through `main()`
(it returns before it sets up logging or starts a loop); the process-level contract of that
path (exit code 2, one line, no traceback) is checked once, with BOT_TOKEN missing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.cli import EXIT_CONFIG, main
from bot.config import Settings
from bot.logs import scrub
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track

ROOT = Path(__file__).resolve().parents[1]
CODE = "RA000012349CN"
START_LIMIT_S = 120.0  # a cold interpreter on a loaded machine; only a hang ever waits this long
STOP_LIMIT_S = 5.0
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)

BAD_VALUES = [
    ("BOT_TOKEN", "123456789:too-short-to-be-real"),
    ("DATABASE_URL", "mysql://x"),
    ("POLL_INTERVAL_SECONDS", "-1"),
    ("QUIET_HOURS", "25:00-08:00"),
    ("DEFAULT_TIMEZONE", "Mars/Olympus"),
    ("DATABASE_URL", "postgresql://"),  # would be the server's default database
    ("POLL_TICK_SECONDS", "inf"),
    ("OUTBOX_LEASE_SECONDS", "1e300"),
    ("REDIS_URL", "garbage"),
    ("REDIS_URL", "redis://127.0.0.1:abc/0"),
    ("DATABASE_URL", "postgresql://postgres@127.0.0.1"),  # no database named
    ("WEBHOOK_URL", "http://bot.example.org/hook"),  # Telegram itself calls https only
    ("WEBHOOK_SECRET", "has space!"),
    ("ADMIN_IDS", "--5"),
    ("QUIET_HOURS", "23:00-23:00"),  # not a silent "off"
    ("DATABASE_URL", "postgresql://postgres@127.0.0.1:99999/test"),  # no such port
    ("DATABASE_URL", "postgresql://postgres@127.0.0.1/test?sslmode=bogus"),
    ("DATABASE_URL", "postgresql://postgres@127.0.0.1/test?connect_timeout=soon"),
    ("REDIS_URL", "redis://127.0.0.1:6379/0?socket_timeout=abc"),  # redis-py refuses it at start
    ("REDIS_URL", "redis://127.0.0.1:6379/x"),  # would silently be database 0
    ("WEB_HOST", "notahost.."),
    ("SHOP_API_TOKEN", "token-without-a-shop"),  # half a shop, silently off otherwise
    ("SHOP_LINK_SECRET", "secret-without-a-shop"),
]


class Finished(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def clean_env(directory: Path, **values: str) -> dict[str, str]:
    """The caller's environment without any of the bot's settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env["DATABASE_URL"] = f"sqlite:///{directory / 'bot.sqlite3'}"
    env.update(values)
    return env


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> Finished:
    stdout, stderr = process.communicate(timeout=START_LIMIT_S)
    return Finished(process.returncode, stdout, stderr)


Launched = Callable[[str], Finished]


@pytest.fixture(scope="module")
def launched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """Short commands started side by side; a test collects the one it is about by name."""
    folder = tmp_path_factory.mktemp
    migrations = folder("migrate")
    processes = {
        "no-token": start_cli(clean_env(folder("no-token")), "run"),
        "check-config": start_cli(clean_env(folder("check")), "check-config"),
        "migrate": start_cli(clean_env(migrations), "migrate"),
    }
    results: dict[str, Finished] = {}

    def collect(name: str) -> Finished:
        if name not in results:
            if name == "migrate-again":  # only once the first migration is done
                collect("migrate")
                processes[name] = start_cli(clean_env(migrations), "migrate")
            results[name] = finish(processes[name])
        return results[name]

    yield collect
    for name, process in processes.items():
        if name in results:
            continue
        if process.poll() is None:
            process.kill()
        process.communicate()  # closes the pipes of a process no test collected


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting from the caller's environment, and no stray .env: the tmp folder is the cwd."""
    for name in list(os.environ):
        if name.upper() in SETTING_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def assert_one_line_error(stderr: str, variable: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert variable in lines[0]
    return lines[0]


def the_error_line(logged: str) -> str:
    """The log of a process that stopped at start: one ERROR line and no traceback."""
    errors = [line for line in logged.splitlines() if " ERROR " in line]
    assert len(errors) == 1, logged
    assert "Traceback" not in logged
    return errors[0]


# ------------------------------------------------------------------ configuration errors


def test_run_without_bot_token_exits_2_with_one_line_and_no_traceback(
    launched: Launched,
) -> None:
    done = launched("no-token")
    assert done.returncode == EXIT_CONFIG
    line = assert_one_line_error(done.stderr, "BOT_TOKEN")
    assert "@BotFather" in line
    assert done.stdout == ""


@pytest.mark.parametrize(("variable", "value"), BAD_VALUES)
def test_each_bad_value_exits_2_with_one_line_naming_the_variable(
    tmp_path: Path,
    bare_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    bare_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    bare_env.setenv(variable, value)
    for command in ("run", "check-config", "migrate"):
        assert main([command]) == EXIT_CONFIG
        captured = capsys.readouterr()
        assert captured.out == ""
        assert_one_line_error(captured.err, variable)
        if variable == "BOT_TOKEN":
            assert value not in captured.err  # not even a wrong token is echoed
    assert not (tmp_path / "bot.sqlite3").exists()


# ------------------------------------------------------------------ check-config and migrate


def test_an_env_file_that_is_not_utf8_is_named_in_one_line(
    tmp_path: Path, bare_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_bytes("SHOP_NAME=Мой магазин\n".encode("cp1251"))
    assert main(["check-config"]) == EXIT_CONFIG
    line = assert_one_line_error(capsys.readouterr().err, ".env")
    assert "UTF-8" in line


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("# bot\n\nQUIET_HOURS off\nLOG_LEVEL=INFO\n", 3),  # a space for "=": silently default
        ("SHOP_NAME=Лавка\n\n\nSHOP_API_TOKEN='s3cret-token\nLOG_LEVEL=INFO\n", 4),
        ("LOG_LEVEL=INFO\r\rQUIET_HOURS off\r", 3),  # old Mac line ends count too
    ],
)
def test_an_env_line_that_is_not_name_equals_value_is_named_by_its_number(
    tmp_path: Path,
    bare_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: str,
    line: int,
) -> None:
    (tmp_path / ".env").write_text(content, encoding="utf-8")
    assert main(["check-config"]) == EXIT_CONFIG
    error = assert_one_line_error(capsys.readouterr().err, ".env")
    assert f"line {line}:" in error and "NAME=value" in error
    assert "off" not in error and "s3cret" not in error  # the line may hold a secret


def test_export_flags_given_to_another_command_are_refused_not_ignored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["migrate", "--to", "postgresql://postgres@127.0.0.1/test"])
    assert stopped.value.code == EXIT_CONFIG
    assert "--from and --to belong to export-sqlite-to-postgres" in capsys.readouterr().err


def test_an_empty_value_means_the_default(bare_env: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "LOG_LEVEL", "WEB_PORT", "DEFAULT_LANGUAGE"):
        bare_env.setenv(name, "")
    settings = Settings()
    assert settings.database_url == "sqlite:///data/bot.sqlite3"
    assert (settings.default_timezone, settings.log_level) == ("Europe/Moscow", "INFO")
    assert (settings.web_port, settings.default_language) == (8080, "ru")


def test_the_default_language_may_be_written_in_capitals(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setenv("DEFAULT_LANGUAGE", "EN")
    assert Settings().default_language == "en"


def test_an_empty_web_host_means_loopback_not_every_interface() -> None:
    settings = Settings(web_host="", _env_file=None)  # type: ignore[call-arg]
    assert settings.web_host == "127.0.0.1"


def test_a_self_hosted_bot_api_may_call_an_http_webhook() -> None:
    settings = Settings(  # type: ignore[call-arg]
        telegram_api_url="http://127.0.0.1:8081",
        webhook_url="http://127.0.0.1:8080/tg",
        _env_file=None,
    )
    assert settings.webhook_url == "http://127.0.0.1:8080/tg"


def test_check_config_accepts_the_defaults(launched: Launched) -> None:
    done = launched("check-config")
    assert done.returncode == 0, done.stderr
    assert "Configuration OK" in done.stdout
    assert "token: NOT SET" in done.stdout
    assert "Database: SQLite file /" in done.stdout and "bot.sqlite3" in done.stdout
    assert "mode: long polling" in done.stdout
    assert "Note:" not in done.stdout


def test_the_example_env_file_as_copied_is_accepted_without_notes(
    bare_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), "utf-8")
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert "Configuration OK" in out and "Note:" not in out


def test_check_config_notes_a_source_address_given_without_its_key(
    bare_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare_env.setenv("TRACK17_API_URL", "http://127.0.0.1:9017")
    bare_env.setenv("RUSSIAN_POST_API_URL", "http://127.0.0.1:9018/")
    bare_env.setenv("WEBHOOK_SECRET", "s3cret-value")
    assert main(["check-config"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Note:")]
    assert notes == [
        "Note: TRACK17_API_URL is set but TRACK17_API_KEY is not: 17TRACK stays off",
        "Note: RUSSIAN_POST_API_URL is set but RUSSIAN_POST_LOGIN and RUSSIAN_POST_PASSWORD "
        "are not: Russian Post stays off",
        "Note: WEBHOOK_SECRET is set but WEBHOOK_URL is not: the bot long-polls and the "
        "secret is unused",
    ]
    bare_env.setenv("TRACK17_API_KEY", "k" * 32)
    bare_env.setenv("RUSSIAN_POST_LOGIN", "shop")
    bare_env.setenv("RUSSIAN_POST_PASSWORD", "pw")
    bare_env.delenv("WEBHOOK_SECRET")
    assert main(["check-config"]) == 0
    assert "Note:" not in capsys.readouterr().out


def test_check_config_names_the_database_server_but_never_its_password() -> None:
    settings = Settings(  # type: ignore[call-arg]
        database_url="postgresql://bob:s3cret@db.example:5432/bot",
        webhook_url="https://bot.example.org/tg/hook",
        _env_file=None,
    )
    assert settings.database_place == "PostgreSQL db.example:5432/bot as bob"  # port too
    assert scrub(settings.database_place) == settings.database_place  # the log shows it whole
    assert settings.mode == "webhook at /tg/hook"


def test_migrate_twice_reports_the_version_and_changes_nothing_the_second_time(
    launched: Launched,
) -> None:
    first, second = launched("migrate"), launched("migrate-again")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    found = [re.search(r"version (\d+) -> (\d+)", run.stdout) for run in (first, second)]
    assert found[0] is not None and found[1] is not None, first.stdout + second.stdout
    before, after = int(found[0][1]), int(found[0][2])
    assert before == 0 and after >= 1
    assert (int(found[1][1]), int(found[1][2])) == (after, after)
    assert "Traceback" not in first.stderr + second.stderr


# ------------------------------------------------------------------ running the bot


@asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


async def polling_started(
    tg: FakeTelegram, process: asyncio.subprocess.Process, since: float
) -> None:
    """Wait for a getUpdates sent after `since` (a poll of an earlier process may still be
    answered late); a process that dies first fails with its stderr."""
    deadline = time.monotonic() + START_LIMIT_S
    while not any(c.method == "getUpdates" and c.received_at > since for c in tg.calls):
        if process.returncode is not None or time.monotonic() > deadline:
            if process.returncode is None:
                process.kill()
            _, stderr = await process.communicate()
            pytest.fail(f"the bot never polled (exit {process.returncode}):\n{stderr.decode()}")
        await tg.until(lambda: False, 0.05)  # wakes early on any call to the fake


async def stop_with_sigterm(process: asyncio.subprocess.Process) -> tuple[int, float, str]:
    """Send SIGTERM; the exit code, the seconds it took to exit, and what went to stderr."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), STOP_LIMIT_S * 2)
    except TimeoutError:
        pytest.fail(f"the bot did not stop within {STOP_LIMIT_S * 2} s of SIGTERM")
    assert process.returncode is not None
    return process.returncode, time.monotonic() - started, stderr.decode()


async def test_run_polls_stops_on_sigterm_and_a_restart_continues_with_the_same_data(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    env = clean_env(tmp_path, BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.base_url, DEMO_SOURCE="true")
    alice = Chat(tg, 1001, "ru", timeout=START_LIMIT_S / 4)  # a fresh process is slow at first

    started = time.monotonic()
    async with bot_process(env) as first:
        await polling_started(tg, first, since=started)
        added = await alice.sends(f"{CODE} куртка")
        assert "Добавлено" in added.text
        code, took, stderr = await stop_with_sigterm(first)
    assert code == 0, stderr
    assert took < STOP_LIMIT_S
    assert "Traceback" not in stderr
    assert tg.token.split(":", 1)[1] not in stderr  # the token's secret never reaches the log
    assert "Running job" not in stderr  # not a log line for each run of each scheduled job

    started = time.monotonic()
    forgotten_key = {**env, "TRACK17_API_URL": "http://127.0.0.1:9"}  # said at start, not fatal
    async with bot_process(forgotten_key) as second:
        await polling_started(tg, second, since=started)
        await alice.sends("/list")
        listing = await alice.wait_for_message(lambda m: "Ваши посылки и заказы" in m.text)
        assert "куртка" in listing.text and CODE in listing.text
        code, took, stderr = await stop_with_sigterm(second)
    assert code == 0, stderr
    assert took < STOP_LIMIT_S
    assert "WARNING" in stderr and "TRACK17_API_KEY is not: 17TRACK stays off" in stderr


async def test_sigterm_lets_an_update_being_handled_finish_its_reply(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    """The source takes a while to answer; SIGTERM meanwhile still ends with the reply sent."""
    async with Fake17Track("k" * 32) as track17:
        env = clean_env(
            tmp_path,
            BOT_TOKEN=tg.token,
            TELEGRAM_API_URL=tg.base_url,
            TRACK17_API_KEY=track17.api_key,
            TRACK17_API_URL=track17.url,
        )
        alice = Chat(tg, 1001, "ru", timeout=START_LIMIT_S / 4)
        started = time.monotonic()
        async with bot_process(env) as process:
            await polling_started(tg, process, since=started)
            while not any(r.endpoint == "getquota" for r in track17.requests):  # at start
                await tg.until(lambda: False, 0.05)
            track17.fail_next("timeout", delay=1.5)  # answers, with nothing, after 1.5 s
            tg.push_update({"message": alice.message_update(CODE)})
            # "typing…" goes out a second into the wait: the handler is waiting on the source.
            assert await tg.until(lambda: any(c.method == "sendChatAction" for c in tg.calls), 10)
            code, _, stderr = await stop_with_sigterm(process)
    assert code == 0, stderr
    assert any("Добавлено" in m.text for m in alice.messages), stderr
    assert "Traceback" not in stderr and "closed" not in stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "sqlite:////proc/no-such-dir/bot.sqlite3"),
        ("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test"),  # nothing listens there
        ("REDIS_URL", "redis://127.0.0.1:1/0"),
    ],
)
async def test_a_database_or_redis_out_of_reach_exits_1_with_one_line(
    tg: FakeTelegram, tmp_path: Path, variable: str, value: str
) -> None:
    """Exit 1, which systemd restarts: the server may be up by the next try."""
    env = clean_env(tmp_path, BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.base_url)
    env[variable] = value
    async with bot_process(env) as process:
        _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT_S)
    logged = stderr.decode()
    assert process.returncode == 1, logged
    assert variable in the_error_line(logged)


def test_migrate_names_a_database_out_of_reach_in_one_line(
    bare_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bare_env.setenv("DATABASE_URL", "sqlite:////proc/no-such-dir/bot.sqlite3")
    assert main(["migrate"]) == 1
    assert_one_line_error(capsys.readouterr().err, "DATABASE_URL")


@pytest.mark.parametrize(
    ("refusal", "exit_code"),
    [
        ("Bad Request: bad webhook: An HTTPS URL must be provided for webhook", EXIT_CONFIG),
        ("Bad Request: bad webhook: Failed to resolve host: Name or service not known", 1),
    ],
)
async def test_a_webhook_telegram_refuses_exits_with_one_line(
    tg: FakeTelegram, tmp_path: Path, refusal: str, exit_code: int
) -> None:
    """Exit 2 (not restarted) only when a setting must change; a host Telegram cannot resolve
    yet may resolve by the next try."""
    tg.fail_next("setWebhook", 400, refusal)
    env = clean_env(
        tmp_path,
        BOT_TOKEN=tg.token,
        TELEGRAM_API_URL=tg.base_url,
        WEBHOOK_URL="http://127.0.0.1:9/tg",
        WEB_PORT="0",
    )
    async with bot_process(env) as process:
        _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT_S)
    logged = stderr.decode()
    assert process.returncode == exit_code, logged
    line = the_error_line(logged)
    assert "WEBHOOK_URL" in line and refusal.removeprefix("Bad Request: ") in line


async def test_a_token_telegram_refuses_exits_2_with_one_line(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    refused = "111111111:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    env = clean_env(tmp_path, BOT_TOKEN=refused, TELEGRAM_API_URL=tg.base_url)
    async with bot_process(env) as process:
        _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT_S)
    assert process.returncode == EXIT_CONFIG
    line = the_error_line(stderr.decode())
    assert "BOT_TOKEN" in line and "@BotFather" in line
    assert refused.split(":", 1)[1] not in stderr.decode()


async def _garbled_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    writer.write(b"HTTP/1.1 XYZ garbage\r\n\r\n")  # aiohttp's error names the URL, token and all
    await writer.drain()
    writer.close()


async def _never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while await reader.read(65536):  # getMe hangs until the bot hangs up
        pass
    writer.close()
    await writer.wait_closed()


async def test_sigterm_while_the_bot_api_hangs_at_start_exits_0_promptly(tmp_path: Path) -> None:
    server = await asyncio.start_server(_never_answers, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    token = "222222222:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    env = clean_env(tmp_path, BOT_TOKEN=token, TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
    try:
        async with bot_process(env) as process:
            assert process.stderr is not None
            line = b"-"
            while line and b"database:" not in line:  # the start log line (b"": it died)
                line = await process.stderr.readline()
            await asyncio.sleep(1.0)  # the process is waiting for getMe now
            code, took, stderr = await stop_with_sigterm(process)
    finally:
        server.close()
    assert code == 0, stderr
    assert took < STOP_LIMIT_S
    assert "stopped while starting" in stderr and "Traceback" not in stderr


async def test_an_unreachable_bot_api_exits_1_with_one_line_and_no_token(tmp_path: Path) -> None:
    server = await asyncio.start_server(_garbled_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    token = "222222222:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    env = clean_env(tmp_path, BOT_TOKEN=token, TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
    try:
        async with bot_process(env) as process:
            _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT_S)
    finally:
        server.close()
    logged = stderr.decode()
    assert process.returncode == 1, logged
    assert f"127.0.0.1:{port}" in the_error_line(logged)
    assert token.split(":", 1)[1] not in logged
