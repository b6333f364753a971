"""Numbers read only when asked: digits only that no format claims (never a phone or a known
format), and S10 codes typed in lower case as two words around a number."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.callbacks import NumberCb
from providers.bare_numbers import (
    AskReason,
    asked_code,
    asked_numbers,
    bare_number,
    label_beside,
    scan_bare,
    scan_named,
)
from providers.code_scan import scan
from providers.codes import S10_SERVICE_LETTERS, Code, CodeKind, classify_digits, s10_check_digit

FAST = settings(max_examples=300, deadline=None)


def test_a_cdek_number_of_ten_to_twelve_digits_is_a_bare_number() -> None:
    for number in ("1029625013", "10296250133", "102962501334"):
        assert bare_number(number) == Code(number, CodeKind.GENERIC)


def test_phones_are_never_bare_numbers_however_they_are_written() -> None:
    for phone in ("9161234567", "89161234567", "79161234567", "8-916-123-45-67", "+79161234567"):
        assert bare_number(phone) is None, phone


def test_too_short_too_long_letters_or_non_ascii_digits_are_not_bare_numbers() -> None:
    for token in (
        "123456789",
        "12345678901234567",
        "4276123456789012",
        "10296250A3",
        "١٠٢٩٦٢٥٠١٣٣",
    ):
        assert bare_number(token) is None, token


def test_numbers_a_firmly_checked_format_reads_are_left_to_it() -> None:
    assert bare_number("14102192069353") is None  # Russian Post, check digit right
    assert bare_number("14102192069350") is None  # Russian Post with a typo: explained instead


def test_a_weak_check_digit_does_not_make_a_number_a_code_without_asking() -> None:
    # DHL's 10 digits pass one random number in seven, FedEx's 12 one in ten: a tax number
    # (ИНН 7707083893) or an order number reads as one as often. They are asked about.
    for number, kind in (("7707083893", CodeKind.DHL), ("123456789012", CodeKind.FEDEX)):
        assert classify_digits(number) == Code(number, kind)
        assert bare_number(number) == Code(number, CodeKind.GENERIC)
        assert scan(f"ИНН {number}").codes == ()
        assert scan_bare(f"ИНН {number}").codes == (Code(number, CodeKind.GENERIC),)


@FAST
@given(st.text("0123456789", min_size=1, max_size=20))
def test_a_digit_string_is_a_firm_format_a_bare_number_or_neither_never_both(digits: str) -> None:
    bare = bare_number(digits)
    if bare is not None:
        assert classify_digits(digits, weak=False) is None
        assert scan(digits).codes == ()  # a message holding it alone is asked about
        assert 10 <= len(digits) <= 13
        assert not (len(digits) == 10 and digits.startswith("9"))  # +7 left out
        assert not (len(digits) == 11 and digits.startswith(("79", "89")))


def test_scan_bare_keeps_the_other_words_as_the_label_and_drops_repeats() -> None:
    found = scan_bare("СДЭК 10296250133, куртка №10296250133 и (1029625014)")
    assert [c.value for c in found.codes] == ["10296250133", "1029625014"]
    assert found.rest == "СДЭК куртка и"
    assert found.bad == ()


def test_scan_bare_of_a_phone_and_a_price_finds_nothing_and_keeps_the_text() -> None:
    found = scan_bare("позвоните 89161234567, оплата 1500 руб")
    assert found.codes == ()
    assert found.rest == "позвоните 89161234567, оплата 1500 руб"


def test_the_label_beside_a_number_is_kept_only_when_it_was_the_messages_one_number() -> None:
    assert label_beside("«зимняя куртка» — 10296250133", "10296250133") == "«зимняя куртка»"
    assert label_beside("куртка 10296250133 и сапоги 1029625014", "10296250133") == ""
    assert label_beside("куртка 1029625014", "10296250133") == ""


# S10 codes whose lower-case letters stand apart from the digits: asked about, never taken.


def asked_codes(text: str) -> tuple[Code, ...]:
    """The codes a message would be asked about, without why."""
    return tuple(asked.code for asked in asked_numbers(text))


SPACED = "ra 123456785 cn"
RA = Code("RA123456785CN", CodeKind.S10)
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_SERVICE = "".join(sorted(S10_SERVICE_LETTERS)).lower()


@st.composite
def spaced_s10(draw: st.DrawFn, *, right: bool = True) -> tuple[str, str]:
    """An S10 code typed as two lower-case words around its digits, and its normalised value."""
    prefix = draw(st.sampled_from(_SERVICE)) + draw(st.sampled_from(_LOWER))
    suffix = draw(st.text(_LOWER, min_size=2, max_size=2))
    serial = draw(st.text("0123456789", min_size=8, max_size=8))
    check = s10_check_digit(serial)
    digit = check if right else draw(st.integers(0, 9).filter(lambda d: d != check))
    groups = draw(st.sampled_from([f"{serial}{digit}", f"{serial[:4]} {serial[4:]} {digit}"]))
    return f"{prefix} {groups} {suffix}", f"{prefix}{serial}{digit}{suffix}".upper()


def test_s10_letters_standing_apart_in_lower_case_are_asked_about_not_taken() -> None:
    for said in (SPACED, "мой трек ra 1234 5678 5 cn", "RA 123456785 cn", "(ra 12345678-5 cn)"):
        assert scan(said).codes == (), said
        assert asked_codes(said) == (RA,), said


def test_a_wrong_check_digit_or_no_service_letter_is_a_sentence_not_asked_about() -> None:
    assert asked_codes("at 123456785 by") == (Code("AT123456785BY", CodeKind.S10),)
    for said in (
        "at 123456780 by",
        "to 123456785 by",
        "xa 123456785 cn",
        "see x.com/ra 123456785 cn",
    ):
        assert scan(said).codes == () and asked_codes(said) == (), said


def test_a_shop_pattern_cannot_claim_the_digits_of_a_spaced_s10() -> None:
    """Its digits would be sent to the shop as an order, with the contact the user types."""
    nine_digits = re.compile(r"^\d{6,9}$")
    found = scan("кроссовки, мой трек ra 123456785 cn", nine_digits)
    assert found.codes == () and found.doubtful == (RA,) and found.rest == "кроссовки"
    beside = scan("заказ 4512345, ra 123456785 cn", nine_digits)
    assert beside.codes == (Code("4512345", CodeKind.ORDER),) and beside.doubtful == (RA,)


def test_a_spaced_s10_beside_a_code_is_set_aside_and_left_out_of_the_label() -> None:
    found = scan("RA000012349CN куртка, rr 123456785 ru сапоги")
    assert [code.value for code in found.codes] == ["RA000012349CN"]
    assert [code.value for code in found.doubtful] == ["RR123456785RU"]
    assert found.rest == "куртка, сапоги"


def test_punctuation_alone_is_no_label() -> None:
    assert scan("RA123456785CN.").rest == "" and scan("RA123456785CN!!").rest == ""
    assert label_beside("ra 123456785 cn!", RA.value) == ""
    assert label_beside("10296250133 ?", "10296250133") == ""
    assert scan("RA123456785CN 5 шт.").rest == "5 шт."


def test_codes_the_scanner_reads_are_not_asked_about() -> None:
    for said in ("ra 123456785cn", "RA 123456785 CN", "ra123456785cn"):
        assert scan(said).codes == (RA,), said
        assert asked_codes(said) == (), said


def test_digits_only_numbers_and_spaced_s10_codes_are_asked_about_together_in_order() -> None:
    said = f"{SPACED}, куртка 10296250133 и снова {SPACED}"
    assert [code.value for code in asked_codes(said)] == [RA.value, "10296250133"]
    assert [code.value for code in asked_codes(f"10296250133 и {SPACED}")] == [
        "10296250133",
        RA.value,
    ]


def test_the_label_beside_a_spaced_s10_is_the_one_it_would_get_typed_in_upper_case() -> None:
    assert label_beside(f"зимняя куртка {SPACED}", RA.value) == "зимняя куртка"
    assert label_beside("мой трек ra 1234 5678 5 cn", RA.value) == ""  # naming words dropped
    assert label_beside(f"куртка {SPACED} и 10296250133", RA.value) == ""  # not its only one
    assert label_beside(f"куртка {SPACED}", "RA123456780CN") == ""


def test_a_button_value_is_checked_again_as_when_it_was_asked_about() -> None:
    assert asked_code(RA.value) == RA
    assert asked_code("10296250133") == Code("10296250133", CodeKind.GENERIC)
    # A Russian Post number is asked about only from a link; its check digit still holds.
    assert asked_code("14102192069353") == Code("14102192069353", CodeKind.RU_DOMESTIC)
    for forged in (
        "RA123456780CN",  # wrong check digit
        "XA123456785CN",  # no service letter
        "ra123456785cn",
        "RA 123456785 CN",
        "RA123456785CNX",
        "89161234567",  # a phone
        "14102192069354",  # a Russian Post number with a wrong check digit
        "",
    ):
        assert asked_code(forged) is None, forged


def test_add_takes_a_spaced_s10_in_lower_case_and_explains_its_typo() -> None:
    found = scan_named(f"{SPACED} подарок маме")
    assert found.codes == (RA,) and found.rest == "подарок маме"
    typo = scan_named("ra 123456780 cn")
    assert typo.codes == () and [bad.value for bad in typo.bad] == ["RA123456780CN"]
    assert scan_named("xa 123456785 cn").codes == ()  # no service letter: not a code even here
    assert scan_named("10296250133").codes == (Code("10296250133", CodeKind.GENERIC),)


@FAST
@given(spaced_s10())
def test_any_spaced_lower_case_s10_is_asked_about_once_and_its_button_adds_it(
    typed: tuple[str, str],
) -> None:
    said, value = typed
    code = Code(value, CodeKind.S10)
    assert scan(said).codes == ()  # never added silently
    assert asked_codes(f"посылка {said}") == (code,)
    assert asked_code(value) == code
    packed = NumberCb(number=value).pack()
    assert len(packed.encode()) <= 64 and NumberCb.unpack(packed).number == value
    assert scan_named(said).codes == (code,)
    assert label_beside(f"посылка {said}", value) == "посылка"


@FAST
@given(spaced_s10(right=False))
def test_a_spaced_s10_with_a_wrong_check_digit_is_never_asked_about(
    typed: tuple[str, str],
) -> None:
    said, value = typed
    assert asked_codes(said) == () and asked_code(value) is None
    assert [bad.value for bad in scan_named(said).bad] == [value]  # `/add` explains the typo


_WORDS = st.one_of(
    st.sampled_from(["ra", "cn", "at", "by", "мой", "трек", "10296250133", "-", "RA", "(x)"]),
    st.text("0123456789", min_size=1, max_size=9),
    st.text("abcnrz", min_size=2, max_size=2),
)


@FAST
@given(st.lists(_WORDS, max_size=12).map(" ".join))
def test_every_number_asked_about_gets_a_button_its_tap_accepts(said: str) -> None:
    for code in asked_codes(said):
        assert asked_code(code.value) == code
        assert len(NumberCb(number=code.value).pack().encode()) <= 64


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("https://www.pochta.ru/tracking?barcode=RA123456785CN", "RA123456785CN"),
        ("отследить: https://www.pochta.ru/tracking#RA123456785CN", "RA123456785CN"),
        ("www.track24.ru/?code=80102367216110&lang=ru", "80102367216110"),
    ],
)
def test_a_sound_code_in_a_link_is_asked_about_never_read_as_a_code(said: str, value: str) -> None:
    assert scan(said).codes == ()
    [asked] = asked_numbers(said)
    assert asked.code.value == value and asked.reason is AskReason.LINK
    assert asked_code(value) == asked.code  # its button passes the check again


def test_links_without_a_sound_code_are_not_asked_about() -> None:
    for said in (
        "https://shop.ru/item/RA123456780CN",  # wrong check digit
        "https://shop.ru/p/XRA123456785CNZ",  # inside a longer run
        "https://shop.ru/order/1029625013",  # digits only with no firm check: someone's id
        "пишите на RA123456785CN@mail.ru",  # an e-mail address
    ):
        assert asked_numbers(said) == (), said


def test_the_words_beside_a_link_label_its_code() -> None:
    said = "кроссовки: https://www.pochta.ru/tracking#RA123456785CN"
    assert label_beside(said, "RA123456785CN") == "кроссовки"
    assert label_beside("https://www.pochta.ru/tracking#RA123456785CN", "RA123456785CN") == ""
