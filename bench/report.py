"""Turning the dispatch benchmark's phase results into readable lines and one JSON summary."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bench.load import PhaseResult


@dataclass(frozen=True, slots=True)
class FullRun:
    ready_s: float  # from starting the process to its first getMe, seeding included
    rate: float  # the steady phases' rate, shared with the bare bot
    add: PhaseResult
    status: PhaseResult
    add_paced: PhaseResult
    status_paced: PhaseResult


@dataclass(frozen=True, slots=True)
class BareRun:
    bare: PhaseResult
    bare_paced: PhaseResult
    card: PhaseResult  # the bare bot answering with the full stack's card: the most any can do


def busy_machine(env: Mapping[str, Any]) -> str:
    """A warning when other work already keeps the CPUs busy, since wall times will suffer."""
    load, cpus = env.get("load_average"), env.get("cpu_count") or 1
    if load is None or load < 0.5 * cpus:
        return ""
    return f"WARNING: load average {load} on {cpus} CPUs before starting; figures will be noisy"


def _ms(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 3) if whole > 0 else 0.0


def summary(
    full: FullRun, bare_run: BareRun, target: float, settings: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON object: the required keys first, then detail for whoever digs further."""
    add, status, bare = full.add, full.status, bare_run.bare
    phases = {
        "add": add,
        "status": status,
        "add_paced": full.add_paced,
        "status_paced": full.status_paced,
        "bare": bare,
        "bare_paced": bare_run.bare_paced,
        "card": bare_run.card,
    }
    return {
        "add_per_s": round(add.per_s, 1),
        "status_per_s": round(status.per_s, 1),
        "bare_per_s": round(bare.per_s, 1),
        "add_vs_bare": _ratio(add.per_s, bare.per_s),
        "status_vs_bare": _ratio(status.per_s, bare.per_s),
        # The same comparison in bot CPU per update, which a busy machine disturbs less.
        "add_cpu_vs_bare": _ratio(bare.bot_cpu_ms_per_update, add.bot_cpu_ms_per_update),
        "status_cpu_vs_bare": _ratio(bare.bot_cpu_ms_per_update, status.bot_cpu_ms_per_update),
        "add_p50_ms": _ms(full.add_paced.p50_ms),
        "add_p99_ms": _ms(full.add_paced.p99_ms),
        "status_p50_ms": _ms(full.status_paced.p50_ms),
        "status_p99_ms": _ms(full.status_paced.p99_ms),
        "bare_p50_ms": _ms(bare_run.bare_paced.p50_ms),
        "bare_p99_ms": _ms(bare_run.bare_paced.p99_ms),
        # A bot that only answers with the full stack's card, and does nothing else.
        "card_per_s": round(bare_run.card.per_s, 1),
        "card_vs_bare": _ratio(bare_run.card.per_s, bare.per_s),
        "card_cpu_vs_bare": _ratio(
            bare.bot_cpu_ms_per_update, bare_run.card.bot_cpu_ms_per_update
        ),
        "paced_rate_per_s": full.rate,
        "target_ratio": target,
        "meets_target": min(add.per_s, status.per_s) >= target * bare.per_s,
        "problems": sum(p.unexpected + p.extra + p.failed_calls for p in phases.values()),
        "phases": {name: _phase(p) for name, p in phases.items()},
        "settings": dict(settings),
        "full_ready_s": round(full.ready_s, 2),
    }


def _phase(p: PhaseResult) -> dict[str, Any]:
    return {
        "updates": p.updates,
        "seconds": round(p.seconds, 3),
        "per_s": round(p.per_s, 1),
        "p50_ms": _ms(p.p50_ms),
        "p99_ms": _ms(p.p99_ms),
        "bot_cpu": _ratio(p.bot_cpu_s, p.seconds),
        "bot_cpu_ms_per_update": round(p.bot_cpu_ms_per_update, 3),
        "server_cpu": _ratio(p.server_cpu_s, p.seconds),
        "unexpected": p.unexpected,
        "extra": p.extra,
        "failed_calls": p.failed_calls,
        "chat_actions": p.chat_actions,
    }


def lines(full: FullRun, bare: BareRun, data: Mapping[str, Any]) -> list[str]:
    """A table a person reads: bursts for throughput, steady phases for latency."""
    rate = full.rate
    steady = f"steady {rate:g}/s:"
    out = [
        f"{'':12} {'burst upd/s':>11} {'vs bare':>8} {'bot cpu':>8} {'ms cpu/upd':>11}"
        f" {'srv cpu':>8}   {steady} {'p50 ms':>7} {'p99 ms':>7}"
    ]
    rows = (
        ("bare echo", "", bare.bare, bare.bare_paced),
        ("add a code", f"{data['add_vs_bare']:.2f}", full.add, full.add_paced),
        ("/status", f"{data['status_vs_bare']:.2f}", full.status, full.status_paced),
    )
    for label, vs, burst, paced in rows:
        out.append(
            f"{label:12} {burst.per_s:11.1f} {vs:>8} {burst.bot_cpu_s / burst.seconds:8.0%}"
            f" {burst.bot_cpu_ms_per_update:11.2f} {burst.server_cpu_s / burst.seconds:8.0%}"
            f"   {'':>{len(steady)}} {paced.p50_ms:7.1f} {paced.p99_ms:7.1f}"
        )
    card = bare.card
    out.append(
        f"{'bare card':12} {card.per_s:11.1f} {data['card_vs_bare']:>8.2f}"
        f" {card.bot_cpu_s / card.seconds:8.0%} {card.bot_cpu_ms_per_update:11.2f}"
        f" {card.server_cpu_s / card.seconds:8.0%}   (the add's card and nothing else)"
    )
    verdict = "meets" if data["meets_target"] else "misses"
    out.append(
        f"full stack {verdict} the target of {data['target_ratio']:.2f} x bare throughput "
        f"(add {data['add_vs_bare']:.2f}, /status {data['status_vs_bare']:.2f}; "
        f"by CPU per update {data['add_cpu_vs_bare']:.2f} and {data['status_cpu_vs_bare']:.2f}); "
        f"a bot doing nothing but send the add's card reaches {data['card_vs_bare']:.2f}"
    )
    if data["problems"]:
        out.append(f"WARNING: {data['problems']} unexpected replies or refused calls, see phases")
    return out
