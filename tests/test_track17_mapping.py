"""17TRACK's statuses against the documented catalogue, and the rules for reading events."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.statuses import Status
from providers.track17_mapping import (
    STAGE_MAP,
    STATUS_MAP,
    SUB_STATUS_MAP,
    map_status,
    parse_track_info,
)

PROVIDERS_MD = Path(__file__).resolve().parents[2] / "shared" / "providers.md"
NAME = re.compile(r"`([A-Za-z_]+)`")


def documented_section(title: str) -> str:
    if not PROVIDERS_MD.is_file():
        pytest.fail(f"{PROVIDERS_MD} is missing: ../shared must sit beside the repository")
    text = PROVIDERS_MD.read_text(encoding="utf-8")
    start = text.index(f"### {title}")
    return text[start : text.index("\n### ", start + 1)]


def documented_statuses() -> dict[str, list[str]]:
    """Main status -> its sub-statuses, from the table of providers.md section 1.6."""
    table: dict[str, list[str]] = {}
    for line in documented_section("1.6").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and (main := NAME.fullmatch(cells[0])):
            table[main.group(1)] = NAME.findall(cells[1])
    return table


def documented_key_stages() -> list[str]:
    section = documented_section("1.5")
    line = next(line for line in section.splitlines() if "key_stage` values" in line)
    return re.findall(r"\b[A-Z][A-Za-z]+\b", line.split("order:", 1)[1].split("[")[0])


def test_the_catalogue_table_is_read_whole() -> None:
    table = documented_statuses()

    assert len(table) == 9
    assert sum(len(subs) for subs in table.values()) == 30


def test_every_documented_main_status_has_an_entry() -> None:
    missing = [main for main in documented_statuses() if main not in STATUS_MAP]

    assert missing == []


def test_every_documented_sub_status_has_an_entry() -> None:
    documented = [sub for subs in documented_statuses().values() for sub in subs]

    assert [sub for sub in documented if sub not in SUB_STATUS_MAP] == []


def test_every_milestone_stage_has_an_entry() -> None:
    stages = documented_key_stages()

    assert len(stages) == 9
    assert [stage for stage in stages if stage not in STAGE_MAP] == []


FAMILIES = {
    "InTransit": {Status.IN_TRANSIT, Status.CUSTOMS},
    "Exception": {Status.EXCEPTION, Status.RETURNING, Status.RETURNED, Status.CANCELLED},
}


def test_sub_statuses_stay_within_their_main_status_family() -> None:
    strays = [
        (sub, SUB_STATUS_MAP[sub])
        for main, subs in documented_statuses().items()
        for sub in subs
        if SUB_STATUS_MAP[sub] not in FAMILIES.get(main, {STATUS_MAP[main]})
    ]

    assert strays == []


@pytest.mark.parametrize(
    ("status", "sub_status", "expected"),
    [
        ("InTransit", "InTransit_CustomsProcessing", Status.CUSTOMS),
        ("InTransit", "InTransit_CustomsRequiringInformation", Status.CUSTOMS),
        ("InTransit", "InTransit_CustomsReleased", Status.IN_TRANSIT),
        ("Exception", "Exception_Returning", Status.RETURNING),
        ("Exception", "Exception_Returned", Status.RETURNED),
        ("Exception", "Exception_Cancel", Status.CANCELLED),
        ("Exception", "Exception_Lost", Status.EXCEPTION),
        ("Exception", "Exception_Destroyed", Status.EXCEPTION),
        ("Exception", "Exception_Damage", Status.EXCEPTION),
        ("Exception", "Exception_Damaged", Status.EXCEPTION),
        ("Expired", "Expired_Other", Status.EXPIRED),
        ("DeliveryFailure", "DeliveryFailure_InvalidAddress", Status.DELIVERY_FAILED),
        ("NotFound", "NotFound_InvalidCode", Status.NOT_FOUND),
        ("AvailableForPickup", "AvailableForPickup_Other", Status.READY_FOR_PICKUP),
        ("OutForDelivery", "OutForDelivery_Other", Status.OUT_FOR_DELIVERY),
        ("InfoReceived", "InfoReceived", Status.INFO_RECEIVED),
        ("Delivered", "Delivered_Other", Status.DELIVERED),
    ],
)
def test_documented_statuses_map_as_intended(
    status: str, sub_status: str, expected: Status
) -> None:
    assert map_status(status, sub_status) is expected


@pytest.mark.parametrize(
    ("status", "sub_status", "expected"),
    [
        ("Exception", "Exception_Vanished", Status.EXCEPTION),
        (None, "Exception_Vanished", Status.EXCEPTION),
        ("DeliveryFailure", None, Status.DELIVERY_FAILED),
        ("", "Delivered_ToNeighbour", Status.DELIVERED),
        ("Warped", "InTransit_Teleported", Status.IN_TRANSIT),
        (None, None, Status.NOT_FOUND),
        ("", "", Status.NOT_FOUND),
    ],
)
def test_unknown_values_map_by_their_main_status_prefix(
    status: str | None, sub_status: str | None, expected: Status
) -> None:
    assert map_status(status, sub_status) is expected


def test_value_nothing_matches_reads_in_transit_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert map_status("Teleported", "Teleported_Mars") is Status.IN_TRANSIT
    assert "Teleported" in caplog.text


@given(st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
def test_map_status_never_raises(status: str | None, sub_status: str | None) -> None:
    assert isinstance(map_status(status, sub_status), Status)


def item(
    status: str, sub_status: str, events: list[dict[str, Any]], descr: str | None = None
) -> dict[str, Any]:
    """A push `data` object; `events` newest first as on the wire."""
    latest = {"status": status, "sub_status": sub_status, "sub_status_descr": descr}
    return {
        "number": "RB123456785GB",
        "track_info": {
            "latest_status": latest,
            "latest_event": events[0] if events else None,
            "tracking": {"providers": [{"provider": {"name": "Yanwen"}, "events": events}]},
        },
    }


def event(day: int, description: str, stage: str | None = None) -> dict[str, Any]:
    return {
        "time_iso": f"2026-11-{day:02d}T12:00:00+08:00",
        "time_utc": f"2026-11-{day:02d}T04:00:00Z",
        "description": description,
        "stage": stage,
    }


def test_unstaged_events_are_in_transit_except_the_newest_which_takes_the_item_status() -> None:
    data = item(
        "DeliveryFailure",
        "DeliveryFailure_NoBody",
        [event(9, "Notice left"), event(8, "Sorting"), event(7, "Label", "InfoReceived")],
    )

    result = parse_track_info("RB123456785GB", data)

    assert [(e.description, e.status) for e in result.events] == [
        ("Label", Status.INFO_RECEIVED),
        ("Sorting", Status.IN_TRANSIT),
        ("Notice left", Status.DELIVERY_FAILED),
    ]


def test_stage_of_an_event_wins_over_the_item_status() -> None:
    data = item("Exception", "Exception_Other", [event(9, "Ready at the outlet", "Exception")])
    data["track_info"]["tracking"]["providers"][0]["events"][0]["stage"] = "AvailableForPickup"

    result = parse_track_info("RB123456785GB", data)

    assert result.status is Status.EXCEPTION
    assert result.events[0].status is Status.READY_FOR_PICKUP
    assert result.status_text == "Ready at the outlet"


def test_older_events_of_an_item_not_yet_moving_are_info_received() -> None:
    data = item("InfoReceived", "InfoReceived", [event(8, "Label printed"), event(7, "Order")])

    result = parse_track_info("RB123456785GB", data)

    assert [e.status for e in result.events] == [Status.INFO_RECEIVED, Status.INFO_RECEIVED]


@pytest.mark.parametrize(
    ("descr", "expected"),
    [
        (None, "Customs need more information"),
        ("Customs ask for the invoice", "Customs ask for the invoice"),
    ],
)
def test_status_text_keeps_what_the_status_cannot_say(descr: str | None, expected: str) -> None:
    data = item(
        "InTransit", "InTransit_CustomsRequiringInformation", [event(9, "Held")], descr=descr
    )

    result = parse_track_info("RB123456785GB", data)

    assert (result.status, result.status_text) == (Status.CUSTOMS, expected)


def test_duplicate_events_reported_by_two_carriers_are_kept_once() -> None:
    data = item("InTransit", "InTransit_Arrival", [event(9, "Arrived", "Arrival")])
    blocks = data["track_info"]["tracking"]["providers"]
    blocks.append({"provider": {"name": "Russian Post"}, "events": [event(9, "Arrived")]})

    result = parse_track_info("RB123456785GB", data)

    assert [e.description for e in result.events] == ["Arrived"]
    assert result.carrier == "Yanwen"


@pytest.mark.parametrize("data", [{}, {"number": "X", "track_info": None}])
def test_item_without_track_info_is_not_found(data: dict[str, Any]) -> None:
    result = parse_track_info("X", data)

    assert (result.status, result.events, result.status_text) == (Status.NOT_FOUND, (), "")


@pytest.mark.parametrize(
    "data",
    [
        {"track_info": "Delivered"},
        {"track_info": {"tracking": {"providers": [{"events": "none"}]}}},
        {"track_info": {"latest_status": ["Delivered"]}},
    ],
)
def test_data_that_is_not_a_track_item_raises_value_error(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        parse_track_info("X", data)
