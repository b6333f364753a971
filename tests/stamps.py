"""Checks on request times that tests collect."""

from __future__ import annotations


def most_in_window(stamps: list[float], width: float) -> int:
    """The most stamps in any window of `width` seconds."""
    ordered = sorted(stamps)
    return max(sum(1 for t in ordered[i:] if t - start < width) for i, start in enumerate(ordered))
