"""Codes inside links: a shop's e-mail or a carrier's page often gives the number as a link
(`https://www.pochta.ru/tracking#RA123456785CN`, `…/?barcode=80102367216110`).

Free text never reads a code from a link (`code_shapes.mask_address`): a link's path belongs to
someone's site. Only numbers with a firm check digit are taken from one, an S10 code or a Russian
Post 14-digit number, and even those are asked about rather than added.
"""

from __future__ import annotations

import re

from providers.codes import Code, CodeKind, classify_token

_TOKEN = re.compile(r"\S+")
_PIECE = re.compile(r"[A-Za-z0-9]{13,14}")  # an S10 is 13 characters, a Russian Post number 14
_FIRM = frozenset({CodeKind.S10, CodeKind.RU_DOMESTIC})


def is_link(token: str) -> bool:
    lowered = token.lower()
    return "@" not in token and ("://" in token or lowered.startswith("www."))


def codes_in_links(text: str) -> list[tuple[int, int, Code]]:
    """Each firmly checked code found in a link, with the span of the whole link."""
    found: list[tuple[int, int, Code]] = []
    for token in _TOKEN.finditer(text):
        if not is_link(token[0]):
            continue
        for piece in _PIECE.finditer(token[0]):
            before, after = token[0][piece.start() - 1 : piece.start()], token[0][piece.end() :]
            if before.isalnum() or after[:1].isalnum():
                continue  # part of a longer run: an id, a hash
            code = classify_token(piece[0])
            if isinstance(code, Code) and code.kind in _FIRM:
                found.append((token.start(), token.end(), code))
    return found
