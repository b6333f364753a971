"""Recognition of parcel and order numbers in what users type.

`classify` reads one token (a command argument); `providers.code_scan.scan` finds every code in
a free-text message and keeps what is left as the item's label. A token with a known shape but
a wrong check digit comes back as `BadCode`, so a typo is explained to the user instead of
being sent to a source.

Precedence, first match wins:

1. ORDER: the shop's own pattern, when given, fullmatches the token as typed.
2. Letter-led shapes, which cannot collide: S10 (`RA123456785CN`), UPS (`1Z` + 16), YunExpress
   (`YT` + 16 digits), Cainiao (`LP` + 14 digits).
3. Digits only, told apart by length: 14 Russian Post; 12 FedEx Express; 15 FedEx Ground; 22
   starting with 96 FedEx Ground; 20-22 or 26 (optionally after `420` + ZIP) USPS; 10 DHL Express.
   Only a 14-digit number is reported as a bad code: any other digits-only token that fails its
   check is not a code (phones, prices, CDEK numbers). Ten digits starting with 9 are a Russian
   mobile number written without +7, and digit groups ending in two pairs (`123 45 67`) are a
   phone layout: neither is ever a code.
4. GENERIC: 8-30 Latin letters and digits with at least six digits, left to 17TRACK's carrier
   detection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import cycle


class CodeKind(StrEnum):
    S10 = "s10"
    RU_DOMESTIC = "ru14"
    UPS = "ups"
    FEDEX = "fedex"
    USPS = "usps"
    DHL = "dhl"
    YUNEXPRESS = "yunexpress"
    CAINIAO = "cainiao"
    GENERIC = "generic"
    ORDER = "order"


class BadCodeReason(StrEnum):
    CHECK_DIGIT = "check_digit"  # right shape, wrong check digit
    FORMAT = "format"  # one digit too few or too many for the shape it imitates
    CUT_SHORT = "cut_short"  # an S10 with a sound check digit, its country letters cut off


@dataclass(frozen=True, slots=True)
class Code:
    value: str
    kind: CodeKind

    @property
    def country(self) -> str | None:
        """The issuing post's country, where the number itself says it."""
        if self.kind is CodeKind.S10:
            return self.value[-2:]
        if self.kind is CodeKind.RU_DOMESTIC:
            return "RU"
        return None


@dataclass(frozen=True, slots=True)
class BadCode:
    value: str
    kind: CodeKind
    reason: BadCodeReason
    expected_check_digit: str | None = None


@dataclass(frozen=True, slots=True)
class Scan:
    codes: tuple[Code, ...]
    bad: tuple[BadCode, ...]
    rest: str
    # S10 codes whose lower-case letters stand apart (`ra 123456785 cn`): to be asked about.
    doubtful: tuple[Code, ...] = ()


Found = Code | BadCode

_SEPARATORS = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff\-\u2010-\u2015\u2212]+")
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
_ALNUM = re.compile(r"[A-Z0-9]+")
_S10 = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})")
_S10_NEAR = re.compile(r"[A-Z]{2}(?:[0-9]{8}|[0-9]{10})[A-Z]{2}")
S10_SERVICE_LETTERS = frozenset("ABCDEGHLMNPQRUVZ")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_UPS = re.compile(r"1Z([A-Z0-9]{15})([A-Z0-9])")
_UPS_NEAR = re.compile(r"1Z(?:[A-Z0-9]{15}|[A-Z0-9]{17})")
_FIXED_PREFIX = ((re.compile(r"YT[0-9]{16}"), CodeKind.YUNEXPRESS),
                 (re.compile(r"LP[0-9]{14}"), CodeKind.CAINIAO))  # fmt: skip
_NEAR_MISSES = ((_S10_NEAR, CodeKind.S10), (_UPS_NEAR, CodeKind.UPS))
# An S10 copied without its last letter or two (`RA123456785C`, `RA123456785`): no carrier's
# number has that shape, and 17TRACK would never find it.
_S10_CUT = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])[A-Z]?")
_USPS_LENGTHS = frozenset({20, 21, 22, 26})


def normalise(raw: str) -> str:
    """Upper-case, Cyrillic look-alikes as Latin, no spaces, dashes or invisible characters."""
    return _SEPARATORS.sub("", raw.upper().translate(_LOOKALIKES))


def _require_digits(text: str, length: int) -> None:
    if len(text) != length or not text.isascii() or not text.isdigit():
        raise ValueError(f"expected {length} digits, got {text!r}")


def s10_check_digit(serial8: str) -> int:
    _require_digits(serial8, 8)
    c = 11 - sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True)) % 11
    return 0 if c == 10 else 5 if c == 11 else c


def _mod10(chars: str, weights: Sequence[int]) -> int:
    """The digit that tops the weighted sum up to a multiple of ten; letters count as in UPS."""
    total = sum(
        (int(c) if c.isdigit() else (ord(c) - 3) % 10) * w
        for c, w in zip(chars, cycle(weights), strict=False)
    )
    return (10 - total % 10) % 10


