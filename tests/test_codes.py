"""Code recognition by example: real-looking numbers of every kind, their near misses, and the
things people type next to them that must never be taken for a code."""

from __future__ import annotations

import re
from itertools import cycle

import pytest

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


def fedex12(first11: str) -> str:
    """A FedEx Express number with its check digit, computed independently of the module."""
    total = sum(int(d) * w for d, w in zip(first11, cycle((3, 1, 7)), strict=False))
    return first11 + str(total % 11 % 10)


# S10 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["RP000017624RU", "DA128362458PT", "RH671580083PT", "DX134893849PT", "RB123456785GB"]
)
def test_real_s10_numbers_are_accepted_with_their_issuing_country(value: str) -> None:
    found = classify(value)
    assert found == Code(value, CodeKind.S10)
    assert found.country == value[-2:]


def test_s10_check_digit_follows_the_upu_worked_example() -> None:
    assert s10_check_digit("47312482") == 9


@pytest.mark.parametrize(("serial", "digit"), [("00000008", 0), ("00000000", 5)])
def test_s10_remainders_ten_and_eleven_map_to_zero_and_five(serial: str, digit: int) -> None:
    assert s10_check_digit(serial) == digit


@pytest.mark.parametrize("serial", ["1234567", "123456789", "1234567a", "١٢٣٤٥٦٧٨"])
def test_s10_check_digit_refuses_anything_but_eight_ascii_digits(serial: str) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        s10_check_digit(serial)


def test_wrong_s10_check_digit_is_refused_with_the_expected_digit() -> None:
    assert classify("RB123456786US") == BadCode(
        "RB123456786US", CodeKind.S10, BadCodeReason.CHECK_DIGIT, "5"
    )


@pytest.mark.parametrize("typed", ["RA12345678CN", "RA1234567851CN"])
def test_s10_with_a_digit_missing_or_extra_is_a_format_error(typed: str) -> None:
    assert classify(typed) == BadCode(typed, CodeKind.S10, BadCodeReason.FORMAT, None)


@pytest.mark.parametrize("typed", ["RA123456785C", "RA123456785", "ra 1234 5678 5 c"])
def test_an_s10_cut_short_of_its_country_letters_is_refused_not_tracked(typed: str) -> None:
    found = classify(typed)
    assert isinstance(found, BadCode) and found.reason is BadCodeReason.CUT_SHORT


@pytest.mark.parametrize("typed", ["RA123456780", "XA123456785", "GM1234567890"])
def test_other_shapes_of_two_letters_and_digits_are_still_followed(typed: str) -> None:
    """A wrong check digit or no service letter: some carrier's own number, for 17TRACK."""
    assert classify(typed) == Code(typed, CodeKind.GENERIC)


@pytest.mark.parametrize(
    "typed",
    [
        "ra123456785cn",
        " RA 123 456 785 CN ",
        "RA-123456785-CN",
        "rа123456785сn",
        "RA\u00a0123456785 CN",
    ],
)
def test_s10_is_read_whatever_the_case_spacing_or_cyrillic_look_alikes(typed: str) -> None:
    assert classify(typed) == Code("RA123456785CN", CodeKind.S10)


# Russian Post ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["80102367216110", "14102192069353", "14086953000628"])
def test_real_russian_post_numbers_are_domestic_russian_codes(value: str) -> None:
    found = classify(value)
    assert found == Code(value, CodeKind.RU_DOMESTIC)
    assert found.country == "RU"


@pytest.mark.parametrize(("value", "expected"), [("45008378901234", "6"), ("44334455667733", "5")])
def test_placeholder_barcodes_from_the_spec_fail_the_check(value: str, expected: str) -> None:
    assert classify(value) == BadCode(
        value, CodeKind.RU_DOMESTIC, BadCodeReason.CHECK_DIGIT, expected
    )


def test_ru14_check_digit_weighs_odd_positions_by_three() -> None:
    assert ru14_check_digit("8010236721611") == 0
    assert ru14_check_digit("1410219206935") == 3
    with pytest.raises(ValueError, match="13 digits"):
        ru14_check_digit("801023672161")


# Other carriers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1Z5R89390357567127",
        "1Z879E930346834440",
        "1Z410E7W0392751591",
        "1Z8V92A70367203024",
        "1Z2617V10397725789",
        "1Z999AA10123456784",
    ],
)
def test_real_ups_numbers_are_accepted(value: str) -> None:
    assert classify(value.lower()) == Code(value, CodeKind.UPS)
    assert Code(value, CodeKind.UPS).country is None


