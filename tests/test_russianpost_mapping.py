"""Russian Post's operation codes against the documented list, and how histories are read."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.base import TrackEvent
from providers.russianpost import OPERATION_MAP, map_operation, parse_history
from providers.russianpost_wire import build_request
from providers.statuses import Status
from tests.fakes.russianpost import Operation, fault_body, history_body

SHARED = Path(__file__).resolve().parents[2] / "shared"
PROVIDERS_MD = SHARED / "providers.md"
SAMPLES = SHARED / "fixtures" / "russianpost"
SAMARA = timezone(timedelta(hours=4))
MSK = timezone(timedelta(hours=3))
CST = timezone(timedelta(hours=8))
BARCODE = "80102367216110"
# Types whose every listed attribute must have its own entry (their attributes change the status).
ATTRIBUTE_TYPES = (2, 3, 5, 6, 8, 12, 14)


def section_2_3() -> str:
    if not PROVIDERS_MD.is_file():
        pytest.fail(f"{PROVIDERS_MD} is missing: ../shared must sit beside the repository")
    text = PROVIDERS_MD.read_text(encoding="utf-8")
    start = text.index("### 2.3")
    return text[start : text.index("\n### ", start + 1)]


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


def documented_codes() -> dict[int, list[int]]:
    """OperType -> the attribute ids its row lists, from the code table of section 2.3."""
    codes: dict[int, list[int]] = {}
    for cells in table_rows(section_2_3().split("Suggested normalisation")[0]):
        if len(cells) == 3 and cells[0].isdigit():
            attrs = cells[2].replace("*", "")
            codes[int(cells[0])] = [int(n) for n in re.findall(r"(?:^|,)\s*(\d+)(?=\s)", attrs)]
    return codes


SUGGESTED_LABELS = {
    "label created / info received": Status.INFO_RECEIVED,
    "accepted (Принято)": Status.IN_TRANSIT,
    "in transit": Status.IN_TRANSIT,
    "customs": Status.CUSTOMS,
    "arrived at pickup point / ready for pickup": Status.READY_FOR_PICKUP,
    "out for delivery": Status.OUT_FOR_DELIVERY,
    "failed delivery": Status.DELIVERY_FAILED,
    "delivered to recipient (final)": Status.DELIVERED,
    "returning to sender": Status.RETURNING,
    "lost / destroyed / seized (final)": Status.EXCEPTION,
    "cancelled": Status.CANCELLED,
}
# Where the table deliberately differs from the suggestion (see the mapping module docstring).
DELIBERATE = {
    (4, 5): Status.EXCEPTION,  # forwarded to temporary storage: unclaimed, like 15
    (4, 6): Status.EXCEPTION,  # forwarded to the undeliverable mail
    # Released by customs: the parcel goes on, there is nothing to do about customs any more.
    (14, 1): Status.IN_TRANSIT,
    (14, 13): Status.IN_TRANSIT,
    (14, 16): Status.IN_TRANSIT,
}


def expand(rule: str, codes: dict[int, list[int]]) -> list[tuple[int, int | None]]:
    """`8/{0,1}`, `4/*` (every listed attribute and an unlisted one), `9` (any attribute)."""
    pairs: list[tuple[int, int | None]] = []
    for kind, attrs in re.findall(r"(\d+)(?:/(\*|\{[\d,]+\}|\d+))?", rule):
        if attrs == "*":
            pairs += [(int(kind), a) for a in [*codes[int(kind)], None]]
        elif attrs:
            pairs += [(int(kind), int(a)) for a in attrs.strip("{}").split(",")]
        else:
            pairs.append((int(kind), None))
    return pairs


def suggested_statuses(codes: dict[int, list[int]]) -> dict[tuple[int, int | None], Status]:
    """The suggested table, later rows winning (8/15 and 8/18 sit in two rows)."""
    suggested: dict[tuple[int, int | None], Status] = {}
    table = section_2_3().split("Suggested normalisation")[1]
    for label, rule in (cells for cells in table_rows(table) if len(cells) == 2):
        if label in ("bot status", "---"):
            continue
        plain = re.sub(r"\([^)]*\)", "", rule)
        going, _, then = plain.partition("then")  # "3/* ..., then 2/{2,4,7,9} = returned"
        suggested.update(dict.fromkeys(expand(going, codes), SUGGESTED_LABELS[label]))
        suggested.update(dict.fromkeys(expand(then, codes), Status.RETURNED))
    return suggested


def test_the_code_table_is_read_whole() -> None:
    codes = documented_codes()

    assert sorted(codes) == list(range(1, 45))
    assert {kind: len(codes[kind]) for kind in ATTRIBUTE_TYPES} == {
        2: 13,
        3: 13,
        5: 5,
        6: 5,
        8: 36,
        12: 28,
        14: 19,
    }


def test_every_documented_operation_type_has_a_row() -> None:
    assert [kind for kind in documented_codes() if kind not in OPERATION_MAP] == []


def test_every_listed_attribute_of_the_decisive_types_has_its_own_entry() -> None:
    codes = documented_codes()

    missing = [
        (kind, attr)
        for kind in ATTRIBUTE_TYPES
        for attr in codes[kind]
        if attr not in OPERATION_MAP[kind]
    ]

    assert missing == []


def test_the_table_follows_the_suggested_normalisation() -> None:
    suggested = suggested_statuses(documented_codes())
    assert set(SUGGESTED_LABELS.values()) <= set(suggested.values())

    differing = {
        pair: map_operation(*pair)
        for pair, status in suggested.items()
        if map_operation(*pair) is not status
    }

    assert differing == DELIBERATE


@pytest.mark.parametrize(
    ("oper_type", "oper_attr", "expected"),
    [
        (1, 1, Status.IN_TRANSIT),
        (2, 1, Status.DELIVERED),
        (2, 3, Status.DELIVERED),
        (2, 2, Status.RETURNED),
        (2, 9, Status.RETURNED),
        (3, 1, Status.RETURNING),
        (3, 13, Status.RETURNING),
        (5, 1, Status.EXCEPTION),
        (5, 2, Status.EXCEPTION),
        (5, 9, Status.DELIVERY_FAILED),
        (6, 3, Status.READY_FOR_PICKUP),
        (8, 2, Status.READY_FOR_PICKUP),
        (8, 9, Status.READY_FOR_PICKUP),
        (8, 14, Status.READY_FOR_PICKUP),
        (8, 15, Status.OUT_FOR_DELIVERY),
        (8, 18, Status.OUT_FOR_DELIVERY),
        (8, 22, Status.OUT_FOR_DELIVERY),
        (8, 0, Status.IN_TRANSIT),
        (8, 3, Status.IN_TRANSIT),
        (12, 6, Status.DELIVERY_FAILED),
        (42, 1, Status.DELIVERY_FAILED),
        (22, 4, Status.DELIVERY_FAILED),
        (11, 0, Status.CUSTOMS),
        (14, 1, Status.IN_TRANSIT),  # released by customs: on its way again
        (14, 13, Status.IN_TRANSIT),
        (14, 6, Status.CUSTOMS),  # sent on with duties to pay
        (14, 14, Status.CUSTOMS),
        (15, 0, Status.EXCEPTION),
        (16, 0, Status.EXCEPTION),
        (17, 0, Status.EXCEPTION),
        (18, 0, Status.EXCEPTION),
        (21, 2, Status.DELIVERED),
        (26, 1, Status.CANCELLED),
        (28, 0, Status.INFO_RECEIVED),
        (27, 0, Status.INFO_RECEIVED),
        (37, 0, Status.INFO_RECEIVED),
        (20, 0, Status.INFO_RECEIVED),
        (9, 0, Status.IN_TRANSIT),
    ],
)
def test_operations_map_as_intended(oper_type: int, oper_attr: int, expected: Status) -> None:
    assert map_operation(oper_type, oper_attr) is expected


@pytest.mark.parametrize(
    ("oper_type", "oper_attr", "expected"),
    [
        (2, 99, Status.DELIVERED),
        (3, 99, Status.RETURNING),
        (12, None, Status.DELIVERY_FAILED),
        (8, 77, Status.IN_TRANSIT),
    ],
)
def test_unlisted_attribute_takes_the_default_of_its_type(
    oper_type: int, oper_attr: int | None, expected: Status
) -> None:
    assert map_operation(oper_type, oper_attr) is expected


def test_unknown_operation_type_reads_in_transit_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert map_operation(99, 1) is Status.IN_TRANSIT
    assert "99/1" in caplog.text


@given(st.integers(), st.one_of(st.none(), st.integers()))
def test_map_operation_never_raises(oper_type: int, oper_attr: int | None) -> None:
    assert isinstance(map_operation(oper_type, oper_attr), Status)


# --- the real samples -----------------------------------------------------------------------


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.fail(f"Russian Post samples missing: {path} (../shared must sit beside the repo)")
    return path.read_bytes()


def test_the_captured_delivered_history_is_read_in_order_with_its_offsets() -> None:
    events = parse_history(sample("getOperationHistory_response_real_delivered.xml"))

    assert [(e.occurred_at, e.occurred_at.utcoffset()) for e in events] == [
        (datetime(2016, 7, 16, 12, 1, tzinfo=SAMARA), timedelta(hours=4)),
        (datetime(2016, 7, 18, 20, 31, 27, 1000, tzinfo=SAMARA), timedelta(hours=4)),
        (datetime(2016, 7, 19, 6, 37, 22, 1000, tzinfo=SAMARA), timedelta(hours=4)),
        (datetime(2016, 7, 20, 19, 33, tzinfo=MSK), timedelta(hours=3)),
        (datetime(2016, 7, 21, 2, 53, tzinfo=MSK), timedelta(hours=3)),
        (datetime(2016, 7, 21, 12, 24, tzinfo=MSK), timedelta(hours=3)),
        (datetime(2016, 7, 21, 12, 39, tzinfo=MSK), timedelta(hours=3)),
        (datetime(2016, 7, 21, 12, 49, tzinfo=MSK), timedelta(hours=3)),
    ]
    assert [(e.status, e.description, e.location) for e in events] == [
        (Status.IN_TRANSIT, "Прием", "443063, Самара 63"),
        (Status.IN_TRANSIT, "Прибыло в сортировочный центр", "443960, Самара МСЦ"),
        (Status.IN_TRANSIT, "Покинуло сортировочный центр", "443960, Самара МСЦ"),
        (Status.IN_TRANSIT, "Сортировка", "140983, Московский АСЦ Цех Посылок"),
        (
            Status.IN_TRANSIT,
            "Покинуло сортировочный центр",
            "140980, Московский АСЦ Цех Логистики",
        ),
        (Status.IN_TRANSIT, "Покинуло сортировочный центр", "170000, Тверь Почтамт"),
        (Status.READY_FOR_PICKUP, "Прибыло в место вручения", "170100, Тверь 100"),
        (Status.DELIVERED, "Вручение адресату", "170100, Тверь 100"),
    ]


def test_the_repaired_spec_example_is_one_acceptance_in_moscow() -> None:
    events = parse_history(sample("getOperationHistory_response_spec_repaired.xml"))

    assert events == [
        TrackEvent(
            occurred_at=datetime(2015, 7, 9, 18, 8, tzinfo=MSK),
            status=Status.IN_TRANSIT,
            description="Прием",
            location="111555, Москва 555",
        )
    ]


@pytest.mark.parametrize(
    "name",
    [
        "reconstructed_fault_authorization.xml",
        "reconstructed_fault_barcode_format.xml",
        "reconstructed_fault_daily_limit.xml",
        "reconstructed_fault_language.xml",
    ],
)
def test_a_fault_is_not_a_history(name: str) -> None:
    with pytest.raises(ValueError, match="fault"):
        parse_history(sample(name))


def test_the_request_is_the_published_example_with_our_values() -> None:
    published = sample("getOperationHistory_request_spec.xml").decode().replace("\n", "")

    assert build_request("RA644000001RU", "my_login", "my_password").decode() == published


def test_the_request_escapes_what_it_carries() -> None:
    body = build_request(BARCODE, "a&b", "<p>").decode()

    assert "<data:login>a&amp;b</data:login>" in body
    assert "<data:password>&lt;p&gt;</data:password>" in body


# --- reading rules --------------------------------------------------------------------------


def test_events_are_sorted_by_instant_and_keep_their_local_offsets() -> None:
    events = parse_history(
        history_body(
            BARCODE,
            [
                Operation(8, 1, "2026-11-10T09:00:00+08:00", "", "Шанхай", "CN"),
                Operation(8, 3, "2026-11-10T03:30:00+03:00", "101000", "Москва"),  # earlier
            ],
        )
    )

    assert [e.occurred_at for e in events] == [
        datetime(2026, 11, 10, 3, 30, tzinfo=MSK),
        datetime(2026, 11, 10, 9, 0, tzinfo=CST),
    ]
    assert events[1].occurred_at.utcoffset() == timedelta(hours=8)


def test_foreign_office_reads_with_its_country_and_a_bare_one_as_the_country() -> None:
    events = parse_history(
        history_body(
            BARCODE,
            [
                Operation(1, 1, "2026-11-01T10:00:00+08:00", "", "Шанхай EMS", "CN"),
                Operation(10, 0, "2026-11-02T10:00:00+08:00", "", "", "CN"),
                Operation(9, 0, "2026-11-09T10:00:00+03:00", "0", "", "RU"),
            ],
        )
    )

    assert [e.location for e in events] == [
        "Шанхай EMS, Китай",
        "Китай",
        "Российская Федерация",
    ]


def test_index_is_not_repeated_when_the_name_holds_it() -> None:
    events = parse_history(
        history_body(
            BARCODE, [Operation(8, 2, "2026-11-10T10:00:00+03:00", "101000", "Москва 101000")]
        )
    )

    assert events[0].location == "Москва 101000"


@pytest.mark.parametrize(
    ("operation", "description"),
    [
        (Operation(1, 1, "2026-11-10T10:00:00+03:00"), "Прием"),
        (Operation(8, 3, "2026-11-10T10:00:00+03:00"), "Прибыло в сортировочный центр"),
        (Operation(2, 1, "2026-11-10T10:00:00+03:00"), "Вручение адресату"),
        (Operation(2, 2, "2026-11-10T10:00:00+03:00"), "Вручение отправителю"),
        (Operation(3, 1, "2026-11-10T10:00:00+03:00"), "Возврат: Истек срок хранения"),
        (
            Operation(12, 1, "2026-11-10T10:00:00+03:00"),
            "Неудачная попытка вручения: Временное отсутствие адресата",
        ),
        (Operation(9, 0, "2026-11-10T10:00:00+03:00"), "Импорт международной почты"),
        (Operation(99, 5, "2026-11-10T10:00:00+03:00", attr_name="Новое"), "Новое"),
    ],
)
def test_description_joins_type_and_attribute_only_where_both_say_something(
    operation: Operation, description: str
) -> None:
    assert parse_history(history_body(BARCODE, [operation]))[0].description == description


def test_the_way_back_after_a_return_reads_returning_until_the_sender_has_it() -> None:
    events = parse_history(
        history_body(
            BARCODE,
            [
                Operation(8, 2, "2026-11-01T10:00:00+03:00", "101000", "Москва"),
                Operation(3, 1, "2026-12-01T10:00:00+03:00", "101000", "Москва"),
                Operation(8, 4, "2026-12-02T10:00:00+03:00", "140980", "Москва АСЦ"),
                Operation(8, 2, "2026-12-05T10:00:00+03:00", "443063", "Самара 63"),
                Operation(2, 2, "2026-12-06T10:00:00+03:00", "443063", "Самара 63"),
            ],
        )
    )

    assert [e.status for e in events] == [
        Status.READY_FOR_PICKUP,
        Status.RETURNING,
        Status.RETURNING,
        Status.RETURNING,
        Status.RETURNED,
    ]


def test_placeholders_and_missing_parts_read_as_unknown() -> None:
    body = (
        history_body(BARCODE, [Operation(8, 0, "2026-11-10T10:00:00+03:00")])
        .replace(b"<ns3:CountryOper>", b"<ns3:Other>")
        .replace(b"</ns3:CountryOper>", b"</ns3:Other>")
    )

    events = parse_history(body)

    assert [(e.location, e.description) for e in events] == [("", "Сортировка")]


def test_a_record_without_a_readable_date_takes_its_neighbours() -> None:
    body = history_body(
        BARCODE,
        [
            Operation(1, 1, "2026-11-10T10:00:00+03:00"),
            Operation(8, 0, "2026-11-11T10:00:00+03:00"),
        ],
    ).replace(b"2026-11-11T10:00:00.000+03:00", b"")

    events = parse_history(body)

    assert [(e.description, e.occurred_at) for e in events] == [
        ("Прием", datetime(2026, 11, 10, 10, tzinfo=MSK)),
        ("Сортировка", datetime(2026, 11, 10, 10, tzinfo=MSK)),
    ]


def test_a_date_without_an_offset_is_moscow_time() -> None:
    body = history_body(BARCODE, [Operation(1, 1, "2026-11-10T10:00:00+03:00")]).replace(
        b"10:00:00.000+03:00", b"10:00:00"
    )

    assert parse_history(body)[0].occurred_at == datetime(2026, 11, 10, 10, tzinfo=MSK)


def test_an_empty_history_has_no_events() -> None:
    assert parse_history(history_body(BARCODE, [])) == []


def _utf16_with_doctype(body: bytes) -> bytes:
    """A valid answer re-encoded as UTF-16 with a DTD, which a search for b"<!DOCTYPE" misses."""
    declaration, _, rest = body.decode().partition("?>")
    declaration = declaration.replace("UTF-8", "UTF-16")
    return f'{declaration}?><!DOCTYPE x [<!ENTITY a "aa">]>{rest}'.encode("utf-16")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>502 Bad Gateway</html>",
        b"<S:Envelope xmlns:S='http://www.w3.org/2003/05/soap-envelope'/>",
        history_body(BARCODE, [Operation(1, 1, "2026-11-10T10:00:00+03:00")])[:300],
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        _utf16_with_doctype(history_body(BARCODE, [Operation(1, 1, "2026-11-10T10:00:00+03:00")])),
        fault_body("S:Receiver", "Внутренняя ошибка", ""),
    ],
    ids=["empty", "html", "no-body", "truncated", "doctype", "doctype-utf16", "fault"],
)
def test_anything_but_a_history_raises_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the contract is "ValueError", any message
        parse_history(body)
