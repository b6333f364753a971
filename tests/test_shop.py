"""The shop source against a fake shop implementing docs/shop-api.yaml, and the document itself."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import openapi_schema_validator
import openapi_spec_validator
import pytest
import yaml

from providers.base import (
    AuthError,
    NumberRejected,
    Provider,
    SourceError,
    TemporarySourceError,
    TrackResult,
)
from providers.shop import CONTRACT_STATUSES, STATUS_MAP, ShopProvider, normalise_contact
from providers.statuses import Status
from tests.fakes.shop import FakeShop

TOKEN = "test-shop-token-5f1c2b"
NUMBER = "4512"
PHONE = "+79991234567"
EMAIL = "anna.petrova@example.ru"
SPEC_PATH = Path(__file__).resolve().parents[1] / "docs" / "shop-api.yaml"

MSK = timezone(timedelta(hours=3))
YEKT = timezone(timedelta(hours=5))

# What each contract status means to a shopper, written out here so a changed table is noticed.
EXPECTED = {
    "pending_payment": Status.AWAITING_PAYMENT,
    "processing": Status.PROCESSING,
    "shipped": Status.IN_TRANSIT,
    "in_transit": Status.IN_TRANSIT,
    "ready_for_pickup": Status.READY_FOR_PICKUP,
    "delivered": Status.DELIVERED,
    "cancelled": Status.CANCELLED,
    "returned": Status.RETURNED,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeShop]:
    async with FakeShop(TOKEN) as server:
        yield server


@pytest.fixture
async def client(fake: FakeShop) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.url, timeout=2.0) as http:
        yield http


@pytest.fixture
def provider(client: httpx.AsyncClient) -> ShopProvider:
    return ShopProvider(client, TOKEN, shop_name="Ромашка")


def tracked(result: object) -> TrackResult:
    assert isinstance(result, TrackResult), result
    return result


def order(**fields: Any) -> dict[str, Any]:
    """A contract answer for NUMBER, with `fields` replacing the defaults."""
    return {
        "number": NUMBER,
        "status": "processing",
        "status_text": "Собираем заказ",
        "updated_at": "2026-11-18T12:40:00+03:00",
        "track_code": None,
        "carrier": None,
        "history": [],
    } | fields


async def test_provider_satisfies_the_source_protocol(provider: ShopProvider) -> None:
    assert isinstance(provider, Provider)
    assert (provider.name, provider.max_batch, provider.rate_per_second) == ("shop", 1, 5.0)


# --- proving an order is the user's ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["+7 999 123-45-67", "8 (999) 123-45-67", "89991234567", "9991234567", "7 999 123 45 67"],
)
async def test_the_right_phone_in_any_spelling_proves_the_order(
    fake: FakeShop, provider: ShopProvider, typed: str
) -> None:
    fake.add_order(NUMBER, "8-999-123-45-67", "processing")

    result = await provider.verify(NUMBER, typed)

    assert result is not None and result.code == NUMBER
    assert result.status is Status.PROCESSING
    assert fake.requests[-1].query == {"contact": PHONE}


async def test_the_e_mail_in_another_case_proves_the_order(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(NUMBER, ("8 999 000 00 00", "Anna.Petrova@Example.RU"), "delivered")

    result = await provider.verify(NUMBER, "  ANNA.PETROVA@example.ru ")

    assert result is not None and result.status is Status.DELIVERED
    assert fake.requests[-1].query == {"contact": EMAIL}


async def test_a_wrong_contact_and_an_unknown_order_get_the_same_none(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(NUMBER, PHONE)

    assert await provider.verify(NUMBER, "+7 999 765-43-21") is None
    assert await provider.verify(NUMBER, "someone@example.ru") is None
    assert await provider.verify("4513", PHONE) is None
    assert [r.number for r in fake.requests] == [NUMBER, NUMBER, "4513"]


async def test_text_that_is_no_contact_is_refused_before_any_request(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(NUMBER, PHONE)

    with pytest.raises(ValueError, match="neither"):
        await provider.verify(NUMBER, "дача")
    assert fake.requests == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 (999) 123-45-67", PHONE),
        ("8 999 123 45 67", PHONE),
        ("9991234567", PHONE),
        ("79991234567", PHONE),
        ("\u00a0+7\u00a0999\u00a01234567 ", PHONE),
        ("8-800-555-35-35", "+78005553535"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+375 (29) 123.45.67", "+375291234567"),
        ("Anna.Petrova@Example.RU ", EMAIL),
        ("ИВАН@почта.рф", "иван@почта.рф"),
        ("4951234567", None),  # ten digits without a country code, not a mobile
        ("12345", None),
        ("+7 999 12", None),
        ("7 999 123 45 67 ext 2", None),
        ("8 999 123 45 67, 8 999 765 43 21", None),
        ("anna@localhost", None),
        ("a@b@c.ru", None),
        ("RA123456785CN", None),
        ("", None),
        ("+", None),
    ],
)
def test_contacts_are_normalised_as_the_contract_says(raw: str, expected: str | None) -> None:
    assert normalise_contact(raw) == expected


def test_normalising_twice_changes_nothing() -> None:
    for raw in ["8 (999) 123-45-67", "9991234567", " Anna@Example.RU", "+44 20 7946 0958"]:
        once = normalise_contact(raw)
        assert once is not None and normalise_contact(once) == once


# --- polling ---------------------------------------------------------------------------------


async def test_polling_sends_the_token_and_no_contact(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(NUMBER, PHONE, "shipped", track_code="80102367216110", carrier="Почта России")

    results = await provider.fetch([NUMBER])

    result = tracked(results[NUMBER])
    assert (result.status, result.carrier) == (Status.IN_TRANSIT, "Почта России")
    request = fake.requests[0]
    assert request.query == {}
    assert request.path == "/api/bot/orders/4512"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/json"


async def test_an_order_the_shop_no_longer_knows_is_rejected_as_not_found(
    fake: FakeShop, provider: ShopProvider
) -> None:
    results = await provider.fetch([NUMBER])

    assert results == {NUMBER: NumberRejected(code=NUMBER, reason="not found")}


async def test_more_than_one_number_per_call_is_refused_before_any_request(
    fake: FakeShop, provider: ShopProvider
) -> None:
    with pytest.raises(ValueError, match="at most 1"):
        await provider.fetch([NUMBER, "4513"])
    assert await provider.fetch([]) == {}
    assert fake.requests == []


async def test_an_empty_number_is_refused(fake: FakeShop, provider: ShopProvider) -> None:
    with pytest.raises(ValueError, match="empty"):
        await provider.fetch([""])
    assert fake.requests == []


async def test_stop_asks_the_shop_nothing(fake: FakeShop, provider: ShopProvider) -> None:
    await provider.stop([NUMBER])

    assert fake.requests == []


@pytest.mark.parametrize(
    ("number", "path"),
    [
        ("#1001", "/api/bot/orders/%231001"),
        ("А-17/3", "/api/bot/orders/%D0%90-17%2F3"),
        ("12 34?x=1", "/api/bot/orders/12%2034%3Fx%3D1"),
    ],
)
async def test_the_number_travels_as_one_percent_encoded_path_segment(
    fake: FakeShop, provider: ShopProvider, number: str, path: str
) -> None:
    fake.add_order(number, PHONE)

    result = await provider.verify(number, PHONE)

    assert result is not None and result.code == number
    assert fake.requests[0].path == path
    assert fake.requests[0].number == number
    assert fake.requests[0].query == {"contact": PHONE}


async def test_a_number_echoed_reformatted_is_the_same_order(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.reply_next(order(number="1001"))

    result = tracked((await provider.fetch(["#1001"]))["#1001"])

    assert result.code == "#1001"


async def test_an_answer_about_another_order_is_not_believed(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.reply_next(order(number="4513"))

    with pytest.raises(TemporarySourceError, match="another order"):
        await provider.verify(NUMBER, PHONE)


# --- reading an order ------------------------------------------------------------------------


async def test_history_becomes_events_oldest_first_with_texts_places_and_offsets(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(
        NUMBER,
        PHONE,
        "ready_for_pickup",
        status_text="Ждёт в пункте выдачи до 27 ноября",
        track_code="10012345678",
        carrier="СДЭК",
        history=[
            {"status": "shipped", "at": "2026-11-19T10:15:00+03:00", "place": "Подольск"},
            {"status": "pending_payment", "at": "2026-11-18T09:02:11+03:00"},
            {
                "status": "ready_for_pickup",
                "status_text": "Ждёт в пункте выдачи до 27 ноября",
                "at": "2026-11-21T09:30:00+05:00",
                "place": "Екатеринбург, ул. Ленина, 5",
            },
            {"status": "processing", "at": "2026-11-18T12:40:00+03:00", "place": None},
        ],
    )

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert result.status is Status.READY_FOR_PICKUP
    assert result.status_text == "Ждёт в пункте выдачи до 27 ноября"
    assert (result.carrier, result.linked_code) == ("СДЭК", "10012345678")
    assert [(e.occurred_at, e.status, e.description, e.location) for e in result.events] == [
        (
            datetime(2026, 11, 18, 9, 2, 11, tzinfo=MSK),
            Status.AWAITING_PAYMENT,
            "Ожидает оплаты",
            "",
        ),
        (datetime(2026, 11, 18, 12, 40, tzinfo=MSK), Status.PROCESSING, "Собираем заказ", ""),
        (
            datetime(2026, 11, 19, 10, 15, tzinfo=MSK),
            Status.IN_TRANSIT,
            "Передан в службу доставки",
            "Подольск",
        ),
        (
            datetime(2026, 11, 21, 9, 30, tzinfo=YEKT),
            Status.READY_FOR_PICKUP,
            "Ждёт в пункте выдачи до 27 ноября",
            "Екатеринбург, ул. Ленина, 5",
        ),
    ]
    assert result.events[-1].occurred_at.utcoffset() == timedelta(hours=5)


async def test_an_order_without_history_reads_as_its_status_at_updated_at(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.reply_next(order(status="pending_payment", status_text="Ждём оплату", history=None))

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert [(e.occurred_at, e.status, e.description) for e in result.events] == [
        (datetime(2026, 11, 18, 12, 40, tzinfo=MSK), Status.AWAITING_PAYMENT, "Ждём оплату")
    ]


async def test_an_order_moving_on_is_seen_on_the_next_poll(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.add_order(NUMBER, PHONE, "processing", updated_at="2026-11-18T12:40:00+03:00")
    first = tracked((await provider.fetch([NUMBER]))[NUMBER])

    fake.set_status(NUMBER, "shipped", track_code="rb 1234-5678-5gb", place="Подольск")
    second = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (first.status, first.linked_code, len(first.events)) == (Status.PROCESSING, None, 1)
    assert (second.status, second.linked_code, len(second.events)) == (
        Status.IN_TRANSIT,
        "RB123456785GB",
        2,
    )
    assert second.events[-1].occurred_at == datetime(2026, 11, 18, 13, 40, tzinfo=MSK)


@pytest.mark.parametrize(
    ("track_code", "linked"),
    [
        ("80102367216110", "80102367216110"),
        (" ra123456785ru ", "RA123456785RU"),
        ("LP-0012-3456-7890", "LP001234567890"),
        ("801 0236 7216 110", "80102367216110"),
        ("", None),
        ("  - ", None),
        (None, None),
    ],
)
async def test_the_track_code_becomes_the_linked_code_in_one_spelling(
    fake: FakeShop, provider: ShopProvider, track_code: str | None, linked: str | None
) -> None:
    fake.reply_next(order(status="shipped", track_code=track_code))

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert result.linked_code == linked


@pytest.mark.parametrize("status", CONTRACT_STATUSES)
async def test_every_contract_status_reads_as_what_shoppers_expect(
    fake: FakeShop, provider: ShopProvider, status: str
) -> None:
    fake.add_order(NUMBER, PHONE, status)

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert result.status is EXPECTED[status]
    assert [e.status for e in result.events] == [EXPECTED[status]]


def test_the_status_table_covers_exactly_the_contract_statuses() -> None:
    assert set(STATUS_MAP) == set(CONTRACT_STATUSES) == set(EXPECTED)


@pytest.mark.parametrize(
    ("track_code", "expected"), [(None, Status.PROCESSING), ("RA123456785RU", Status.IN_TRANSIT)]
)
async def test_a_status_outside_the_contract_keeps_the_shops_words_and_never_fails(
    fake: FakeShop,
    provider: ShopProvider,
    caplog: pytest.LogCaptureFixture,
    track_code: str | None,
    expected: Status,
) -> None:
    caplog.set_level(logging.WARNING, logger="providers.shop")
    history = [
        {
            "status": "pending_payment",
            "status_text": "Ждём оплату",
            "at": "2026-11-18T09:00+03:00",
        },
        {"status": "assembling", "status_text": "Комплектуем", "at": "2026-11-18T10:00+03:00"},
        {"status": "in_transit", "status_text": "В пути", "at": "2026-11-18T11:00+03:00"},
        {"status": "at_sorting", "status_text": "На сортировке", "at": "2026-11-18T12:00+03:00"},
    ]
    answer = order(status="on_hold", status_text="Ожидает звонка менеджера", history=history)
    fake.reply_next(answer | {"track_code": track_code})
    fake.reply_next(answer | {"track_code": track_code})

    first = tracked((await provider.fetch([NUMBER]))[NUMBER])
    await provider.fetch([NUMBER])

    assert (first.status, first.status_text) == (expected, "Ожидает звонка менеджера")
    assert [e.status for e in first.events] == [
        Status.AWAITING_PAYMENT,
        Status.AWAITING_PAYMENT,  # an unknown step keeps the stage before it
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
    ]
    assert first.events[1].description == "Комплектуем"
    warned = [r.getMessage() for r in caplog.records if r.name == "providers.shop"]
    assert sorted(warned) == [
        "shop order 4512: status 'assembling' is not in the contract",
        "shop order 4512: status 'at_sorting' is not in the contract",
        "shop order 4512: status 'on_hold' is not in the contract",
    ]


@pytest.mark.parametrize(
    ("shop_name", "carrier", "expected"),
    [("Ромашка", None, "Ромашка"), ("Ромашка", "СДЭК", "СДЭК"), ("", None, None)],
)
async def test_the_shop_stands_for_the_carrier_until_it_names_one(
    fake: FakeShop, client: httpx.AsyncClient, shop_name: str, carrier: str | None, expected: str
) -> None:
    fake.reply_next(order(carrier=carrier))

    result = tracked((await ShopProvider(client, TOKEN, shop_name).fetch([NUMBER]))[NUMBER])

    assert result.carrier == expected


# --- failures --------------------------------------------------------------------------------


async def test_a_wrong_token_raises_auth_error_for_checks_and_polls(
    fake: FakeShop, client: httpx.AsyncClient
) -> None:
    fake.add_order(NUMBER, PHONE)
    provider = ShopProvider(client, "not-the-token")

    with pytest.raises(AuthError, match="401"):
        await provider.verify(NUMBER, PHONE)
    with pytest.raises(AuthError, match="401"):
        await provider.fetch([NUMBER])


async def test_a_refused_token_raises_auth_error(fake: FakeShop, provider: ShopProvider) -> None:
    fake.fail_next(403)

    with pytest.raises(AuthError, match="403"):
        await provider.fetch([NUMBER])


@pytest.mark.parametrize(("header", "expected"), [(30, 30.0), (0.5, 0.5), (None, 1.0)])
async def test_rate_limit_answer_is_temporary_with_retry_after(
    fake: FakeShop, provider: ShopProvider, header: float | None, expected: float
) -> None:
    fake.fail_next(429, retry_after=header)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.verify(NUMBER, PHONE)
    assert caught.value.retry_after == expected


@pytest.mark.parametrize("status", [500, 502, 503, 400, 301])
async def test_other_http_answers_are_temporary(
    fake: FakeShop, provider: ShopProvider, status: int
) -> None:
    fake.fail_next(status)

    with pytest.raises(TemporarySourceError, match=str(status)) as caught:
        await provider.fetch([NUMBER])
    assert caught.value.retry_after is None


async def test_a_slow_shop_times_out_as_temporary(fake: FakeShop) -> None:
    fake.add_order(NUMBER, PHONE)
    fake.fail_next("timeout", delay=3.0)

    async with httpx.AsyncClient(base_url=fake.url, timeout=0.2) as http:
        with pytest.raises(TemporarySourceError, match="timed out"):
            await ShopProvider(http, TOKEN).verify(NUMBER, PHONE)


async def test_an_unreachable_shop_is_temporary() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=1.0) as http:
        with pytest.raises(TemporarySourceError, match="ConnectError"):
            await ShopProvider(http, TOKEN).fetch([NUMBER])


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
async def test_a_garbled_answer_is_temporary(
    fake: FakeShop, provider: ShopProvider, kind: str
) -> None:
    fake.fail_next(kind)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert type(caught.value) is TemporarySourceError


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"[]", "body"),
        (b"", "body"),
        (json.dumps({"number": NUMBER}).encode(), "status"),
        (json.dumps(order(updated_at="2026-11-18T12:40:00")).encode(), "updated_at"),
        (json.dumps(order(updated_at="вчера")).encode(), "updated_at"),
        (json.dumps(order(status_text={"ru": "В пути"})).encode(), "status_text"),
        (json.dumps(order(history="нет")).encode(), "history"),
        (json.dumps(order(history=[{"status": "processing"}])).encode(), "history.0.at"),
        (json.dumps(order(number=None)).encode(), "number"),
    ],
    ids=[
        "list",
        "empty",
        "fields-missing",
        "naive-time",
        "not-a-time",
        "text-object",
        "history-text",
        "entry-without-time",
        "number-null",
    ],
)
async def test_answers_outside_the_contract_are_temporary_and_name_the_field(
    fake: FakeShop, provider: ShopProvider, body: bytes, field: str
) -> None:
    fake.reply_next(body)

    with pytest.raises(TemporarySourceError, match="unexpected answer") as caught:
        await provider.fetch([NUMBER])
    assert field in str(caught.value)


async def test_nulls_and_extra_fields_are_tolerated(
    fake: FakeShop, provider: ShopProvider
) -> None:
    fake.reply_next(
        order(
            number=4512,
            status_text=None,
            history=[{"status": "processing", "status_text": None, "at": "2026-11-18T12:40Z"}],
            total="12 990 ₽",
        )
    )

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (result.status_text, result.events[0].description) == ("", "")


async def test_neither_token_nor_contact_reaches_logs_or_errors(
    fake: FakeShop, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="providers.shop")
    typed = "8 (999) 123-45-67"
    provider = ShopProvider(client, TOKEN)
    fake.add_order(NUMBER, typed, "on_hold")
    raised: list[SourceError] = []
    for failure in ("garbage", "truncated", 500, 429, 401):
        fake.fail_next(failure)
        try:
            await provider.verify(NUMBER, typed)
        except SourceError as exc:
            raised.append(exc)
    assert await provider.verify(NUMBER, typed) is not None
    assert await provider.verify(NUMBER, "other@example.ru") is None

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name == "providers.shop")
    assert NUMBER in ours
    assert len(raised) == 5
    texts = [ours] + [f"{exc!r} {exc.__cause__!s} {exc.__context__!s}" for exc in raised]
    for secret in (TOKEN, typed, PHONE, "79991234567", "other@example.ru"):
        assert all(secret not in text for text in texts), secret


# --- the contract document -------------------------------------------------------------------


def load_spec() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert isinstance(spec, dict)
    return spec


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = load_spec()

    openapi_spec_validator.validate(spec)
    assert spec["openapi"].startswith("3.1.")


def test_every_status_the_document_allows_has_a_mapping() -> None:
    statuses = load_spec()["components"]["schemas"]["OrderStatus"]["enum"]

    assert statuses == list(CONTRACT_STATUSES)
    assert all(status in STATUS_MAP for status in statuses)


def test_the_document_states_the_fixed_names_and_answers() -> None:
    spec = load_spec()
    operation = spec["paths"]["/orders/{number}"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}

    assert (parameters["number"]["in"], parameters["number"]["required"]) == ("path", True)
    assert (parameters["contact"]["in"], parameters["contact"]["required"]) == ("query", False)
    assert {"200", "401", "404", "429", "5XX"} <= set(operation["responses"])
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{"bearerAuth": []}]
    assert set(spec["components"]["schemas"]["Order"]["required"]) == {
        "number",
        "status",
        "status_text",
        "updated_at",
        "track_code",
        "carrier",
        "history",
    }


def order_validator() -> Any:
    spec = load_spec()
    schema = {"$ref": "#/components/schemas/Order", "components": spec["components"]}
    return openapi_schema_validator.OAS31Validator(
        schema, format_checker=openapi_schema_validator.OAS31Validator.FORMAT_CHECKER
    )


def documented_examples() -> list[tuple[str, dict[str, Any]]]:
    ok = load_spec()["paths"]["/orders/{number}"]["get"]["responses"]["200"]
    examples = ok["content"]["application/json"]["examples"]
    return [(name, example["value"]) for name, example in examples.items()]


def test_the_documented_examples_and_the_fakes_answers_follow_the_schema(
    fake: FakeShop,
) -> None:
    validator = order_validator()
    fake.add_order("#1001", PHONE, "processing")
    fake.set_status("#1001", "shipped", place="Подольск", track_code="RA123456785RU")

    answers = [value for _, value in documented_examples()] + [fake.order_json("#1001")]

    assert len(answers) == 4
    for answer in answers:
        validator.validate(answer)
    with pytest.raises(jsonschema.ValidationError, match="on_hold"):
        validator.validate(order(status="on_hold"))


async def test_the_documented_examples_read_as_they_say(
    fake: FakeShop, provider: ShopProvider
) -> None:
    expected = {
        "processing": (Status.PROCESSING, None, 2),
        "shipped": (Status.IN_TRANSIT, "80102367216110", 4),
        "ready_for_pickup": (Status.READY_FOR_PICKUP, "10012345678", 1),
    }
    examples = documented_examples()
    assert {name for name, _ in examples} == set(expected)

    for name, value in examples:
        fake.reply_next(value)
        result = tracked((await provider.fetch([value["number"]]))[value["number"]])
        assert (result.status, result.linked_code, len(result.events)) == expected[name]
        assert result.status_text == value["status_text"]
