"""Why a configuration is refused, in one line safe to print: each variable named, no value.

A bad value reaches the operator as `NAME: what is expected`, and a `.env` saved in another
encoding than UTF-8 is named before the settings library trips over it with a traceback. A line
of `.env` that is not `NAME=value` is refused by its number: the settings library would skip it
with a warning, and the variable on it would silently keep its default.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

# python-dotenv's own parser, the one pydantic-settings reads `.env` with: a line it would
# skip is exactly a line refused here. Not re-exported by the package, hence the module path.
from dotenv.parser import parse_stream
from pydantic import ValidationError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as python-dotenv counts lines


class ConfigError(Exception):
    """Configuration is unusable; the message names the variable and is safe to print."""


def describe_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        name = "_".join(str(p) for p in item["loc"]).upper()
        message = str(item["msg"]).removeprefix("Value error, ")
        # A check across variables names them itself ("SHOP_API_URL is required when ...").
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts)


def check_env_file(path: object) -> None:
    """A .env saved in a legacy encoding (cp1251 is common for Russian text) is named plainly."""
    if not isinstance(path, str | Path) or not Path(path).is_file():
        return
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    if (line := _first_unreadable_line(text)) is not None:
        raise ConfigError(
            f"{path}, line {line}: not NAME=value (a space instead of '=', or a quote left "
            "open?); the line is not shown, as it may hold a secret"
        )


def _first_unreadable_line(text: str) -> int | None:
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            chunk = binding.original.string
            leading = chunk[: len(chunk) - len(chunk.lstrip())]
            return binding.original.line + len(_LINE_BREAK.findall(leading))
    return None
