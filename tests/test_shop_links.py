"""Signed deep links: payloads the shop makes read back to the order, anything else does not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.shop_links import MAX_PAYLOAD, make_payload, read_payload

SECRET = "example-secret"
DOC = Path(__file__).resolve().parents[1] / "docs" / "shop-links.md"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

fitting_numbers = st.text(min_size=1, max_size=33).filter(lambda n: len(n.encode()) <= 33)
secrets = st.text(min_size=1, max_size=40)


def signed(number_bytes: bytes, secret: str = SECRET) -> str:
    """A payload built by hand, bypassing make_payload's checks."""
    digest = hmac.new(secret.encode(), number_bytes, hashlib.sha256).digest()
    sig = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()[:16]
    return f"o_{base64.urlsafe_b64encode(number_bytes).rstrip(b'=').decode()}_{sig}"


@given(number=fitting_numbers, secret=secrets)
def test_any_number_that_fits_reads_back_from_its_payload(number: str, secret: str) -> None:
    payload = make_payload(number, secret)

    assert read_payload(payload, secret) == number
    assert len(payload) <= MAX_PAYLOAD
    assert re.fullmatch(r"o_[A-Za-z0-9_-]+", payload)


@given(number=st.text(min_size=1, max_size=80))
def test_a_payload_is_made_exactly_when_telegram_can_carry_it(number: str) -> None:
    if len(number.encode()) <= 33:
        assert len(make_payload(number, SECRET)) <= MAX_PAYLOAD
    else:
        with pytest.raises(ValueError, match="too long"):
            make_payload(number, SECRET)


@given(
    number=fitting_numbers,
    position=st.integers(min_value=0),
    replacement=st.sampled_from(ALPHABET),
)
def test_changing_any_one_character_makes_the_payload_worthless(
    number: str, position: int, replacement: str
) -> None:
    payload = make_payload(number, SECRET)
    index = position % len(payload)
    if payload[index] == replacement:
        replacement = "A" if replacement != "A" else "B"
    tampered = payload[:index] + replacement + payload[index + 1 :]

    assert read_payload(tampered, SECRET) is None


@given(number=fitting_numbers, cut=st.integers(min_value=1, max_value=MAX_PAYLOAD))
def test_truncated_payloads_are_refused(number: str, cut: int) -> None:
    payload = make_payload(number, SECRET)

    assert read_payload(payload[: max(len(payload) - cut, 0)], SECRET) is None


@given(number=fitting_numbers, secret=secrets)
def test_a_payload_signed_with_another_secret_is_refused(number: str, secret: str) -> None:
    payload = make_payload(number, secret + "x")

    assert read_payload(payload, secret) is None


def test_the_signature_is_read_from_the_right_when_the_number_encodes_with_underscores() -> None:
    number = "ÿÿÿÿ?>"  # base64url: w7_Dv8O_w78_Pz4
    payload = make_payload(number, SECRET)

    assert payload.count("_") >= 4
    assert read_payload(payload, SECRET) == number


def test_payloads_match_the_table_shops_check_against() -> None:
    rows = re.findall(r"^\| `([^`]+)` +\| `(o_[^`]+)` +\|$", DOC.read_text(), re.MULTILINE)

    assert len(rows) == 3
    for number, payload in rows:
        assert make_payload(number, SECRET) == payload
        assert read_payload(payload, SECRET) == number


def test_the_python_snippet_for_shops_makes_the_same_payloads() -> None:
    snippet = re.search(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert snippet is not None
    namespace: dict[str, object] = {}
    exec(snippet.group(1), namespace)  # the documentation's own code, run as a shop would
    shop_payload = namespace["bot_start_payload"]
    assert callable(shop_payload)

    for number in ["4512", "#1001", "А-17/3", "ЗАКАЗ-2026-11-000123", "x" * 33]:
        assert shop_payload(number, "another secret") == make_payload(number, "another secret")


def test_a_number_over_the_limit_is_refused_even_when_signed_by_hand() -> None:
    payload = signed(b"7" * 34)

    assert len(payload) > MAX_PAYLOAD
    assert read_payload(payload, SECRET) is None
    assert read_payload(signed(b"7" * 33), SECRET) == "7" * 33


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "o_",
        "faq_statuses",
        "add_RA123456785CN",
        "x_NDUxMg_S8h5ReipcDGM6Q0L",  # another prefix
        "O_NDUxMg_S8h5ReipcDGM6Q0L",
        "o_NDUxMg-S8h5ReipcDGM6Q0L",  # no separator before the signature
        "o__S8h5ReipcDGM6Q0L",  # no number
        "o_NDUxMg_S8h5ReipcDGM6Q0",  # signature one short
        "o_NDUxMg=_S8h5ReipcDGM6Q0L",  # padding
        "o_NDUx+g_S8h5ReipcDGM6Q0L",  # standard base64, not base64url
        "o_NDUxM_S8h5ReipcDGM6Q0L",  # 5 characters cannot be base64
        "o_NDUxMh_S8h5ReipcDGM6Q0L",  # same bytes, non-canonical last character
        "o_NDUxMg_S8h5ReipcDGM6Q0Л",  # a Cyrillic letter in the signature
        signed(b"\xff\xfe"),  # correctly signed bytes that are not UTF-8
    ],
)
def test_foreign_or_malformed_payloads_are_refused(payload: str) -> None:
    assert read_payload(payload, SECRET) is None


def test_empty_number_or_secret_is_refused_at_creation() -> None:
    with pytest.raises(ValueError, match="number"):
        make_payload("", SECRET)
    with pytest.raises(ValueError, match="secret"):
        make_payload("4512", "")
    with pytest.raises(ValueError, match="secret"):
        read_payload("o_NDUxMg_S8h5ReipcDGM6Q0L", "")
