"""Code recognition as properties: check digits against independent reference formulas, codes
found wherever and however they are typed in a message, and nothing else ever taken for one."""

from __future__ import annotations

import re
import string
from datetime import datetime

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from providers.code_scan import scan
from providers.codes import (
    BadCode,
    BadCodeReason,
    Code,
    CodeKind,
    classify,
    normalise,
    ru14_check_digit,
    s10_check_digit,
)

FAST = settings(max_examples=150, deadline=None)
CODE_LIKE = "0123456789 RLACNZPTY1-.,:+@/#№₽ааСс\n\u00a0"

LETTERS2 = st.text(string.ascii_uppercase, min_size=2, max_size=2)
WORDS = [
    "моя",
    "посылка",
    "с",
    "дачи",
    "трек",
    "пришла",
    "мама",
    "заказ",
    "подарок",
    "для",
    "Пети",
    "из",
    "Китая",
    "ура",
    "вот",
    "и",
    "на",
    "ок",
    "my",
    "parcel",
    "from",
    "China",
    "to",
    "is",
    "here",
    "gift",
    "for",
    "Mom",
    "shoes",
    "at",
    "by",
    "the",
    "a",
    "tracking",
    "number",
]
NAMING = {"трек", "заказ", "tracking", "number"}  # dropped when they stand right before a code


def s10_reference(serial: str) -> int:
    """The UPU table as other implementations write it: by remainder, not by 11 - remainder."""
    remainder = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return {0: 5, 1: 0}.get(remainder, 11 - remainder)


def ru14_reference(first13: str) -> int:
    odd = sum(int(d) for d in first13[0::2])
    even = sum(int(d) for d in first13[1::2])
    return -(3 * odd + even) % 10


def other_digits(right: int) -> list[str]:
    return [d for d in string.digits if d != str(right)]


# (a) S10 -----------------------------------------------------------------------------------


@FAST
@given(st.text(string.digits, min_size=8, max_size=8), LETTERS2, LETTERS2)
def test_any_s10_with_the_computed_digit_is_accepted_and_any_other_refused(
    serial: str, prefix: str, country: str
) -> None:
    right = s10_check_digit(serial)
    assert right == s10_reference(serial)
    value = f"{prefix}{serial}{right}{country}"
    assert classify(value) == Code(value, CodeKind.S10)
    assert Code(value, CodeKind.S10).country == country
    for wrong in other_digits(right):
        typo = f"{prefix}{serial}{wrong}{country}"
        assert classify(typo) == BadCode(typo, CodeKind.S10, BadCodeReason.CHECK_DIGIT, str(right))


# (b) Russian Post --------------------------------------------------------------------------


@FAST
@given(st.text(string.digits, min_size=13, max_size=13))
def test_any_ru14_with_the_computed_digit_is_accepted_and_any_other_refused(first13: str) -> None:
    right = ru14_check_digit(first13)
    assert right == ru14_reference(first13)
    assert classify(f"{first13}{right}") == Code(f"{first13}{right}", CodeKind.RU_DOMESTIC)
    for wrong in other_digits(right):
        assert classify(first13 + wrong) == BadCode(
            first13 + wrong, CodeKind.RU_DOMESTIC, BadCodeReason.CHECK_DIGIT, str(right)
        )


# (c) normalise -----------------------------------------------------------------------------


@FAST
@given(st.text())
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise(raw)
    assert normalise(once) == once
    assert not any(c.isspace() or c == "-" for c in once)


# (d) codes anywhere in a message -----------------------------------------------------------


@st.composite
def split_digits(draw: st.DrawFn, digits: str, separators: list[str]) -> str:
    """The digits cut into random groups joined by one of `separators`."""
    out = digits[0]
    for d in digits[1:]:
        out += draw(st.sampled_from(["", "", *separators])) + d
    return out


@st.composite
def typed_s10(draw: st.DrawFn) -> tuple[str, str]:
    serial = draw(st.text(string.digits, min_size=8, max_size=8))
    value = draw(st.sampled_from("RLECUV")) + draw(LETTERS2)[1] + serial
    value += str(s10_check_digit(serial)) + draw(LETTERS2)
    digits = draw(split_digits(value[2:11], [" ", "-"]))
    before, after = draw(st.sampled_from(["", "-", " - "])), draw(st.sampled_from(["", "-"]))
    letters_case = draw(st.sampled_from([str.upper, str.lower, str.title]))
    if draw(st.booleans()):  # letters set apart by spaces are read only in upper case
        before, after, letters_case = " ", " ", str.upper
    typed = letters_case(value[:2]) + before + digits + after + letters_case(value[11:])
    return typed, value


