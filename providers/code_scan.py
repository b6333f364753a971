"""Every code in a free-text message, and the words around them as the item's label.

Codes may be split by spaces or dashes, and Cyrillic look-alike letters are read as Latin. Digit
groups are joined across single spaces only (dashes join dates, phones and shop order numbers); a
run that is no code as a whole is read group by group. Nothing glued to a URL, an e-mail address, a
decimal point or a currency sign is read. An S10 whose letters stand apart from the digits needs a
real service letter first, and upper case when both pairs stand apart, so `at 123456785 by` is no
code (`doubtful_s10` finds such shapes, for the user to be asked about). Codes typed in groups
are read before the shop's order pattern, so the pattern cannot claim one of their groups; nor
can it claim a price, a count or a year (`1299 руб`, `2 шт по 1500`, `в 2024 году`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from providers.codes import (
    S10_SERVICE_LETTERS,
    BadCode,
    Code,
    CodeKind,
    Found,
    Scan,
    classify_digits,
    classify_token,
    normalise,
    phone_layout,
)

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
# Words that only name what follows ("трек-номер: RA…", "заказ №1001"): not part of a label.
_NAMING_WORDS = (
    r"(?:мой|моя|мои|my|ваш|your)?\s*(?:трек(?:[- ]?номер)?(?:а|ом|у)?|номер(?:а|ом|у)?"
    r"|код(?:а|ом)?|заказ(?:а|ом|у|ы)?|отправлени[ея]|идентификатор(?:а)?|шпи"
    r"|tracking|track|number|no\.?|order|code)"
)
_NAMING_BEFORE = re.compile(rf"(?:(?<!\w){_NAMING_WORDS}(?!\w)[\s:#№.,-]*)+$", re.IGNORECASE)

# Words beside a number that make it an amount (with an order pattern of digits only).
_UNIT_WORDS = (
    "р р. руб руб. рубль рубля рублей ₽ rub usd eur $ € шт шт. штук штуки штука pcs "
    "г г. год года году лет кг гр мл мм см м км % дней дня день"
)
_UNITS = frozenset(_UNIT_WORDS.split())
_AMOUNT_WORDS = frozenset(("по", "за", "цена", "сумма", "итого", "стоимость", "price"))

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
    """Letters set apart by spaces could be two words around a number: the user is asked (see
    `doubtful_s10`). Letters glued to the digits on one side (`ra 2222 5678 5cn`) are a code."""
    loose = [bool(sep) and not sep.strip(" \t\u00a0") for sep in (match["sep1"], match["sep2"])]
    if not any(loose):
        return True
    prefix, suffix = match["pre"], match["suf"]
    if prefix[0].upper() not in S10_SERVICE_LETTERS:
        return False
    return not all(loose) or (prefix.isupper() and suffix.isupper())


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
    whole = None if phone_layout(digits) else classify_digits("".join(digits), weak=False)
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
                if piece and pattern.fullmatch(piece) and not self._amount(start, end):
                    self.take(start, end, Code(piece, CodeKind.ORDER))
                    break

    def _amount(self, start: int, end: int) -> bool:
        """A price, a count or a year (`1299 руб`, `по 1500`, `в 2024 году`), not an order: only
        digits, not marked as a number by `#` or `№`, with a unit after or a price word before."""
        piece = self.text[start:end]
        if not piece.isdigit() or self.text[:start].rstrip().endswith(("#", "№")):
            return False
        after = self.text[end:].split(maxsplit=1)
        before = self.text[:start].rsplit(maxsplit=1)
        unit = after[0].lower().rstrip(_TRAILING) if after else ""
        lead = before[-1].lower() if before else ""
        return unit in _UNITS or lead in _AMOUNT_WORDS

    def lettered(self, spaced: bool) -> None:
        for match in list(_LETTERED.finditer(self.masked)):
            if _has_space(match[0]) != spaced:
                continue
            found = classify_token(match[0])
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
                    if (found := classify_digits(group[0], weak=False)) is not None:
                        self.take(*group.span(), found)

    def words(self) -> None:
        for start, end in list(self.tokens()):
            token = self.text[start:end]
            value = normalise(token)
            if value and not value.isdigit() and (found := classify_token(token)) is not None:
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
            if naming := _NAMING_BEFORE.search(self.text, pos, cut):
                cut = naming.start()
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


def doubtful_s10(text: str) -> list[tuple[int, int, Found]]:
    """S10 codes `scan` leaves out only for their lower-case letters standing apart from the
    digits (`ra 123456785 cn`), with a real service letter: asked about when their check digit
    is right, read as codes only where the user says they are (`/add`)."""
    doubtful: list[tuple[int, int, Found]] = []
    for match in _LETTERED.finditer(_TOKEN.sub(_mask_address, text)):
        if match["pre"] is None or _plausible_s10(match):
            continue
        found = classify_token(match[0])
        if found is not None and match["pre"][0].upper() in S10_SERVICE_LETTERS:
            doubtful.append((match.start(), match.end(), found))
    return doubtful
