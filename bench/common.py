"""Small helpers the benchmarks share: valid track codes, percentiles, and the run's environment.

Codes come from `providers.codes.s10_check_digit`, the same rule the bot applies, so every code a
benchmark sends is accepted and reaches the add path instead of the "wrong check digit" reply.
"""

from __future__ import annotations

import importlib.metadata
import math
import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from providers.codes import s10_check_digit


def s10_code(serial: int, prefix: str = "RR", country: str = "CN") -> str:
    """A valid UPU S10 number for an eight-digit serial, such as RR100000005CN."""
    digits = f"{serial:08d}"
    if len(digits) != 8:
        raise ValueError(f"serial {serial} does not fit in eight digits")
    return f"{prefix}{digits}{s10_check_digit(digits)}{country}"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def load_average() -> float | None:
    """The one-minute load average, where the platform has one: other work skews wall times."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def load_averages() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, where the platform has them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def warn_if_busy(load: list[float] | None) -> None:
    cpus = os.cpu_count() or 1
    if load is not None and load[0] >= cpus / 2:
        print(
            f"warning: load average {load[0]} on {cpus} CPUs before the run;"
            " wall-clock figures will be low, the CPU figures less so",
            flush=True,
        )


def cpu_seconds_by_process(name_prefix: str) -> dict[int, float] | None:
    """CPU time (user and system) of each live process whose name starts so (Linux /proc).

    For the cost of server processes a benchmark talks to, such as PostgreSQL's backends, which
    per-process accounting of the benchmark itself never sees. None where there is no /proc.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:  # the process ended meanwhile
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if name.startswith(name_prefix):
            fields = rest.split()
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def environment() -> dict[str, Any]:
    """What a figure depends on besides the code: interpreter, libraries, machine."""
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "aiogram": importlib.metadata.version("aiogram"),
        "aiohttp": importlib.metadata.version("aiohttp"),
        "aiosqlite": importlib.metadata.version("aiosqlite"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "load_average": load_average(),
    }