def test_ups_with_a_wrong_check_digit_is_refused_with_the_expected_digit() -> None:
    assert classify("1Z1111111111111111") == BadCode(
        "1Z1111111111111111", CodeKind.UPS, BadCodeReason.CHECK_DIGIT, "8"
    )


def test_ups_one_character_short_is_a_format_error() -> None:
    assert classify("1Z999AA1012345678") == BadCode(
        "1Z999AA1012345678", CodeKind.UPS, BadCodeReason.FORMAT, None
    )


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("986578788855", CodeKind.FEDEX),
        ("7905 3531 2317", CodeKind.FEDEX),
        ("0414 4176 0228 964", CodeKind.FEDEX),
        ("568283610012734", CodeKind.FEDEX),
        ("9611020987654312345672", CodeKind.FEDEX),
        ("0307 1790 0005 2348 3741", CodeKind.USPS),
        ("9400 1112 0108 0805 4830 16", CodeKind.USPS),
        ("9361 2898 7870 0317 6337 95", CodeKind.USPS),
        ("7196 9010 7560 0307 7385", CodeKind.USPS),
        ("92748931507708513018050063", CodeKind.USPS),
        ("420 22153 9101026837331000039521", CodeKind.USPS),
        ("420 10023 3424 9200190132607600833457", CodeKind.USPS),  # 420 + ZIP+4
        ("3318810025", CodeKind.DHL),
        ("8487135506", CodeKind.DHL),
        ("YT2229521272164446", CodeKind.YUNEXPRESS),
        ("lp00123456789012", CodeKind.CAINIAO),
    ],
)
def test_carrier_numbers_are_recognised_by_length_and_check(typed: str, kind: CodeKind) -> None:
    assert classify(typed) == Code(normalise(typed), kind)


@pytest.mark.parametrize(
    "typed",
    [
        "996578788855",  # FedEx Express, check off by one
        "568283610012732",  # FedEx Ground
        "03071790000523483742",  # USPS
        "9200000000000000000000",  # USPS application id with nothing behind it
        "3318810010",  # DHL Express, mod 7 fails
        "123456789012345678",  # no format has 18 digits
    ],
)
def test_digits_failing_their_check_are_not_codes(typed: str) -> None:
    assert classify(typed) is None


def test_ten_digits_starting_with_nine_are_a_phone_not_dhl() -> None:
    def with_mod7(serial: str) -> str:
        return serial + str(int(serial) % 7)

    assert classify(with_mod7("399123456")) == Code(with_mod7("399123456"), CodeKind.DHL)
    assert classify(with_mod7("999123456")) is None


def test_digits_in_a_phone_layout_are_not_a_code_even_when_the_check_passes() -> None:
    number = "3318810025"  # a real DHL Express number
    assert classify(f"{number[:3]} {number[3:6]} {number[6:8]} {number[8:]}") is None
    assert classify(f"{number[:3]}-{number[3:6]}-{number[6:8]}-{number[8:]}") is None


# Generic and not-a-code --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["AE012345678901CN", "CNRU1234567890", "GM2951173225174494", "SF1234567890123"]
)
def test_marketplace_codes_are_left_to_carrier_detection(typed: str) -> None:
    assert classify(typed) == Code(typed, CodeKind.GENERIC)


@pytest.mark.parametrize(
    "typed",
    [
        "посылка",
        "parcel",
        "iPhone15Pro",
        "Windows11",
        "abc12345",
        "тест123456",  # Cyrillic letters, even look-alike ones, never make a generic code
        "+7 999 123-45-67",
        "8 (999) 123-45-67",
        "12.03.2024",
        "2024-03-12",
        "1 500 ₽",
        "$1,299.99",
        "ra123456785cn@mail.ru",
        "https://track.example.com/RA123456785CN",
        "",
        "   ",
    ],
)
def test_words_phones_dates_prices_addresses_are_not_codes(typed: str) -> None:
    assert classify(typed) is None


# Orders ------------------------------------------------------------------------------------


def test_order_pattern_keeps_the_shop_format_as_typed() -> None:
    assert classify("  a-1042 ", re.compile(r"[A-Za-z]-\d+")) == Code("a-1042", CodeKind.ORDER)


def test_order_pattern_takes_precedence_over_parcel_formats() -> None:
    assert classify("80102367216110", re.compile(r"\d{14}")) == Code(
        "80102367216110", CodeKind.ORDER
    )
    assert classify("80102367216110", re.compile(r"\d{6}")) == Code(
        "80102367216110", CodeKind.RU_DOMESTIC
    )