@st.composite
def typed_ru14(draw: st.DrawFn) -> tuple[str, str]:
    first13 = draw(st.text(string.digits, min_size=13, max_size=13))
    value = first13 + str(ru14_check_digit(first13))
    typed = draw(split_digits(value, [" "]))
    groups = typed.split()
    assume(not (len(groups) >= 3 and len(groups[-1]) == len(groups[-2]) == 2))  # phone layout
    return typed, value


@st.composite
def typed_compact(draw: st.DrawFn) -> tuple[str, str]:
    value = draw(
        st.sampled_from(["1Z999AA10123456784", "1Z5R89390357567127", "YT2229521272164446"])
        | st.from_regex(r"LP[0-9]{14}", fullmatch=True)
    )
    return draw(st.sampled_from([str.upper, str.lower]))(value), value


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=8),
    st.one_of(typed_s10(), typed_ru14(), typed_compact()),
    st.data(),
)
def test_a_code_is_found_anywhere_in_a_message_and_leaves_the_label(
    words: list[str], code: tuple[str, str], data: st.DataObject
) -> None:
    typed, value = code
    at = data.draw(st.integers(0, len(words)))
    found = scan(" ".join([*words[:at], typed, *words[at:]]))
    assert [c.value for c in found.codes] == [value]
    assert found.bad == ()
    before = words[:at]
    while before and before[-1] in NAMING:
        before.pop()
    if before and before[-1] in {"моя", "my"} and len(before) < at:
        before.pop()  # "моя трек", "my tracking": the whole naming phrase goes
    assert found.rest == " ".join([*before, *words[at:]])
    assert value not in normalise(found.rest)


# (e) robustness ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.text() | st.text(CODE_LIKE, max_size=80),
    st.sampled_from([None, re.compile(r"\d{4,6}"), re.compile(r"#\w+")]),
)
def test_scan_never_raises_and_agrees_with_classify(
    text: str, order_pattern: re.Pattern[str] | None
) -> None:
    found = scan(text, order_pattern)
    assert "  " not in found.rest
    assert len(set(found.codes)) == len(found.codes)
    for code in found.codes:
        if code.kind is not CodeKind.ORDER:
            assert classify(code.value) == code
    for bad in found.bad:
        assert classify(bad.value) == bad


# (f) phones, prices and dates --------------------------------------------------------------


@st.composite
def phones(draw: st.DrawFn) -> str:
    mobile = draw(st.booleans())
    area = draw(st.from_regex(r"9[0-9]{2}" if mobile else r"[0-9]{3}", fullmatch=True))
    n = draw(st.text(string.digits, min_size=7, max_size=7))
    a, b, c = n[:3], n[3:5], n[5:]
    layouts = [
        f"+7 {area} {a}-{b}-{c}",
        f"+7 ({area}) {a}-{b}-{c}",
        f"8 ({area}) {a}-{b}-{c}",
        f"8 {area} {a} {b} {c}",
        f"8-{area}-{a}-{b}-{c}",
        f"+7{area}{n}",
        f"8{area}{n}",
        f"{area} {a} {b} {c}",
        f"{area}-{a}-{b}-{c}",
        f"({area}) {a}-{b}-{c}",
        f"+1 ({area}) {a}-{n[3:]}",
        f"+44 20 {n[:4]} {n[3:]}",
    ]
    if mobile:
        layouts.append(f"{area}{n}")  # ten digits starting with 9
    return draw(st.sampled_from(layouts))


@st.composite
def prices(draw: st.DrawFn) -> str:
    amount = draw(st.integers(0, 999_999_999))
    spaced = f"{amount:,}".replace(",", " ")
    layouts = [
        f"{amount} ₽",
        f"{spaced} руб.",
        f"{spaced},00 ₽",
        f"${amount:,}.99",
        f"€{amount}",
        f"{amount}р",
        f"{amount:,}.50 USD",
    ]
    return draw(st.sampled_from(layouts))


@st.composite
def dates(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(datetime(1990, 1, 1), datetime(2099, 12, 31)))
    layout = draw(
        st.sampled_from(
            [
                "%d.%m.%Y",
                "%d.%m.%y",
                "%Y-%m-%d",
                "%d/%m/%Y",
                "%Y%m%d",
                "%d.%m.%Y %H:%M",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S",
                "%d.%m.%Y, %H:%M",
                "%d %m %Y",
            ]
        )
    )
    return moment.strftime(layout)


@settings(max_examples=300, deadline=None)
@given(st.one_of(phones(), prices(), dates()), st.sampled_from(WORDS), st.sampled_from(WORDS))
def test_phones_prices_and_dates_are_never_codes(typed: str, before: str, after: str) -> None:
    assert classify(typed) is None
    found = scan(f"{before} {typed} {after}")
    assert (found.codes, found.bad) == ((), ())