def ru14_check_digit(first13: str) -> int:
    _require_digits(first13, 13)
    return _mod10(first13, (3, 1))


def _fedex_ok(v: str) -> bool:
    if len(v) == 12:
        weighted = sum(int(d) * w for d, w in zip(v[:11], cycle((3, 1, 7)), strict=False))
        return weighted % 11 % 10 == int(v[11])
    if len(v) == 15:
        return _mod10(v[:14], (1, 3)) == int(v[14])
    return len(v) == 22 and v.startswith("96") and _mod10(v[7:21], (1, 3)) == int(v[21])


def _gs1_ok(v: str) -> bool:
    return _mod10(v[-2::-1], (3, 1)) == int(v[-1])


def _usps_ok(v: str) -> bool:
    if len(v) > 26 and v.startswith("420"):  # routing prefix: 420 + ZIP, or 420 + ZIP+4
        return any(_usps_label_ok(v[start:]) for start in (8, 12))
    return _usps_label_ok(v)


def _usps_label_ok(v: str) -> bool:
    if len(v) not in _USPS_LENGTHS:
        return False
    # 20-digit labels may leave out the leading 91 application identifier.
    return _gs1_ok(v) or (len(v) == 20 and _gs1_ok("91" + v))


def _dhl_ok(v: str) -> bool:
    return len(v) == 10 and v[0] != "9" and int(v[:9]) % 7 == int(v[9])


_DIGIT_FORMATS = ((CodeKind.FEDEX, _fedex_ok), (CodeKind.USPS, _usps_ok), (CodeKind.DHL, _dhl_ok))
# Check digits that one number in seven (DHL) or ten (FedEx's 12 digits) passes by chance: in a
# message these are as likely an order, account or tax number, so they are asked about first.
_WEAK_CHECKS = {(CodeKind.DHL, 10), (CodeKind.FEDEX, 12)}


def _checked(value: str, kind: CodeKind, typed: str, expected: int) -> Found:
    if typed == str(expected):
        return Code(value, kind)
    return BadCode(value, kind, BadCodeReason.CHECK_DIGIT, str(expected))


def phone_layout(groups: Sequence[str]) -> bool:
    return len(groups) >= 3 and len(groups[-1]) == 2 and len(groups[-2]) == 2


def classify_digits(value: str, *, weak: bool = True) -> Found | None:
    """The digits-only format of `value`; `weak=False` leaves out the weakly checked ones."""
    if len(value) == 14:
        return _checked(value, CodeKind.RU_DOMESTIC, value[13], ru14_check_digit(value[:13]))
    for kind, ok in _DIGIT_FORMATS:
        if ok(value) and (weak or (kind, len(value)) not in _WEAK_CHECKS):
            return Code(value, kind)
    return None


def _check_lettered(value: str) -> Found | None:
    if m := _S10.fullmatch(value):
        return _checked(value, CodeKind.S10, m[3], s10_check_digit(m[2]))
    if m := _UPS.fullmatch(value):
        return _checked(value, CodeKind.UPS, m[2], _mod10(m[1], (1, 2)))
    return None


def _cut_short_s10(value: str) -> bool:
    m = _S10_CUT.fullmatch(value)
    if m is None:
        return False
    return m[1][0] in S10_SERVICE_LETTERS and int(m[3]) == s10_check_digit(m[2])


def _classify_lettered(value: str, typed_ascii: bool) -> Found | None:
    if (checked := _check_lettered(value)) is not None:
        return checked
    for pattern, kind in _NEAR_MISSES:
        if pattern.fullmatch(value):
            return BadCode(value, kind, BadCodeReason.FORMAT)
    if _cut_short_s10(value):
        return BadCode(value, CodeKind.S10, BadCodeReason.CUT_SHORT)
    for pattern, kind in _FIXED_PREFIX:
        if pattern.fullmatch(value):
            return Code(value, kind)
    digits = sum(c.isdigit() for c in value)
    if typed_ascii and 8 <= len(value) <= 30 and digits >= 6:
        return Code(value, CodeKind.GENERIC)
    return None


def classify_token(token: str) -> Found | None:
    value = normalise(token)
    if not _ALNUM.fullmatch(value):
        return None
    if value.isdigit():
        if phone_layout(_SEPARATORS.split(token.strip())):
            return None
        return classify_digits(value)
    return _classify_lettered(value, typed_ascii=token.isascii())


def classify(raw: str, order_pattern: re.Pattern[str] | None = None) -> Found | None:
    """What one token is: a code, a code with a typo, or nothing worth tracking."""
    token = raw.strip()
    if order_pattern is not None and token and order_pattern.fullmatch(token):
        return Code(token, CodeKind.ORDER)
    return classify_token(token)
