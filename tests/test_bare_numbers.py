"""Digits-only numbers no format claims: read only when asked, never a phone or a known format."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from providers.bare_numbers import bare_number, label_beside, scan_bare
from providers.code_scan import scan
from providers.codes import Code, CodeKind, classify_digits

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
