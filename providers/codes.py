"""Recognition of parcel and order numbers in what users type.

`classify` reads one token (a command argument); `scan` finds every code in a free-text message
and keeps what is left as the item's label. A token with a known shape but a wrong check digit
comes back as `BadCode`, so a typo is explained to the user instead of being sent to a source.

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

Free text: codes may be split by spaces or dashes, and Cyrillic look-alike letters are read as
Latin. Digit groups are joined across single spaces only (dashes join dates, phones and shop
order numbers); a run that is no code as a whole is read group by group. Nothing
glued to a URL, an e-mail address, a decimal point or a currency sign is read. An S10 whose
letters stand apart from the digits by a space needs them upper-case and a real service letter
first, so `at 123456785 by` is no code. Codes typed in groups are read before the shop's order
pattern, so the pattern cannot claim one of their groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
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


Found = Code | BadCode

_SEPARATORS = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff\-\u2010-\u2015\u2212]+")
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
_ALNUM = re.compile(r"[A-Z0-9]+")
_S10 = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})")
_S10_NEAR = re.compile(r"[A-Z]{2}(?:[0-9]{8}|[0-9]{10})[A-Z]{2}")
_S10_SERVICE_LETTERS = frozenset("ABCDEGHLMNPQRUVZ")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_UPS = re.compile(r"1Z([A-Z0-9]{15})([A-Z0-9])")
_UPS_NEAR = re.compile(r"1Z(?:[A-Z0-9]{15}|[A-Z0-9]{17})")
_FIXED_PREFIX = ((re.compile(r"YT[0-9]{16}"), CodeKind.YUNEXPRESS),
                 (re.compile(r"LP[0-9]{14}"), CodeKind.CAINIAO))  # fmt: skip
_NEAR_MISSES = ((_S10_NEAR, CodeKind.S10), (_UPS_NEAR, CodeKind.UPS))
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
    if len(v) > 26 and v.startswith("420"):  # routing prefix: 420 + ZIP
        v = v[8:]
    if len(v) not in _USPS_LENGTHS:
        return False
    # 20-digit labels may leave out the leading 91 application identifier.
    return _gs1_ok(v) or (len(v) == 20 and _gs1_ok("91" + v))


def _dhl_ok(v: str) -> bool:
    return len(v) == 10 and v[0] != "9" and int(v[:9]) % 7 == int(v[9])


_DIGIT_FORMATS = ((CodeKind.FEDEX, _fedex_ok), (CodeKind.USPS, _usps_ok), (CodeKind.DHL, _dhl_ok))


def _checked(value: str, kind: CodeKind, typed: str, expected: int) -> Found:
    if typed == str(expected):
        return Code(value, kind)
    return BadCode(value, kind, BadCodeReason.CHECK_DIGIT, str(expected))


def _phone_layout(groups: Sequence[str]) -> bool:
    return len(groups) >= 3 and len(groups[-1]) == 2 and len(groups[-2]) == 2


def _classify_digits(value: str) -> Found | None:
    if len(value) == 14:
        return _checked(value, CodeKind.RU_DOMESTIC, value[13], ru14_check_digit(value[:13]))
    for kind, ok in _DIGIT_FORMATS:
        if ok(value):
            return Code(value, kind)
    return None


def _check_lettered(value: str) -> Found | None:
    if m := _S10.fullmatch(value):
        return _checked(value, CodeKind.S10, m[3], s10_check_digit(m[2]))
    if m := _UPS.fullmatch(value):
        return _checked(value, CodeKind.UPS, m[2], _mod10(m[1], (1, 2)))
    return None


def _classify_lettered(value: str, typed_ascii: bool) -> Found | None:
    if (checked := _check_lettered(value)) is not None:
        return checked
    for pattern, kind in _NEAR_MISSES:
        if pattern.fullmatch(value):
            return BadCode(value, kind, BadCodeReason.FORMAT)
    for pattern, kind in _FIXED_PREFIX:
        if pattern.fullmatch(value):
            return Code(value, kind)
    digits = sum(c.isdigit() for c in value)
    if typed_ascii and 8 <= len(value) <= 30 and digits >= 6:
        return Code(value, CodeKind.GENERIC)
    return None


def _classify_token(token: str) -> Found | None:
    value = normalise(token)
    if not _ALNUM.fullmatch(value):
        return None
    if value.isdigit():
        if _phone_layout(_SEPARATORS.split(token.strip())):
            return None
        return _classify_digits(value)
    return _classify_lettered(value, typed_ascii=token.isascii())


def classify(raw: str, order_pattern: re.Pattern[str] | None = None) -> Found | None:
    """What one token is: a code, a code with a typo, or nothing worth tracking."""
    token = raw.strip()
    if order_pattern is not None and token and order_pattern.fullmatch(token):
        return Code(token, CodeKind.ORDER)
    return _classify_token(token)


# Free text ---------------------------------------------------------------------------------

_SPACE = r"[ \t\u00a0]"
_SEP = rf"(?:{_SPACE}?[-\u2010-\u2014]{_SPACE}?|{_SPACE})?"
_BEFORE = r"(?<![\w/=@&%+$€£¥₽])"
_AFTER = r"(?![\w@/%$€£¥₽])(?![-.,:/][0-9])(?![./][A-Za-z])"


def _spread(char: str, count: int) -> str:
    """`count` characters of one class, each but the last optionally followed by a separator."""
    return rf"(?:{char}{_SEP}){{{count - 1}}}{char}"


_LETTERED = re.compile(
    _BEFORE
    + rf"(?:(?P<pre>[A-Za-z]{{2}})(?P<sep1>{_SEP}){_spread('[0-9]', 9)}"
    + rf"(?P<sep2>{_SEP})(?P<suf>[A-Za-z]{{2}})"
    + rf"|1{_SEP}[Zz]{_SEP}{_spread('[A-Za-z0-9]', 16)}"
    + rf"|[Yy][Tt]{_SEP}{_spread('[0-9]', 16)}"
    + rf"|[Ll][Pp]{_SEP}{_spread('[0-9]', 14)}"
    + ")"
    + _AFTER
)
_GROUP = re.compile(r"[0-9]+")
_CLEAN_GROUP = re.compile(rf"{_BEFORE}(?<![0-9][-.,:])[0-9]+{_AFTER}")
_SPACES = frozenset(" \t\u00a0")
_TOKEN = re.compile(r"\S+")
_LEADING = "\"'«„“(<[{#№"
_TRAILING = ".,;:!?)\"'»”>]}"
_MASK = "\x00"
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]|«\s*»|\"\s*\"")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([,.;:!?)\]»])")
_REPEATED_COMMAS = re.compile(r"([,;:])(?:\s*[,;:])+")

Hit = tuple[int, int, Found]


def _mask_address(token: re.Match[str]) -> str:
    """Links and e-mail addresses are never read: a code in them belongs to someone's URL."""
    address = "/" in token[0] or "@" in token[0] or "www." in token[0].lower()
    return _MASK * len(token[0]) if address else token[0]


