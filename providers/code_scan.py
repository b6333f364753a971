"""Every code in a free-text message, and the words around them as the item's label.

Codes may be split by spaces or dashes, and Cyrillic look-alike letters are read as Latin. Digit
groups are joined across single spaces only (dashes join dates, phones and shop order numbers); a
run that is no code as a whole is read group by group. Nothing glued to a URL, an e-mail address, a
decimal point or a currency sign is read. An S10 whose letters stand apart from the digits needs a
real service letter first, and upper case when both pairs stand apart, so `at 123456785 by` is no
code (`code_shapes.doubtful_s10` finds such shapes, for the user to be asked about). Codes
typed in groups are read before the shop's order pattern, so the pattern cannot claim one of
their groups; nor can it claim a price, a count or a year (`1299 руб`, `2 шт по 1500`, `в 2024
году`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from providers.code_shapes import (
    CLEAN_GROUP,
    GROUP,
    LETTERED,
    MASK,
    SPACES,
    TOKEN,
    TRAILING,
    has_space,
    is_doubtful_s10,
    mask_address,
    plausible_s10,
    trimmed,
)
from providers.codes import (
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


def _digit_runs(masked: str) -> Iterator[tuple[list[re.Match[str]], bool]]:
    """Digit groups chained by single spaces, split where a group is glued to something else
    (`+7`, `2.5`, `12-34`); only a chain without such a group may be read as one number."""
    clean = {m.span() for m in CLEAN_GROUP.finditer(masked)}
    chains: list[list[re.Match[str]]] = []
    for group in GROUP.finditer(masked):
        if chains and masked[chains[-1][-1].end() : group.start()] in SPACES:
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
        self.masked = TOKEN.sub(mask_address, text)
        self.hits: list[Hit] = []
        self.doubtful: list[Hit] = []

    def take(self, start: int, end: int, found: Found) -> None:
        self.hits.append((start, end, found))
        self._mask(start, end)

    def set_aside(self, start: int, end: int, code: Code) -> None:
        """A doubtful S10 is no code yet, but its digits are no order number nor its letters a
        label: masked like a hit, and kept apart for the user to be asked about."""
        self.doubtful.append((start, end, code))
        self._mask(start, end)

    def _mask(self, start: int, end: int) -> None:
        self.masked = self.masked[:start] + MASK * (end - start) + self.masked[end:]

    def tokens(self) -> Iterator[tuple[int, int]]:
        for match in list(TOKEN.finditer(self.masked)):
            start, end = trimmed(match)
            if start < end and MASK not in self.masked[start:end]:
                yield start, end

    def orders(self, pattern: re.Pattern[str]) -> None:
        for match in list(TOKEN.finditer(self.masked)):
            for start, end in (match.span(), trimmed(match, leading=False), trimmed(match)):
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
        unit = after[0].lower().rstrip(TRAILING) if after else ""
        lead = before[-1].lower() if before else ""
        return unit in _UNITS or lead in _AMOUNT_WORDS

    def lettered(self, spaced: bool) -> None:
        for match in list(LETTERED.finditer(self.masked)):
            if has_space(match[0]) != spaced:
                continue
            found = classify_token(match[0])
            if found is not None and (match["pre"] is None or plausible_s10(match)):
                self.take(match.start(), match.end(), found)
            elif isinstance(found, Code) and is_doubtful_s10(match):
                self.set_aside(match.start(), match.end(), found)

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
        doubtful = {
            code.value: code
            for _, _, code in sorted(self.doubtful, key=lambda hit: hit[0])
            if isinstance(code, Code) and (code.kind, code.value) not in codes
        }
        rest = self.rest(sorted([*hits, *self.doubtful], key=lambda hit: hit[0]))
        return Scan(tuple(codes.values()), tuple(bad.values()), rest, tuple(doubtful.values()))

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
        rest = " ".join(_REPEATED_COMMAS.sub(r"\1", rest).split()).strip(" ,;:-–—")
        return rest if any(c.isalnum() for c in rest) else ""  # "RA….": no label of "."


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