# Free text ---------------------------------------------------------------------------------


def test_code_in_a_russian_sentence_is_found_and_removed_from_the_label() -> None:
    found = scan("моя посылка ra123456785cn с дачи")
    assert found.codes == (Code("RA123456785CN", CodeKind.S10),)
    assert found.bad == ()
    assert found.rest == "моя посылка с дачи"


@pytest.mark.parametrize(
    "typed",
    [
        "RA 123 456 785 CN",
        "RA-123456785-CN",
        "RA 123456785 CN",
        "ra-123-456-785-cn",
        "ra 1234 5678 5cn",
        "ra 123456785cn",
        "ra123456785 cn",
        "RA - 123456785 - CN",
        "RA123456785CN",
        "rа123456785сn",
        "#RA123456785CN",
        "(RA123456785CN)",
    ],
)
def test_s10_typed_in_groups_is_found_inside_text(typed: str) -> None:
    found = scan(f"подарок {typed} для мамы")
    assert found.codes == (Code("RA123456785CN", CodeKind.S10),)
    assert found.rest == "подарок для мамы"


def test_every_kind_is_found_in_message_order_without_duplicates() -> None:
    text = (
        "1) 80102367216110, 2) RA123456785CN; 3) 1Z 999 AA1 01 2345 678 4 "
        "и снова ra-123456785-cn, YT2229521272164446 и 8010 2367 2161 10"
    )
    found = scan(text)
    assert [c.value for c in found.codes] == [
        "80102367216110",
        "RA123456785CN",
        "1Z999AA10123456784",
        "YT2229521272164446",
    ]
    assert found.rest == "1), 2); 3) и снова, и"


def test_bad_codes_are_reported_apart_and_removed_from_the_label() -> None:
    found = scan("дача RA123456786CN и 80102367216111, ок")
    assert found.codes == ()
    assert found.bad == (
        BadCode("RA123456786CN", CodeKind.S10, BadCodeReason.CHECK_DIGIT, "5"),
        BadCode("80102367216111", CodeKind.RU_DOMESTIC, BadCodeReason.CHECK_DIGIT, "0"),
    )
    assert found.rest == "дача и, ок"


def test_numbers_listed_with_spaces_are_read_one_by_one() -> None:
    found = scan("80102367216110 14102192069353")
    assert [c.value for c in found.codes] == ["80102367216110", "14102192069353"]
    assert found.rest == ""


def test_a_small_number_before_a_code_does_not_spoil_it() -> None:
    found = scan("купил 2 80102367216110")
    assert found.codes == (Code("80102367216110", CodeKind.RU_DOMESTIC),)
    assert found.rest == "купил 2"


def test_lower_case_words_around_a_number_are_not_glued_into_an_s10() -> None:
    assert s10_check_digit("12345678") == 5
    assert scan("at 123456785 by").codes == ()
    assert scan("ok 123456786 me").bad == ()
    assert scan("AT 123456785 BY").codes == (Code("AT123456785BY", CodeKind.S10),)


def test_codes_inside_urls_and_addresses_are_not_taken() -> None:
    text = "см. https://track.example.com/RA123456785CN?n=80102367216110 или ra123456785cn@mail.ru"
    found = scan(text)
    assert found.codes == ()
    assert found.bad == ()
    assert found.rest == text


def test_phones_prices_and_dates_in_a_message_are_not_codes() -> None:
    text = (
        "звони +7 999 123-45-67 или 8 (495) 123-45-67, 495 123 45 67, оплатил 1 500 ₽ "
        "12.03.2024 в 14:30, доставка 2024-03-15, сумма 12 345 678,90 руб."
    )
    found = scan(text)
    assert (found.codes, found.bad) == ((), ())


def test_digits_joined_by_dashes_are_a_shop_number_not_a_parcel() -> None:
    number = fedex12("12345678012")
    assert classify(number) == Code(number, CodeKind.FEDEX)
    assert scan(f"заказ {number[:8]}-{number[8:]} оплачен").codes == ()


def test_an_order_pattern_does_not_split_a_lower_case_spaced_code_into_orders() -> None:
    found = scan("ra 2222 5678 5cn", re.compile(r"^#?\d{4,10}$"))
    assert found.codes == (Code("RA222256785CN", CodeKind.S10),)