def _has_space(text: str) -> bool:
    return any(c.isspace() for c in text)


def _trimmed(match: re.Match[str], leading: bool = True) -> tuple[int, int]:
    """The token's span without the punctuation that sentences wrap around it."""
    start, end = match.span()
    while leading and start < end and match.string[start] in _LEADING:
        start += 1
    while end > start and match.string[end - 1] in _TRAILING:
        end -= 1
    return start, end


def _plausible_s10(match: re.Match[str]) -> bool:
    """Letters set apart by spaces could be two words around a number: ask for more."""
    loose = any(sep and not sep.strip(" \t\u00a0") for sep in (match["sep1"], match["sep2"]))
    if not loose:
        return True
    prefix, suffix = match["pre"], match["suf"]
    return prefix.isupper() and suffix.isupper() and prefix[0] in _S10_SERVICE_LETTERS


def _digit_runs(masked: str) -> Iterator[tuple[list[re.Match[str]], bool]]:
    """Digit groups chained by single spaces, split where a group is glued to something else
    (`+7`, `2.5`, `12-34`); only a chain without such a group may be read as one number."""
    clean = {m.span() for m in _CLEAN_GROUP.finditer(masked)}
    chains: list[list[re.Match[str]]] = []
    for group in _GROUP.finditer(masked):
        if chains and masked[chains[-1][-1].end() : group.start()] in _SPACES:
            chains[-1].append(group)
        else:
            chains.append([group])
    for chain in chains:
        joinable = all(g.span() in clean for g in chain)
        run: list[re.Match[str]] = []
        for group in chain:
            if group.span() in clean:
                run.append(group)
            elif run:
                yield run, joinable
                run = []
        if run:
            yield run, joinable


