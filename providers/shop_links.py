"""Signed deep links: a shop's e-mail opens the bot on one order, already proven to be the user's.

The shop links to ``t.me/<bot>?start=<payload>`` with

    payload = "o_" + b64url(number) + "_" + b64url(HMAC-SHA256(SHOP_LINK_SECRET, number))[:16]

with b64url = base64url without padding and the number in UTF-8. Telegram allows 64 characters
of A-Z, a-z, 0-9, "_" and "-" in a start parameter, all within base64url's alphabet; numbers of
up to 33 UTF-8 bytes fit. The encoded number may itself contain "_", so a payload is read from the
right: the last 16 characters are the signature, the one before them the separator. A payload
reads back only in its one canonical spelling, so no second spelling of a number passes the
check. The shops' side (Python and PHP) is in docs/shop-links.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

__all__ = ["MAX_PAYLOAD", "PREFIX", "SIGNATURE_LENGTH", "make_payload", "read_payload"]

PREFIX = "o_"
SIGNATURE_LENGTH = 16
MAX_PAYLOAD = 64  # Telegram's limit for a start parameter
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def make_payload(number: str, secret: str) -> str:
    """ValueError for an empty number or secret, or a number too long for Telegram's limit."""
    if not number:
        raise ValueError("empty order number")
    _require(secret)
    payload = f"{PREFIX}{_encode(number.encode())}_{_signature(number, secret)}"
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"order number too long for a {MAX_PAYLOAD}-character start payload")
    return payload


def read_payload(payload: str, secret: str) -> str | None:
    """The order number of a payload signed with `secret`; None for anything else."""
    _require(secret)
    if len(payload) > MAX_PAYLOAD or not payload.startswith(PREFIX):
        return None
    body = payload[len(PREFIX) :]
    encoded, separator, signature = (
        body[: -SIGNATURE_LENGTH - 1],
        body[-SIGNATURE_LENGTH - 1 : -SIGNATURE_LENGTH],
        body[-SIGNATURE_LENGTH:],
    )
    if separator != "_" or not _BASE64URL.fullmatch(encoded) or not _BASE64URL.fullmatch(body):
        return None
    number = _decode(encoded)
    if number is None:
        return None
    expected = _signature(number, secret)
    return number if hmac.compare_digest(signature, expected) else None


def _require(secret: str) -> None:
    """An empty key would let anyone sign links."""
    if not secret:
        raise ValueError("empty link secret")


def _signature(number: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), number.encode(), hashlib.sha256).digest()
    return _encode(digest)[:SIGNATURE_LENGTH]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(encoded: str) -> str | None:
    """None unless `encoded` is the canonical base64url of a UTF-8 text."""
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        number = raw.decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return number if number and _encode(raw) == encoded else None
