"""A JSON source's HTTP status, read into the error tree of `providers.base` (one rule for all)."""

from __future__ import annotations

import httpx

from providers.base import AuthError, TemporarySourceError


def retry_after_seconds(value: str | None, default: float = 1.0) -> float:
    """Retry-After in seconds; the HTTP-date form is rare here and read as the default."""
    try:
        return max(float(value or default), 0.0)
    except ValueError:
        return default


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
