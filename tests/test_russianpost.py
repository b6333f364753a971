"""The Russian Post source against a fake rtm34 service speaking the real SOAP 1.2 wire."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.etree import ElementTree

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
from providers.clock import ManualClock
from providers.russianpost import RussianPostProvider
from providers.russianpost_wire import build_request
from providers.statuses import Status
from tests.fakes.russianpost import FakeRussianPost, Operation, fault_body

LOGIN = "test-login"
PASSWORD = "s3cret-Pa55word"
NUMBER = "80102367216110"
FOREIGN = "RA644000001RU"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "russianpost"
MSK = timezone(timedelta(hours=3))
# 21:00 Moscow time: three hours before the Moscow day ends (it is still the 20th there).
EVENING = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeRussianPost]:
    async with FakeRussianPost(LOGIN, PASSWORD) as server:
        yield server


@pytest.fixture
async def client(fake: FakeRussianPost) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.url, timeout=2.0) as http:
        yield http


@pytest.fixture
def provider(client: httpx.AsyncClient) -> RussianPostProvider:
    return RussianPostProvider(client, LOGIN, PASSWORD)


def tracked(result: object) -> TrackResult:
    assert isinstance(result, TrackResult), result
    return result


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.fail(f"Russian Post samples missing: {path} (../shared must sit beside the repo)")
    return path.read_bytes()


async def test_provider_satisfies_the_source_protocol(provider: RussianPostProvider) -> None:
    assert isinstance(provider, Provider)
    assert (provider.name, provider.max_batch, provider.rate_per_second) == ("russianpost", 1, 1.0)


async def test_request_is_a_soap_12_call_with_the_credentials_in_the_body(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    await provider.fetch([NUMBER])

    (request,) = fake.requests
    assert request.headers["content-type"] == 'application/soap+xml; charset=utf-8; action=""'
    assert request.body == build_request(NUMBER, LOGIN, PASSWORD)
    assert (request.barcode, request.message_type, request.language) == (NUMBER, "0", "RUS")
    assert (request.login, request.password) == (LOGIN, PASSWORD)
    header = ElementTree.fromstring(request.body).find(
        ".//{http://russianpost.org/operationhistory/data}AuthorizationHeader"
    )
    assert header is not None
    assert header.get("{http://schemas.xmlsoap.org/soap/envelope/}mustUnderstand") == "1"


async def test_delivered_journey_reads_oldest_first_with_places_and_carrier(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.set_history(
        NUMBER,
        [
            Operation(1, 1, "2026-11-10T12:30:00+04:00", "443063", "Самара 63"),
            Operation(8, 3, "2026-11-11T20:31:27.001+04:00", "443960", "Самара МСЦ"),
            Operation(8, 2, "2026-11-14T12:39:00+03:00", "170100", "Тверь 100"),
            Operation(2, 1, "2026-11-15T12:49:00+03:00", "170100", "Тверь 100"),
        ],
    )

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (result.status, result.carrier, result.status_text) == (
        Status.DELIVERED,
        "Почта России",
        "Вручение адресату",
    )
    assert [(e.status, e.location) for e in result.events] == [
        (Status.IN_TRANSIT, "443063, Самара 63"),
        (Status.IN_TRANSIT, "443960, Самара МСЦ"),
        (Status.READY_FOR_PICKUP, "170100, Тверь 100"),
        (Status.DELIVERED, "170100, Тверь 100"),
    ]
    assert result.events[1].occurred_at == datetime(
        2026, 11, 11, 20, 31, 27, 1000, tzinfo=timezone(timedelta(hours=4))
    )


async def test_parcel_from_abroad_held_by_customs_reads_customs(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.set_history(
        FOREIGN,
        [
            Operation(1, 1, "2026-11-01T09:00:00+08:00", "", "Шанхай EMS", "CN"),
            Operation(10, 0, "2026-11-03T18:00:00+08:00", "", "", "CN"),
            Operation(9, 0, "2026-11-10T07:00:00+03:00", "102102", "Москва ММПО"),
            Operation(14, 7, "2026-11-10T11:00:00+03:00", "102102", "Москва ММПО"),
        ],
    )

    result = tracked((await provider.fetch([FOREIGN]))[FOREIGN])

    assert result.status is Status.CUSTOMS
    assert result.status_text == "Таможенное оформление: Требуется досмотр"
    assert [e.location for e in result.events][:2] == ["Шанхай EMS, Китай", "Китай"]


async def test_parcel_at_the_office_reads_ready_for_pickup(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.set_history(
        NUMBER,
        [
            Operation(1, 1, "2026-11-10T12:30:00+03:00", "101000", "Москва 101000"),
            Operation(8, 2, "2026-11-12T08:00:00+03:00", "190000", "Санкт-Петербург 190000"),
        ],
    )

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (result.status, result.status_text) == (
        Status.READY_FOR_PICKUP,
        "Прибыло в место вручения",
    )
    assert result.events[-1].location == "Санкт-Петербург 190000"


async def test_parcel_sent_back_reads_returning_then_returned(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    journey = [
        Operation(1, 1, "2026-10-01T10:00:00+03:00", "101000", "Москва 101000"),
        Operation(8, 2, "2026-10-03T10:00:00+03:00", "190000", "Санкт-Петербург 190000"),
        Operation(3, 1, "2026-11-03T10:00:00+03:00", "190000", "Санкт-Петербург 190000"),
        Operation(8, 4, "2026-11-04T10:00:00+03:00", "200961", "Санкт-Петербург МСЦ"),
    ]
    fake.set_history(NUMBER, journey)

    going = tracked((await provider.fetch([NUMBER]))[NUMBER])
    fake.set_history(
        NUMBER,
        [*journey, Operation(2, 2, "2026-11-08T10:00:00+03:00", "101000", "Москва 101000")],
    )
    back = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert going.status is Status.RETURNING
    assert [e.status for e in going.events][2:] == [Status.RETURNING, Status.RETURNING]
    assert going.events[2].description == "Возврат: Истек срок хранения"
    assert (back.status, back.status_text) == (Status.RETURNED, "Вручение отправителю")


async def test_number_the_service_does_not_know_is_not_found(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    result = await provider.fetch([NUMBER])

    assert result == {NUMBER: TrackResult(code=NUMBER, status=Status.NOT_FOUND)}
    assert len(fake.requests) == 1


async def test_the_captured_answer_reads_delivered(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.reply_next(sample("getOperationHistory_response_real_delivered.xml"))

    result = tracked((await provider.fetch([NUMBER]))[NUMBER])

    assert (result.status, len(result.events), result.status_text) == (
        Status.DELIVERED,
        8,
        "Вручение адресату",
    )


async def test_wrong_credentials_raise_auth_error(
    fake: FakeRussianPost, client: httpx.AsyncClient
) -> None:
    provider = RussianPostProvider(client, LOGIN, "not-the-password")

    with pytest.raises(AuthError, match="login or password"):
        await provider.fetch([NUMBER])
    assert fake.answered == 0


async def test_number_of_the_wrong_shape_is_rejected_without_spending_a_call(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    result = await provider.fetch(["8010236721611"])

    assert result == {"8010236721611": NumberRejected("8010236721611", "неверный формат номера")}
    assert fake.requests == []
    assert await provider.calls_today() == 0


async def test_the_fake_refuses_a_barcode_of_the_wrong_shape_like_the_service(
    fake: FakeRussianPost, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/rtm34",
        content=build_request("RA64400001RU", LOGIN, PASSWORD),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )

    assert response.status_code == 500
    assert response.content == sample("reconstructed_fault_barcode_format.xml").strip()


def tag_paths(element: ElementTree.Element) -> list[str]:
    return [node.tag for node in element.iter()]


async def test_the_fake_frames_a_history_like_the_captured_answer(
    fake: FakeRussianPost, client: httpx.AsyncClient
) -> None:
    real = sample("getOperationHistory_response_real_delivered.xml")
    fake.set_history(
        NUMBER,
        [
            Operation(1, 1, "2026-11-10T12:30:00+04:00", "443063", "Самара 63"),
            Operation(8, 3, "2026-11-11T20:31:27.001+04:00", "443960", "Самара МСЦ"),
        ],
    )

    response = await client.post(
        "/rtm34",
        content=build_request(NUMBER, LOGIN, PASSWORD),
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
    )

    ours = response.content
    assert ours.startswith(b"<?xml version='1.0' encoding='UTF-8'?><S:Envelope")
    assert b">\n" not in ours and b">\t" not in ours
    opening = b"<ns7:getOperationHistoryResponse "
    assert ours.split(opening)[1].split(b">")[0] == b" ".join(
        real.split(opening)[1].split(b">")[0].split()
    )
    namespace = "{http://russianpost.org/operationhistory/data}"
    mine = ElementTree.fromstring(ours).findall(f".//{namespace}historyRecord")
    theirs = ElementTree.fromstring(real).findall(f".//{namespace}historyRecord")
    assert tag_paths(mine[1]) == tag_paths(theirs[1])  # a trimmed later record
    assert b"<ns3:OperDate>2026-11-11T20:31:27.001+04:00</ns3:OperDate>" in ours


async def test_barcode_format_fault_rejects_the_number(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.reply_next(sample("reconstructed_fault_barcode_format.xml"), status=500)

    result = await provider.fetch([NUMBER])

    assert result == {NUMBER: NumberRejected(NUMBER, "неверный формат номера")}


async def test_other_history_fault_rejects_the_number_with_the_service_words(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.reply_next(fault_body("S:Receiver", "Не удалось получить информацию"), status=500)

    result = await provider.fetch([NUMBER])

    assert result == {NUMBER: NumberRejected(NUMBER, "Не удалось получить информацию")}


@pytest.mark.parametrize("detail", ["language", "none"])
async def test_fault_of_an_unknown_kind_is_temporary(
    fake: FakeRussianPost, provider: RussianPostProvider, detail: str
) -> None:
    body = (
        sample("reconstructed_fault_language.xml")
        if detail == "language"
        else fault_body("S:Sender", "Couldn't create SOAP message", "")
    )
    fake.reply_next(body, status=500)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert type(caught.value) is TemporarySourceError


async def test_daily_limit_is_kept_locally_until_moscow_midnight(fake: FakeRussianPost) -> None:
    clock = ManualClock(EVENING)
    async with httpx.AsyncClient(base_url=fake.url, timeout=2.0) as http:
        provider = RussianPostProvider(http, LOGIN, PASSWORD, daily_limit=2, clock=clock)
        await provider.fetch([NUMBER])
        await provider.fetch([FOREIGN])

        with pytest.raises(QuotaError) as caught:
            await provider.fetch([NUMBER])
        assert caught.value.retry_after == timedelta(hours=3).total_seconds()
        assert (len(fake.requests), await provider.calls_today()) == (2, 2)

        clock.advance(hours=2, minutes=59)
        with pytest.raises(QuotaError):
            await provider.fetch([NUMBER])
        clock.advance(minutes=1)  # 00:00 in Moscow, still the 20th in UTC
        assert await provider.calls_today() == 0
        await provider.fetch([NUMBER])
        assert (len(fake.requests), await provider.calls_today()) == (3, 1)


async def test_daily_limit_answer_of_the_service_raises_quota_error_and_stops_calls() -> None:
    clock = ManualClock(EVENING)
    async with (
        FakeRussianPost(LOGIN, PASSWORD, daily_limit=1) as fake,
        httpx.AsyncClient(base_url=fake.url, timeout=2.0) as http,
    ):
        provider = RussianPostProvider(http, LOGIN, PASSWORD, clock=clock)
        await provider.fetch([NUMBER])

        with pytest.raises(QuotaError, match="daily limit") as caught:
            await provider.fetch([NUMBER])
        assert caught.value.retry_after == timedelta(hours=3).total_seconds()
        with pytest.raises(QuotaError):
            await provider.fetch([FOREIGN])
        assert len(fake.requests) == 2


async def test_the_reconstructed_daily_limit_fault_raises_quota_error(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.reply_next(sample("reconstructed_fault_daily_limit.xml"), status=500)

    with pytest.raises(QuotaError):
        await provider.fetch([NUMBER])


@pytest.mark.parametrize(
    "text",
    [
        "Превышено допустимое количество запросов в сутки",
        "Исчерпан лимит запросов",
        "Daily request limit exceeded",
        "Request quota per day is exhausted",
    ],
)
async def test_daily_limit_is_recognised_in_other_wordings(
    fake: FakeRussianPost, provider: RussianPostProvider, text: str
) -> None:
    fake.reply_next(fault_body("S:Receiver", text), status=500)

    with pytest.raises(QuotaError):
        await provider.fetch([NUMBER])


async def test_a_limit_that_is_not_about_calls_is_no_quota(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    fake.reply_next(fault_body("S:Receiver", "Barcode length limit is 14"), status=500)

    result = await provider.fetch([NUMBER])

    assert result == {NUMBER: NumberRejected(NUMBER, "Barcode length limit is 14")}


@pytest.mark.parametrize("status", [500, 502, 503, 404])
async def test_http_errors_without_a_fault_are_temporary(
    fake: FakeRussianPost, provider: RussianPostProvider, status: int
) -> None:
    fake.fail_next(status)

    with pytest.raises(TemporarySourceError, match=str(status)):
        await provider.fetch([NUMBER])


@pytest.mark.parametrize(("header", "expected"), [(30, 30.0), (None, 1.0)])
async def test_rate_limit_answer_is_temporary_with_retry_after(
    fake: FakeRussianPost, provider: RussianPostProvider, header: float | None, expected: float
) -> None:
    fake.fail_next(429, retry_after=header)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert caught.value.retry_after == expected


async def test_slow_answer_times_out_as_temporary(fake: FakeRussianPost) -> None:
    fake.fail_next("timeout", delay=3.0)

    async with httpx.AsyncClient(base_url=fake.url, timeout=0.2) as http:
        with pytest.raises(TemporarySourceError, match="timed out"):
            await RussianPostProvider(http, LOGIN, PASSWORD).fetch([NUMBER])


async def test_unreachable_service_is_temporary() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=1.0) as http:
        with pytest.raises(TemporarySourceError):
            await RussianPostProvider(http, LOGIN, PASSWORD).fetch([NUMBER])


@pytest.mark.parametrize("kind", ["garbage", "truncated"])
async def test_garbled_answer_is_temporary(
    fake: FakeRussianPost, provider: RussianPostProvider, kind: str
) -> None:
    fake.fail_next(kind)

    with pytest.raises(TemporarySourceError) as caught:
        await provider.fetch([NUMBER])
    assert type(caught.value) is TemporarySourceError


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<?xml version='1.0'?><html><body>maintenance</body></html>",
        b"<S:Envelope xmlns:S='http://www.w3.org/2003/05/soap-envelope'><S:Body/></S:Envelope>",
        b"<S:Envelope xmlns:S='http://www.w3.org/2003/05/soap-envelope'><S:Body>"
        b"<ns7:getLanguagesResponse xmlns:ns7='http://russianpost.org/operationhistory'/>"
        b"</S:Body></S:Envelope>",
    ],
    ids=["empty", "html", "empty-body", "other-answer"],
)
async def test_unexpected_answers_are_temporary(
    fake: FakeRussianPost, provider: RussianPostProvider, body: bytes
) -> None:
    fake.reply_next(body)

    with pytest.raises(TemporarySourceError, match="unexpected answer"):
        await provider.fetch([NUMBER])


async def test_more_than_one_number_per_call_is_refused_before_any_request(
    fake: FakeRussianPost, provider: RussianPostProvider
) -> None:
    with pytest.raises(ValueError, match="one number"):
        await provider.fetch([NUMBER, FOREIGN])
    assert await provider.fetch([]) == {}
    assert fake.requests == []


async def test_stop_calls_nobody(fake: FakeRussianPost, provider: RussianPostProvider) -> None:
    await provider.stop([NUMBER])

    assert fake.requests == []


async def test_credentials_never_reach_logs_errors_or_repr(
    fake: FakeRussianPost, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Пользователь {LOGIN} с паролем {PASSWORD} не найден"
    fake.reply_next(fault_body("S:Receiver", echo, "AuthorizationFaultReason"), status=500)
    fake.reply_next(fault_body("S:Receiver", f"{echo}, лимит запросов исчерпан"), status=500)
    for failure in ("garbage", 500, "truncated"):
        fake.fail_next(failure)
    raised: list[SourceError] = []
    for _ in range(5):
        provider = RussianPostProvider(client, LOGIN, PASSWORD)  # a fresh daily count each time
        try:
            await provider.fetch([NUMBER])
        except SourceError as exc:
            raised.append(exc)
    fake.reply_next(fault_body("S:Receiver", echo), status=500)
    rejected = await provider.fetch([NUMBER])

    assert [type(exc) for exc in raised] == [
        AuthError,
        QuotaError,
        TemporarySourceError,
        TemporarySourceError,
        TemporarySourceError,
    ]
    assert caplog.records
    texts = [caplog.text, repr(provider), repr(rejected)]
    texts += [f"{exc!r} {exc} {exc.__cause__!r}" for exc in raised]
    assert [text for text in texts if PASSWORD in text or LOGIN in text] == []
    assert "***" in str(raised[0])
