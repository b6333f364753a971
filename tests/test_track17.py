"""The 17TRACK source against a fake 17TRACK speaking the real v2.2 wire format."""

from __future__ import annotations

import json
import logging
import math
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from providers.base import (
    AuthError,
    NumberRejected,
    Provider,
    QuotaError,
    SourceError,
    TemporarySourceError,
    TrackResult,
)
from providers.statuses import Status
from providers.track17 import CarrierChangeError, Quota, Track17Provider
from providers.track17_mapping import parse_track_info
from tests.fakes.track17 import Fake17Track, sign

KEY = "test-17token-key"
NUMBER = "RB123456785GB"
OTHER = "LP00123456789CN"
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "17track"

MSK = timezone(timedelta(hours=3))
CST = timezone(timedelta(hours=8))


@pytest.fixture
async def fake() -> AsyncIterator[Fake17Track]:
    async with Fake17Track(KEY) as server:
        yield server


@pytest.fixture
async def client(fake: Fake17Track) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.url, timeout=2.0) as http:
        yield http


@pytest.fixture
def provider(client: httpx.AsyncClient) -> Track17Provider:
    return Track17Provider(client, KEY)


def tracked(result: object) -> TrackResult:
    assert isinstance(result, TrackResult), result
    return result


async def test_provider_satisfies_the_source_protocol(provider: Track17Provider) -> None:
    assert isinstance(provider, Provider)
    assert (provider.name, provider.max_batch, provider.rate_per_second) == ("track17", 40, 3.0)


