"""Numbers that may be codes but are never taken from a message on their own: digits only that
no firmly checked format claims, such as CDEK's 10-13 digit ones (DHL's 10 and FedEx's 12 digits
among them: their check digit is passed by chance too often), and S10 codes whose lower-case
letters stand apart from the digits (`ra 123456785 cn`, which could be two words around a number),
and firmly checked codes inside a link (`providers.link_codes`).

They look like order, account and phone numbers, or a sentence, so `/add` and an `add_` link
take them when nothing else was found (the user said it is a code), and a plain message holding
a few is asked about first. Phone shapes are refused even then, so a phone number is never sent
to a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from providers.code_scan import scan
from providers.code_shapes import doubtful_s10
from providers.codes import (
    S10_SERVICE_LETTERS,
    Code,
    CodeKind,
    Scan,
    classify_digits,
    classify_token,
    normalise,
)
from providers.link_codes import codes_in_links, is_link

BARE_LENGTHS = range(10, 14)  # longer digit runs are card and account numbers, or a known format
MAX_ASKED = 3  # a message with more numbers than that is a table, not a parcel
_TOKEN = re.compile(r"\S+")
_WRAPPING = "\"'«„“”»()[]{}<>#№.,;:!?"
_PHONE = re.compile(r"9[0-9]{9}|[78]9[0-9]{9}")
_S10_ASKED = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")


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


class AskReason(StrEnum):
    """Why a number is asked about rather than added: the question says so."""

    DIGITS = "digits"  # digits only, as order and account numbers are
    SPACED = "spaced"  # S10 letters typed apart from the digits, as words are
    LINK = "link"  # inside a link, which free text never reads


@dataclass(frozen=True, slots=True)
class Asked:
    code: Code
    reason: AskReason


def asked_code(value: str) -> Code | None:
    """The code a "track it" button names, checked as when it was asked about: the button's
    data is the presser's word, so only a bare number, a sound Russian Post number or a sound
    S10 passes."""
    if value.isdigit():
        firm = classify_digits(value, weak=False)
        if isinstance(firm, Code) and firm.kind is CodeKind.RU_DOMESTIC:
            return firm
        return bare_number(value)
    if not _S10_ASKED.fullmatch(value) or value[0] not in S10_SERVICE_LETTERS:
        return None
    found = classify_token(value)
    return found if isinstance(found, Code) else None


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
    if codes and not any(c.isalnum() for c in rest):
        rest = ""  # "1234567890!": no label of "!"
    return Scan(tuple(codes.values()), (), rest)


def asked_numbers(text: str) -> tuple[Asked, ...]:
    """What a message with no code may still hold, in order: bare numbers, S10 codes typed as
    two words around a number whose check digit is right (a wrong one makes it a sentence),
    and sound codes inside links."""
    found = [
        (start, Asked(code, AskReason.SPACED))
        for start, _, code in doubtful_s10(text)
        if isinstance(code, Code)
    ]
    found += [(start, Asked(code, AskReason.LINK)) for start, _, code in codes_in_links(text)]
    for match in _TOKEN.finditer(text):
        if (code := bare_number(match[0].strip(_WRAPPING))) is not None:
            found.append((match.start(), Asked(code, AskReason.DIGITS)))
    ordered = sorted(found, key=lambda f: f[0])
    return tuple({asked.code.value: asked for _, asked in ordered}.values())


def _lifted(text: str) -> str:
    """The message as if its doubtful S10 codes had been typed in upper case."""
    for start, end, _ in doubtful_s10(text):
        text = text[:start] + text[start:end].upper() + text[end:]
    return text


def label_beside(text: str, number: str) -> str:
    """The words around `number` in the message it came in, as if typed as a code, when it was
    that message's only one asked about (a label is shared by one code, as `/add` does)."""
    asked = asked_numbers(text)
    if [one.code.value for one in asked] != [number]:
        return ""
    if asked[0].reason is AskReason.LINK:
        return _without_links(text)
    found = scan_bare(text) if number.isdigit() else scan(_lifted(text))
    return found.rest if [code.value for code in found.codes] == [number] else ""


def _without_links(text: str) -> str:
    words = [word for word in text.split() if not is_link(word)]
    rest = " ".join(words).strip(" ,;:-–—")
    return rest if any(c.isalnum() for c in rest) else ""


def scan_named(text: str, order_pattern: re.Pattern[str] | None = None) -> Scan:
    """What `/add` or an `add_` link names: the codes a message would show, S10 letters apart
    in lower case included (a typo in them explained), else bare numbers."""
    found = scan(_lifted(text), order_pattern)
    if found.codes or found.bad:
        return found
    return scan_bare(text)
