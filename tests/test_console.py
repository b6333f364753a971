"""`python -m bot console`: the real dispatcher in a terminal, typed at like a user would.

Button numbers are read from what the console printed (the way a person finds them), so the
typed script does not depend on the order of buttons on a card.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.console import run_console

ROOT = Path(__file__).resolve().parents[1]
CODE = "RA000012349CN"
PROMPT = b"\n> "
START_LIMIT_S = 120.0  # a cold interpreter on a loaded machine; only a hang ever waits this long
STEP_LIMIT_S = 30.0
SETTING_NAMES = frozenset(name.upper() for name in Settings.model_fields)

Line = str | Callable[[str], str]


@pytest.fixture(autouse=True)
def _aiogram_log_level() -> Iterator[None]:
    """The console quiets aiogram's logger for its screen; other tests get it back as it was."""
    logger = logging.getLogger("aiogram")
    level = logger.level
    yield
    logger.setLevel(level)


def button_number(shown: str, label: str) -> str:
    """The number the console printed in front of the last button containing `label`."""
    numbers = re.findall(rf"\[(\d+)\] [^\[\n]*{re.escape(label)}", shown)
    assert numbers, f"no button {label!r} in:\n{shown}"
    return str(numbers[-1])


class Typist(io.StringIO):
    """Stdin that types one line whenever the console asks; a line may be computed from the
    output so far, as a person reads the screen before typing."""

    def __init__(self, lines: Sequence[Line], screen: io.StringIO) -> None:
        super().__init__()
        self._lines = list(lines)
        self._screen = screen

    # typeshed gives StringIO both a str and a bytes readline (from _IOBase); str is right.
    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        if not self._lines:
            return ""
        line = self._lines.pop(0)
        return (line(self._screen.getvalue()) if callable(line) else line) + "\n"


async def test_console_in_process_adds_presses_a_button_and_lists(tmp_path: Path) -> None:
    screen = io.StringIO()
    typist = Typist(
        [
            f"{CODE} куртка",
            lambda shown: button_number(shown, "Что это значит"),
            "/list",
            "/quit",
            "this line is never read",
        ],
        screen,
    )
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert await run_console(settings, stdin=typist, out=screen) == 0
    shown = screen.getvalue()
    assert "Здравствуйте, Demo" in shown
    assert "Добавлено" in shown and CODE in shown and "куртка" in shown
    assert re.search(r"\[\d+\] 🔄 Обновить", shown)
    assert "👉" in shown  # the explanation behind the pressed button
    assert "Ваши посылки и заказы: 1" in shown
    assert typist.readline() == "this line is never read\n"
    assert not (tmp_path / "x.sqlite3").exists()  # the console keeps its data in memory


async def test_console_explains_an_unknown_button_number_and_a_typo(tmp_path: Path) -> None:
    screen = io.StringIO()
    typist = Typist(["99", "RA000012340CN", "@" + CODE, "@nothing", "80102367216110"], screen)
    settings = load_settings(_env_file=None, default_language="en")
    assert await run_console(settings, stdin=typist, out=screen) == 0  # input ends: it stops
    shown = screen.getvalue()
    assert "no button with that number" in shown
    assert "check digit" in shown and "should be 9" in shown
    assert f"[inline] {CODE}" in shown
    assert "[inline] [Nothing found: open the bot]" in shown
    assert "Added: 80102367216110" in shown  # a long number is a message, not a button


async def test_console_keeps_the_label_typed_beside_a_number_it_asked_about() -> None:
    """The question replies to the user's message, as in Telegram, so the tap finds the label."""
    screen = io.StringIO()
    typist = Typist(
        [
            "мой трек ra 1234 5678 5 cn кроссовки",
            lambda shown: button_number(shown, "Отслеживать RA123456785CN"),
        ],
        screen,
    )
    settings = load_settings(_env_file=None)
    assert await run_console(settings, stdin=typist, out=screen) == 0
    shown = screen.getvalue()
    assert "Это трек-номер?" in shown
    added = shown[shown.index("Добавлено: RA123456785CN") :]
    assert "кроссовки" in added and "мой трек" not in added


async def read_screen(stdout: asyncio.StreamReader, limit: float) -> str:
    """What the console printed up to its next prompt."""
    chunk = await asyncio.wait_for(stdout.readuntil(PROMPT), limit)
    return chunk.decode()


async def test_console_subprocess_shows_the_card_buttons_and_list_then_quits(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    env["DEMO_TIME_SCALE"] = "1.001"  # real time: no alert may interleave with the screens
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "console",
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=1 << 20,
    )
    assert process.stdin is not None and process.stdout is not None
    try:

        async def say(line: str) -> str:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(f"{line}\n".encode())
            await process.stdin.drain()
            return await read_screen(process.stdout, STEP_LIMIT_S)

        welcome = await read_screen(process.stdout, START_LIMIT_S)
        assert "Parcel bot console" in welcome and "Здравствуйте" in welcome

        card = await say(f"{CODE} куртка")
        assert "Добавлено" in card and CODE in card and "куртка" in card
        assert re.search(r"\[\d+\] 🔄 Обновить\s+\[\d+\] 📜 История", card)

        explained = await say(button_number(card, "Что это значит"))
        assert "👉" in explained

        listing = await say("/list")
        assert "Ваши посылки и заказы: 1" in listing and "куртка" in listing

        process.stdin.write(b"/quit\n")
        await process.stdin.drain()
        _, stderr = await asyncio.wait_for(process.communicate(), STEP_LIMIT_S)
        assert process.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()
        assert "Running job" not in stderr.decode()  # no log line per scheduler run
        assert "applied migration" not in stderr.decode()  # nothing but problems beside the chat
    finally:
        if process.returncode is None:
            process.kill()
            await process.communicate()


def wait_then(seconds: float, line: str) -> Callable[[str], str]:
    """A person who reads the alerts for a while, then types (the console reads in a thread)."""

    def typed(_shown: str) -> str:
        time.sleep(seconds)
        return line

    return typed


async def test_console_alerts_come_once_each_on_the_fast_clock() -> None:
    screen = io.StringIO()
    codes = "RA000012349CN RA000056781RU RA222256785CN RA333300010CN RA111100427CN"
    typist = Typist([codes, wait_then(15, "/quit")], screen)
    settings = load_settings(_env_file=None, quiet_hours="off")
    assert await run_console(settings, stdin=typist, out=screen) == 0
    alerts = re.findall(r"🔔 (.+)\n(?:.*\n)*?\s*🕓 (.+)\n", screen.getvalue())
    assert len(alerts) >= 5  # a day of a parcel's life every ten seconds, five parcels
    assert len(set(alerts)) == len(alerts), alerts