async def test_first_fetch_registers_the_number_and_reports_it_waiting(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.set_track(NUMBER, "InTransit", "InTransit_Other", [{"time": "2026-11-09T14:00:00+08:00"}])

    first = await provider.fetch([NUMBER])

    assert first == {NUMBER: TrackResult(code=NUMBER, status=Status.NOT_FOUND, status_text="")}
    assert fake.endpoints() == ["gettrackinfo", "register"]
    assert fake.requests[1].body == [{"number": NUMBER}]
    assert NUMBER in fake.registered
    second = await provider.fetch([NUMBER])
    assert tracked(second[NUMBER]).status is Status.IN_TRANSIT
    assert fake.endpoints() == ["gettrackinfo", "register", "gettrackinfo"]
    assert fake.quota_used == 1


async def test_requests_carry_the_token_header_and_a_json_body(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    await provider.fetch([NUMBER])

    for request in fake.requests:
        assert request.headers["17token"] == KEY
        assert request.headers["content-type"].startswith("application/json")
    assert fake.requests[0].body == [{"number": NUMBER}]


async def test_events_come_oldest_first_with_their_offsets_statuses_and_places(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.set_track(
        NUMBER,
        "InTransit",
        "InTransit_CustomsProcessing",
        [
            {
                "time": "2026-11-08T09:00:00+08:00",
                "description": "Electronic information received",
                "stage": "InfoReceived",
                "city": "SHENZHEN",
                "country": "CN",
            },
            {"time": "2026-11-09T14:00:00+08:00", "description": "Departed", "location": "SZX"},
            {
                "time": "2026-11-15T03:20:00+03:00",
                "description": "Arrived in Moscow",
                "location": "MOSCOW",
                "stage": "Arrival",
            },
            {"time": "2026-11-16T11:00:00+03:00", "description": "Customs", "location": "MOSCOW"},
        ],
    )
    await provider.register([NUMBER])

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert result.status is Status.CUSTOMS
    assert result.carrier == "China Post"
    assert result.status_text == "Customs"
    assert [e.occurred_at for e in result.events] == [
        datetime(2026, 11, 8, 9, tzinfo=CST),
        datetime(2026, 11, 9, 14, tzinfo=CST),
        datetime(2026, 11, 15, 3, 20, tzinfo=MSK),
        datetime(2026, 11, 16, 11, tzinfo=MSK),
    ]
    assert [e.occurred_at.utcoffset() for e in result.events] == [
        timedelta(hours=8),
        timedelta(hours=8),
        timedelta(hours=3),
        timedelta(hours=3),
    ]
    assert [e.status for e in result.events] == [
        Status.INFO_RECEIVED,
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
        Status.CUSTOMS,
    ]
    assert [e.location for e in result.events] == ["SHENZHEN, CN", "SZX", "MOSCOW", "MOSCOW"]
    assert result.events[0].description == "Electronic information received"


async def test_events_of_every_carrier_block_are_merged_by_instant(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.set_track(
        NUMBER,
        "AvailableForPickup",
        "AvailableForPickup_Other",
        [
            {"time": "2026-11-08T09:00:00+08:00", "description": "Accepted"},
            {"time": "2026-11-10T12:00:00+08:00", "description": "Handed to airline"},
        ],
        more_providers=[
            (
                "Russian Post",
                18031,
                [
                    {"time": "2026-11-10T10:00:00+03:00", "description": "Import"},
                    {"time": "2026-11-20T10:15:00+03:00", "description": "At the office"},
                ],
            )
        ],
    )
    await provider.register([NUMBER])

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert [e.description for e in result.events] == [
        "Accepted",
        "Handed to airline",  # 12:00 in China is 04:00 UTC: before 10:00 in Moscow
        "Import",
        "At the office",
    ]
    assert result.events[-1].status is Status.READY_FOR_PICKUP
    assert result.carrier == "China Post"


async def test_events_without_iso_times_are_timed_from_time_raw_or_their_neighbour(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    untimed = {"time_iso": None, "time_utc": None}
    fake.set_track(
        NUMBER,
        "Delivered",
        "Delivered_Other",
        [
            {"time": "2026-06-25T10:12:00-03:00", "description": "Posted"},
            {"description": "Sorting", **untimed},
            {"time": "2026-06-28T08:40:00-03:00", "description": "Out for delivery"},
            {
                "description": "Delivered",
                "stage": "Delivered",
                **untimed,
                "time_raw": {"date": "2026-06-30", "time": "14:23:00", "timezone": None},
            },
        ],
    )
    await provider.register([NUMBER])

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    brt = timezone(timedelta(hours=-3))
    assert [(e.description, e.occurred_at) for e in result.events] == [
        ("Posted", datetime(2026, 6, 25, 10, 12, tzinfo=brt)),
        ("Sorting", datetime(2026, 6, 25, 10, 12, tzinfo=brt)),
        ("Out for delivery", datetime(2026, 6, 28, 8, 40, tzinfo=brt)),
        ("Delivered", datetime(2026, 6, 30, 14, 23, tzinfo=brt)),
    ]
    assert result.status is Status.DELIVERED


async def test_registered_number_without_data_yet_reads_as_not_found(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    await provider.register([NUMBER])

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (result.status, result.events) == (Status.NOT_FOUND, ())


async def test_forty_numbers_go_in_one_call(fake: Fake17Track, provider: Track17Provider) -> None:
    numbers = [f"LP{index:011d}" for index in range(40)]

    results = await provider.fetch(numbers)

    assert set(results) == set(numbers)
    assert fake.endpoints() == ["gettrackinfo", "register"]
    assert len(fake.registered) == 40


async def test_forty_one_numbers_are_refused_before_any_request(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    with pytest.raises(ValueError, match="40"):
        await provider.fetch([f"LP{index:011d}" for index in range(41)])
    assert fake.requests == []


async def test_register_and_stop_send_long_lists_in_batches_of_forty(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    numbers = [f"LP{index:011d}" for index in range(41)]

    await provider.register(numbers)
    await provider.stop(numbers)

    assert [len(request.body) for request in fake.requests] == [40, 1, 40, 1]
    assert fake.stopped == set(numbers)


async def test_the_fake_refuses_more_than_forty_numbers_like_17track(
    fake: Fake17Track, client: httpx.AsyncClient
) -> None:
    items = [{"number": f"LP{index:011d}"} for index in range(41)]

    response = await client.post("/track/v2.2/register", json=items, headers={"17token": KEY})

    assert response.json()["data"]["errors"][0]["code"] == -18010014
    assert fake.registered == {}


async def test_registering_twice_costs_one_quota_and_is_no_error(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    assert await provider.register([NUMBER]) == {NUMBER: None}
    assert await provider.register([NUMBER]) == {NUMBER: None}

    assert fake.quota_used == 1
    assert fake.requests[1].body == [{"number": NUMBER}]


async def test_number_registered_meanwhile_is_waiting_not_rejected(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.register_rejections[NUMBER] = -18019901

    result = (await provider.fetch([NUMBER]))[NUMBER]

    assert result == TrackResult(code=NUMBER, status=Status.NOT_FOUND)


async def test_badly_formatted_number_is_rejected_and_the_rest_registered(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    results = await provider.fetch(["1234", NUMBER])

    assert results["1234"] == NumberRejected(code="1234", reason="invalid number format")
    assert tracked(results[NUMBER]).status is Status.NOT_FOUND
    assert fake.requests[1].body == [{"number": NUMBER}]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (-18019903, "carrier cannot be detected"),
        (-18019910, "carrier code refused"),
        (-18019911, "carrier not accepted for registration"),
    ],
)
async def test_number_17track_will_not_register_is_rejected_with_a_reason(
    fake: Fake17Track, provider: Track17Provider, code: int, reason: str
) -> None:
    fake.register_rejections[NUMBER] = code

    results = await provider.fetch([NUMBER, OTHER])

    assert results[NUMBER] == NumberRejected(
        code=NUMBER, reason=reason, needs_carrier=code == -18019903
    )
    assert tracked(results[OTHER]).status is Status.NOT_FOUND


@pytest.mark.parametrize("code", [-18010003, -18010011, -18010015, -18099999])
async def test_an_error_on_one_number_leaves_it_for_later_and_the_others_stand(
    fake: Fake17Track, provider: Track17Provider, code: int
) -> None:
    await provider.register([NUMBER, OTHER])
    fake.set_track(OTHER, "Delivered", "Delivered_Other")
    fake.info_rejections[NUMBER] = code
    fake.register_rejections["RA000012349CN"] = code

    results = await provider.fetch([NUMBER, OTHER, "RA000012349CN"])

    assert set(results) == {OTHER}  # the others are asked again at their next check
    assert tracked(results[OTHER]).status is Status.DELIVERED
    assert await provider.register(["RA000012349CN", "RA000056781RU"]) == {"RA000056781RU": None}


@pytest.mark.parametrize(("code", "error"), [(-18010002, AuthError), (-18019908, QuotaError)])
async def test_a_credential_or_quota_error_on_one_number_still_stops_the_call(
    fake: Fake17Track, provider: Track17Provider, code: int, error: type[Exception]
) -> None:
    await provider.register([NUMBER, OTHER])
    fake.info_rejections[NUMBER] = code

    with pytest.raises(error):
        await provider.fetch([NUMBER, OTHER])


async def test_a_chosen_carrier_registers_the_number_or_corrects_the_detected_one(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.register_rejections[NUMBER] = -18019903
    assert await provider.set_carrier(NUMBER, 190271) is None
    assert fake.registered[NUMBER] == 190271
    assert await provider.set_carrier(NUMBER, 3011) is None  # already registered: changecarrier
    assert fake.endpoints()[-2:] == ["register", "changecarrier"]


async def test_wrong_key_raises_auth_error(fake: Fake17Track, client: httpx.AsyncClient) -> None:
    provider = Track17Provider(client, "not-the-key")

    with pytest.raises(AuthError):
        await provider.fetch([NUMBER])
    assert fake.registered == {}


@pytest.mark.parametrize("code", [-18010001, -18010002, -18010004, -18010005])
async def test_request_level_credential_errors_raise_auth_error(
    fake: Fake17Track, provider: Track17Provider, code: int
) -> None:
    fake.fail_next("error", code=code)

    with pytest.raises(AuthError, match=str(code)):
        await provider.fetch([NUMBER])


async def test_internal_error_of_17track_is_temporary(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    fake.fail_next("error", code=-18010003)

    with pytest.raises(TemporarySourceError, match="-18010003"):
        await provider.fetch([NUMBER])


async def test_spent_quota_raises_quota_error_and_registers_nothing() -> None:
    async with (
        Fake17Track(KEY, quota_total=0) as fake,
        httpx.AsyncClient(base_url=fake.url) as http,
    ):
        with pytest.raises(QuotaError, match="quota"):
            await Track17Provider(http, KEY).fetch([NUMBER])
        assert fake.registered == {}


async def test_daily_limit_raises_quota_error() -> None:
    async with (
        Fake17Track(KEY, max_track_daily=0) as fake,
        httpx.AsyncClient(base_url=fake.url) as http,
    ):
        with pytest.raises(QuotaError, match="daily"):
            await Track17Provider(http, KEY).register([NUMBER])


async def test_already_tracked_numbers_are_read_while_quota_is_spent() -> None:
    async with (
        Fake17Track(KEY, quota_total=1) as fake,
        httpx.AsyncClient(base_url=fake.url) as http,
    ):
        provider = Track17Provider(http, KEY)
        await provider.register([NUMBER])
        fake.set_track(NUMBER, "Delivered", "Delivered_Other")

        result = await provider.fetch([NUMBER])

        assert tracked(result[NUMBER]).status is Status.DELIVERED


@pytest.mark.parametrize(
    ("header", "expected"),
    [(7, 7.0), (None, 1.0), (-3, 0.0), (1e9, 3600.0), (math.nan, 1.0), (math.inf, 1.0)],
)
async def test_rate_limit_answer_is_temporary_with_retry_after(
    fake: Fake17Track, provider: Track17Provider, header: float | None, expected: float
) -> None:
    fake.fail_next(429, retry_after=header)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert caught.value.retry_after == expected


async def test_requests_beyond_the_rate_limit_are_refused_for_a_second() -> None:
    async with (
        Fake17Track(KEY, rate_limit=2) as fake,
        httpx.AsyncClient(base_url=fake.url) as http,
    ):
        provider = Track17Provider(http, KEY)
        await provider.quota()
        await provider.quota()
        with pytest.raises(TemporarySourceError) as caught:
            await provider.quota()
        assert caught.value.retry_after == 1.0


@pytest.mark.parametrize("status", [500, 502, 503, 404])
async def test_http_errors_are_temporary(
    fake: Fake17Track, provider: Track17Provider, status: int
) -> None:
    fake.fail_next(status)

    with pytest.raises(TemporarySourceError, match=str(status)):
        await provider.fetch([NUMBER])


async def test_slow_answer_times_out_as_temporary(fake: Fake17Track) -> None:
    fake.fail_next("timeout", delay=3.0)

    async with httpx.AsyncClient(base_url=fake.url, timeout=0.2) as http:
        with pytest.raises(TemporarySourceError, match="timed out"):
            await Track17Provider(http, KEY).fetch([NUMBER])


async def test_unreachable_server_is_temporary() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=1.0) as http:
        with pytest.raises(TemporarySourceError):
            await Track17Provider(http, KEY).fetch([NUMBER])


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
async def test_garbled_answer_is_temporary(
    fake: Fake17Track, provider: Track17Provider, kind: str
) -> None:
    fake.fail_next(kind)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert type(caught.value) is TemporarySourceError


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"code": 0, "data": []}',
        b'{"code": 0, "data": {"accepted": "none"}}',
        b'{"code": 0, "data": {"accepted": [], "rejected": []}}',
        b'{"code": 0, "data": {"accepted": [{"number": "RB123456785GB",'
        b' "track_info": {"tracking": {"providers": "UPS"}}}]}}',
    ],
    ids=["list", "data-list", "accepted-text", "number-missing", "providers-text"],
)
async def test_unexpected_answer_shapes_are_temporary(
    fake: Fake17Track, provider: Track17Provider, body: bytes
) -> None:
    fake.reply_next(body)

    with pytest.raises(TemporarySourceError):
        await provider.fetch([NUMBER])


async def test_nulls_empty_strings_and_numeric_coordinates_are_read(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    item: dict[str, Any] = {
        "number": NUMBER.lower(),
        "carrier": "",
        "tag": None,
        "track_info": {
            "shipping_info": None,
            "latest_status": {"status": "InTransit", "sub_status": "", "sub_status_descr": None},
            "latest_event": None,
            "milestone": None,
            "tracking": {
                "providers": [
                    {
                        "provider": None,
                        "events": [
                            {
                                "time_iso": "",
                                "time_utc": "2026-11-20T07:15:00Z",
                                "time_raw": None,
                                "description": None,
                                "location": "",
                                "stage": "",
                                "address": {
                                    "city": "",
                                    "country": "RU",
                                    "coordinates": {"longitude": 37.6, "latitude": "55.7"},
                                },
                            }
                        ],
                    }
                ]
            },
        },
    }
    fake.reply_next(
        json.dumps({"code": 0, "data": {"accepted": [item], "rejected": None}}).encode()
    )

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert result.status is Status.IN_TRANSIT
    assert result.carrier is None
    assert len(result.events) == 1
    event = result.events[0]
    assert (event.occurred_at, event.location, event.description) == (
        datetime(2026, 11, 20, 7, 15, tzinfo=UTC),
        "RU",
        "",
    )


async def test_stop_stops_tracking_and_tolerates_unknown_or_stopped_numbers(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    await provider.register([NUMBER])

    await provider.stop([NUMBER, OTHER])
    await provider.stop([NUMBER])

    assert fake.stopped == {NUMBER}
    assert fake.endpoints() == ["register", "stoptrack", "stoptrack"]
    assert fake.requests[1].body == [{"number": NUMBER}, {"number": OTHER}]


async def test_quota_reports_what_17track_counts(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    await provider.register([NUMBER, OTHER])

    quota = await provider.quota()

    assert quota == Quota(total=100, used=2, remain=98, today_used=2, max_track_daily=10_000_000)


async def test_carrier_change_reaches_17track_and_refusal_is_an_error(
    fake: Fake17Track, provider: Track17Provider
) -> None:
    await provider.register([NUMBER])

    await provider.change_carrier(NUMBER, 18031)
    await provider.change_carrier(NUMBER, 18031)  # the same carrier again: nothing to do

    assert fake.registered[NUMBER] == 18031
    assert fake.requests[1].body == [{"number": NUMBER, "carrier_new": 18031}]
    with pytest.raises(CarrierChangeError) as caught:
        await provider.change_carrier(OTHER, 18031)
    assert (caught.value.code, caught.value.error) == (OTHER, -18019902)


async def test_the_api_key_never_reaches_logs_or_errors(
    fake: Fake17Track, provider: Track17Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raised: list[SourceError] = []
    for failure in ("garbage", 500, "error"):
        fake.fail_next(failure)
        try:
            await provider.fetch([NUMBER])
        except SourceError as exc:
            raised.append(exc)
    await provider.fetch([NUMBER])

    assert len(raised) == 3
    assert caplog.records
    assert KEY not in caplog.text
    assert all(KEY not in repr(exc) and KEY not in str(exc.__cause__) for exc in raised)


# --- the real samples -----------------------------------------------------------------------

# file -> (status, carrier name, number of events)
EXPECTED_FIXTURES = {
    "gettrackinfo_response_v24_modelled_delivered.json": (Status.DELIVERED, "Correios", 3),
    "gettrackinfo_response_v24_modelled_exception_returning.json": (
        Status.RETURNING,
        "Correios",
        1,
    ),
    "webhook_tracking_updated_capture_dhl_exception.json": (Status.EXCEPTION, "DHL Paket", 1),
    "webhook_tracking_updated_dashboard_test_v24.json": (Status.DELIVERED, "UPS", 5),
    "webhook_tracking_updated_v22_doc_as_transcribed.json": (Status.DELIVERED, "UPS", 5),
}


def fixture_files() -> list[Path]:
    if not FIXTURES.is_dir():
        pytest.fail(f"17TRACK samples missing: {FIXTURES} (../shared must sit beside the repo)")
    return sorted(path for path in FIXTURES.glob("*.json") if "track_info" in path.read_text())


def as_gettrackinfo_answer(path: Path) -> tuple[str, bytes]:
    raw = path.read_bytes()
    body = json.loads(raw)
    if "event" not in body:
        return body["data"]["accepted"][0]["number"], raw
    answer = {"code": 0, "data": {"accepted": [body["data"]], "rejected": []}}
    return body["data"]["number"], json.dumps(answer).encode()


def test_every_sample_with_track_info_has_an_expectation() -> None:
    assert {path.name for path in fixture_files()} == set(EXPECTED_FIXTURES)


@pytest.mark.parametrize("name", sorted(EXPECTED_FIXTURES))
async def test_real_sample_is_read_with_a_sensible_status(
    fake: Fake17Track, provider: Track17Provider, name: str
) -> None:
    number, body = as_gettrackinfo_answer(FIXTURES / name)
    fake.reply_next(body)

    result = tracked((await provider.fetch([number]))[number])

    status, carrier, count = EXPECTED_FIXTURES[name]
    assert (result.status, result.carrier, len(result.events)) == (status, carrier, count)
    moments = [event.occurred_at for event in result.events]
    assert moments == sorted(moments)
    assert all(moment.tzinfo is not None for moment in moments)
    assert all(event.description for event in result.events)
    assert result.status_text


def test_push_from_the_fake_is_signed_like_17track_and_reads_back(fake: Fake17Track) -> None:
    examples = json.loads((FIXTURES / "webhook_sign_examples.json").read_text())["examples"]
    doc = examples[0]
    assert sign(doc["body"].encode(), doc["key"]) == doc["sign"]
    fake.set_track(NUMBER, "Exception", "Exception_Returned", [{"time": "2026-11-20T10:15:00Z"}])

    push = json.loads(fake.push_body(NUMBER))

    assert push["event"] == "TRACKING_UPDATED"
    assert parse_track_info(NUMBER, push["data"]).status is Status.RETURNED


def test_the_fake_sends_the_nesting_of_the_real_push(fake: Fake17Track) -> None:
    real = json.loads((FIXTURES / "webhook_tracking_updated_dashboard_test_v24.json").read_text())
    fake.set_track(
        NUMBER,
        "Delivered",
        "Delivered_Other",
        [
            {"time": "2026-11-19T10:00:00+03:00", "description": "Out", "stage": "OutForDelivery"},
            {"time": "2026-11-20T10:00:00+03:00", "description": "Done", "stage": "Delivered"},
        ],
    )

    ours = json.loads(fake.push_body(NUMBER))

    mine, theirs = ours["data"]["track_info"], real["data"]["track_info"]
    assert set(mine) == set(theirs)
    assert [m["key_stage"] for m in mine["milestone"]] == [
        m["key_stage"] for m in theirs["milestone"]
    ]
    block, real_block = mine["tracking"]["providers"][0], theirs["tracking"]["providers"][0]
    assert set(block) == set(real_block)
    assert set(block["events"][0]) == set(real_block["events"][0])
    assert [e["description"] for e in block["events"]] == ["Done", "Out"]  # newest first
    assert mine["latest_event"]["description"] == "Done"
