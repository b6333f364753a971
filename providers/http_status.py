"""A JSON source's HTTP status, read into the error tree of `providers.base` (one rule for all)."""

from __future__ import annotations

import math

import httpx

from providers.base import AuthError, TemporarySourceError

# The longest a source's word holds its requests: a broken header must not stop it for years.
MAX_RETRY_AFTER_SECONDS = 3600.0


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """Retry-After in seconds, at most an hour; the HTTP-date form is rare here and read as the
    default, and so is anything that is not a finite number ("nan", "inf")."""
    try:
        seconds = float(value or default)
    except ValueError:
        return default
    if not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def raise_for_status(what: str, response: httpx.Response, refused: str) -> None:
    """401/403: credentials refused; 429: slow down; anything but 200: try again later."""
    status = response.status_code
    if status in (401, 403):
        raise AuthError(f"{what}: HTTP {status}, {refused}")
    if status == 429:
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        raise TemporarySourceError(f"{what}: rate limited", retry_after=retry_after)
    if status != 200:
        raise TemporarySourceError(f"{what}: HTTP {status}")