def _read_run(groups: Sequence[re.Match[str]]) -> Found | None:
    """Digit groups joined into one code, or a typo where the grouping looks deliberate."""
    digits = [g[0] for g in groups]
    whole = None if _phone_layout(digits) else _classify_digits("".join(digits))
    if isinstance(whole, BadCode) and any(len(d) < 3 for d in digits[:-1]):
        return None  # scattered small numbers, not a mistyped code
    return whole


class _Reader:
    """One pass per kind of evidence, strongest first; each hit is masked from later passes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = _TOKEN.sub(_mask_address, text)
        self.hits: list[Hit] = []

    def take(self, start: int, end: int, found: Found) -> None:
        self.hits.append((start, end, found))
        self.masked = self.masked[:start] + _MASK * (end - start) + self.masked[end:]

    def tokens(self) -> Iterator[tuple[int, int]]:
        for match in list(_TOKEN.finditer(self.masked)):
            start, end = _trimmed(match)
            if start < end and _MASK not in self.masked[start:end]:
                yield start, end

    def orders(self, pattern: re.Pattern[str]) -> None:
        for match in list(_TOKEN.finditer(self.masked)):
            for start, end in (match.span(), _trimmed(match, leading=False), _trimmed(match)):
                piece = self.text[start:end]
                if piece and pattern.fullmatch(piece):
                    self.take(start, end, Code(piece, CodeKind.ORDER))
                    break

    def lettered(self, spaced: bool) -> None:
        for match in list(_LETTERED.finditer(self.masked)):
            if _has_space(match[0]) != spaced:
                continue
            found = _classify_token(match[0])
            if found is not None and (match["pre"] is None or _plausible_s10(match)):
                self.take(match.start(), match.end(), found)

    def digit_runs(self, spaced: bool) -> None:
        """`spaced`: only codes typed in several groups; otherwise everything left."""
        for run, joinable in list(_digit_runs(self.masked)):
            if spaced and (len(run) == 1 or not joinable):
                continue
            whole = _read_run(run) if joinable else None
            if whole is not None:
                self.take(run[0].start(), run[-1].end(), whole)
            elif not spaced:
                for group in run:
                    if (found := _classify_digits(group[0])) is not None:
                        self.take(*group.span(), found)

    def words(self) -> None:
        for start, end in list(self.tokens()):
            token = self.text[start:end]
            value = normalise(token)
            if value and not value.isdigit() and (found := _classify_token(token)) is not None:
                self.take(start, end, found)

    def result(self) -> Scan:
        hits = sorted(self.hits, key=lambda hit: hit[0])
        codes: dict[tuple[CodeKind, str], Code] = {}
        bad: dict[tuple[CodeKind, str], BadCode] = {}
        for _, _, found in hits:
            if isinstance(found, Code):
                codes.setdefault((found.kind, found.value), found)
            else:
                bad.setdefault((found.kind, found.value), found)
        return Scan(tuple(codes.values()), tuple(bad.values()), self.rest(hits))

    def rest(self, hits: Sequence[Hit]) -> str:
        pieces: list[str] = []
        pos = 0
        for start, end, _ in hits:
            cut = start
            while cut > pos and self.text[cut - 1] in "#№":
                cut -= 1
            pieces.append(self.text[pos:cut])
            pos = end
        pieces.append(self.text[pos:])
        rest = " ".join(" ".join(pieces).split())
        if not hits:
            return rest
        rest = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _EMPTY_BRACKETS.sub("", rest))
        rest = _REPEATED_COMMAS.sub(r"\1", rest)
        return " ".join(rest.split()).strip(" ,;:-–—")


def scan(text: str, order_pattern: re.Pattern[str] | None = None) -> Scan:
    """Every code in a message, in order, and the words around them as a label."""
    reader = _Reader(text)
    # Codes typed in groups first, so a shop pattern cannot claim one of their groups.
    reader.lettered(spaced=True)
    reader.digit_runs(spaced=True)
    if order_pattern is not None:
        reader.orders(order_pattern)
    reader.lettered(spaced=False)
    reader.digit_runs(spaced=False)
    reader.words()
    return reader.result()
