"""The shapes codes take in free text: the patterns, and the few judgements made on a match.

An S10 whose lower-case letters stand apart from the digits on both sides (`ra 123456785 cn`)
could be two words around a number (`at 123456785 by`): `scan` leaves it out and
`doubtful_s10` finds it, for the user to be asked about.
"""

from __future__ import annotations

import re

from providers.codes import S10_SERVICE_LETTERS, Found, classify_token

_SPACE = r"[ \t\u00a0]"
_SEP = rf"(?:{_SPACE}?[-\u2010-\u2014]{_SPACE}?|{_SPACE})?"
_BEFORE = r"(?<![\w/=@&%+$€£¥₽])"
_AFTER = r"(?![\w@/%$€£¥₽])(?![-.,:/][0-9])(?![./][A-Za-z])"


def _spread(char: str, count: int) -> str:
    """`count` characters of one class, each but the last optionally followed by a separator."""
    return rf"(?:{char}{_SEP}){{{count - 1}}}{char}"


LETTERED = re.compile(
    _BEFORE
    + rf"(?:(?P<pre>[A-Za-z]{{2}})(?P<sep1>{_SEP}){_spread('[0-9]', 9)}"
    + rf"(?P<sep2>{_SEP})(?P<suf>[A-Za-z]{{2}})"
    + rf"|1{_SEP}[Zz]{_SEP}{_spread('[A-Za-z0-9]', 16)}"
    + rf"|[Yy][Tt]{_SEP}{_spread('[0-9]', 16)}"
    + rf"|[Ll][Pp]{_SEP}{_spread('[0-9]', 14)}"
    + ")"
    + _AFTER
)
GROUP = re.compile(r"[0-9]+")
CLEAN_GROUP = re.compile(rf"{_BEFORE}(?<![0-9][-.,:])[0-9]+{_AFTER}")
SPACES = frozenset(" \t\u00a0")
TOKEN = re.compile(r"\S+")
LEADING = "\"'«„“(<[{#№"
TRAILING = ".,;:!?)\"'»”>]}"
MASK = "\x00"


def mask_address(token: re.Match[str]) -> str:
    """Links and e-mail addresses are never read: a code in them belongs to someone's URL."""
    address = "/" in token[0] or "@" in token[0] or "www." in token[0].lower()
    return MASK * len(token[0]) if address else token[0]


def has_space(text: str) -> bool:
    return any(c.isspace() for c in text)


def trimmed(match: re.Match[str], leading: bool = True) -> tuple[int, int]:
    """The token's span without the punctuation that sentences wrap around it."""
    start, end = match.span()
    while leading and start < end and match.string[start] in LEADING:
        start += 1
    while end > start and match.string[end - 1] in TRAILING:
        end -= 1
    return start, end


def plausible_s10(match: re.Match[str]) -> bool:
    """Letters set apart by spaces could be two words around a number: the user is asked (see
    `doubtful_s10`). Letters glued to the digits on one side (`ra 2222 5678 5cn`) are a code."""
    loose = [bool(sep) and not sep.strip(" \t\u00a0") for sep in (match["sep1"], match["sep2"])]
    if not any(loose):
        return True
    prefix, suffix = match["pre"], match["suf"]
    if prefix[0].upper() not in S10_SERVICE_LETTERS:
        return False
    return not all(loose) or (prefix.isupper() and suffix.isupper())


def is_doubtful_s10(match: re.Match[str]) -> bool:
    """An S10 shape `plausible_s10` refuses only for its lower-case letters standing apart."""
    return (
        match["pre"] is not None
        and not plausible_s10(match)
        and match["pre"][0].upper() in S10_SERVICE_LETTERS
    )


def doubtful_s10(text: str) -> list[tuple[int, int, Found]]:
    """S10 codes `scan` leaves out only for their lower-case letters standing apart from the
    digits (`ra 123456785 cn`), with a real service letter: asked about when their check digit
    is right, read as codes only where the user says they are (`/add`)."""
    doubtful: list[tuple[int, int, Found]] = []
    for match in LETTERED.finditer(TOKEN.sub(mask_address, text)):
        if is_doubtful_s10(match) and (found := classify_token(match[0])) is not None:
            doubtful.append((match.start(), match.end(), found))
    return doubtful