def test_order_pattern_claims_its_tokens_but_not_groups_of_a_spaced_code() -> None:
    found = scan("заказ №4512: трек 8010 2367 2161 10", re.compile(r"№?\d{4}"))
    assert found.codes == (
        Code("№4512", CodeKind.ORDER),
        Code("80102367216110", CodeKind.RU_DOMESTIC),
    )
    assert found.rest == ""  # naming words only: no label


@pytest.mark.parametrize(
    ("text", "orders"),
    [
        ("заплатил 1299 руб", []),
        ("заказывал в 2024 году", []),
        ("RA000012349CN 2 шт по 1500", []),
        ("paid 2500 $, price 3100", []),
        ("заказ 4512 за 1500 р.", ["4512"]),
        ("№4512 руб", ["4512"]),  # marked as a number: the word after it does not matter
        ("4512", ["4512"]),
        ("#1001 подарок", ["#1001"]),
    ],
)
def test_an_order_pattern_of_digits_does_not_take_prices_counts_or_years(
    text: str, orders: list[str]
) -> None:
    found = scan(text, re.compile(r"^#?\d{4,10}$"))
    assert [c.value for c in found.codes if c.kind is CodeKind.ORDER] == orders


def test_order_pattern_wins_over_a_parcel_format_for_the_same_token() -> None:
    found = scan("заказ 80102367216110", re.compile(r"\d{14}"))
    assert found.codes == (Code("80102367216110", CodeKind.ORDER),)


def test_generic_codes_are_found_but_product_names_are_not() -> None:
    found = scan("iPhone15Pro едет: CNRU1234567890 и AE012345678901CN")
    assert [c.kind for c in found.codes] == [CodeKind.GENERIC, CodeKind.GENERIC]
    assert found.rest == "iPhone15Pro едет: и"


def test_empty_message_has_no_codes() -> None:
    assert scan("") == scan("   \n ") == scan("", re.compile(r"\d+"))
    assert scan("").rest == ""


@pytest.mark.parametrize(
    "typed",
    ["трек-RA123456785CN", "трек:RA123456785CN", "ID-RA123456785CN", "посылка.RA123456785CN"],
)
def test_a_code_glued_to_a_word_by_punctuation_is_still_found(typed: str) -> None:
    assert scan(typed).codes == (Code("RA123456785CN", CodeKind.S10),)


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/track-RA123456785CN",
        "ozon.ru/t/80102367216110",
        "www.example.com?RA123456785CN",
        "RA123456785CN.example.com",
        "1.80102367216110",
        "80102367216110,5",
        "12345678-80102367216110",
    ],
)
def test_a_code_inside_a_link_or_a_longer_number_is_not_taken(text: str) -> None:
    assert (scan(text).codes, scan(text).bad) == ((), ())


def test_scattered_small_numbers_are_not_reported_as_a_mistyped_code() -> None:
    marks = "5 4 3 5 4 5 5 4 3 5 5 4 4 3"
    assert isinstance(classify(marks.replace(" ", "")), BadCode)
    assert scan(f"оценки: {marks}").bad == ()
    assert scan("трек 545 354 554 355 44").bad != ()


def test_a_decimal_next_to_a_code_is_left_alone() -> None:
    found = scan("трек 80102367216110 2.5 кг")
    assert found.codes == (Code("80102367216110", CodeKind.RU_DOMESTIC),)
    assert found.rest == "2.5 кг"


def test_groups_after_a_country_prefix_are_a_phone_even_when_they_pass_a_check() -> None:
    local = "207946095"
    local += str(int(local) % 7)
    assert classify(local) == Code(local, CodeKind.DHL)
    assert scan(f"звоните +44 {local[:2]} {local[2:6]} {local[6:]}").codes == ()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Трек-номер: RA123456785CN наушники", "наушники"),
        ("мой трек RA123456785CN", ""),
        ("кроссовки, трек RA123456785CN", "кроссовки"),
        ("Номер заказа #RA123456785CN куртка", "куртка"),
        ("tracking number: RA123456785CN shoes", "shoes"),
        ("посылка от мамы RA123456785CN", "посылка от мамы"),  # words of the label itself
        ("кодовый замок RA123456785CN", "кодовый замок"),
    ],
)
def test_words_that_only_name_the_number_are_not_part_of_its_label(text: str, label: str) -> None:
    assert scan(text).rest == label


def test_label_keeps_its_punctuation_tidy_after_the_code_is_cut_out() -> None:
    assert scan("посылка: RA-123456785-CN, мама").rest == "посылка: мама"
    assert scan("RA123456785CN — подарок (синий)").rest == "подарок (синий)"
