"""Numbers of digits only that no firmly checked format claims, such as CDEK's 10-13 digit ones
(DHL's 10 and FedEx's 12 digits among them: their check digit is passed by chance too often).

They look like order numbers, account numbers and phone numbers too, so they are never taken
from a message on their own: `/add` and an `add_` link take them when nothing else was found
(the user said it is a code), and a plain message holding one is asked about first. Phone
shapes are refused even then, so a phone number is never sent to a source.
"""

from __future__ import annotations

import re

from providers.code_scan import scan
from providers.codes import Code, CodeKind, Scan, classify_digits, normalise

BARE_LENGTHS = range(10, 14)  # longer digit runs are card and account numbers, or a known format
MAX_ASKED = 3  # a message with more numbers than that is a table, not a parcel
_TOKEN = re.compile(r"\S+")
_WRAPPING = "\"'«„“”»()[]{}<>#№.,;:!?"
_PHONE = re.compile(r"9[0-9]{9}|[78]9[0-9]{9}")


def bare_number(token: str) -> Code | None:
    """A digits-only code no format knows, or None (a known format, a phone, too short)."""
    if not token.isascii():
        return None
    value = normalise(token)
    if not value.isdigit() or len(value) not in BARE_LENGTHS or _PHONE.fullmatch(value):
        return None
    if classify_digits(value, weak=False) is not None:
        return None  # a format with a firm check digit reads it, or explains its typo
    return Code(value, CodeKind.GENERIC)


def scan_bare(text: str) -> Scan:
    """Every bare number among the message's words, in order, and the other words as a label."""
    codes: dict[str, Code] = {}
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        code = bare_number(match[0].strip(_WRAPPING))
        if code is None:
            words.append(match[0])
        else:
            codes.setdefault(code.value, code)
    rest = " ".join(words).strip(" ,;:-–—") if codes else " ".join(words)
    return Scan(tuple(codes.values()), (), rest)


def label_beside(text: str, number: str) -> str:
    """The words around `number` in the message it came in, when it was that message's only one
    (a label is shared by one code, as `/add` does)."""
    found = scan_bare(text)
    return found.rest if [code.value for code in found.codes] == [number] else ""


def scan_named(text: str, order_pattern: re.Pattern[str] | None = None) -> Scan:
    """What `/add` or an `add_` link names: the codes a message would show, else bare numbers."""
    found = scan(text, order_pattern)
    if found.codes or found.bad:
        return found
    return scan_bare(text)
