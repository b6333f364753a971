"""The demo source: deterministic stories, honest timing on an injected clock, documented codes."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from providers import demo
from providers.base import NumberRejected, Provider, TrackEvent, TrackResult
from providers.clock import ManualClock, ScaledClock
from providers.demo import DemoProvider
from providers.demo_stories import Scenario, Story, scenario_for
from providers.statuses import CATALOGUE, Status

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LONG_AFTER = timedelta(days=200)
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

DELIVERED_CN = "RA000012349CN"
DELIVERED_RU = "RA000056781RU"
STALLED_CN = "RA111100427CN"
FAILED_CN = "RA222256785CN"
RETURNED_CN = "RA333300010CN"
NEVER_FOUND_CN = "RA444412346CN"

FINAL_STATUS = {
    DELIVERED_CN: Status.DELIVERED,
    DELIVERED_RU: Status.DELIVERED,
    STALLED_CN: Status.DELIVERED,
    FAILED_CN: Status.DELIVERED,
    RETURNED_CN: Status.RETURNED,
    NEVER_FOUND_CN: Status.EXPIRED,
    "#1001": Status.DELIVERED,
}


def passes_s10_check(code: str) -> bool:
    """The UPU S10 check digit, written from the formula in shared/providers.md 3.1."""
    match = re.fullmatch(r"[A-Z]{2}([0-9]{8})([0-9])[A-Z]{2}", code)
    if match is None:
        return False
    check = 11 - sum(int(d) * w for d, w in zip(match[1], S10_WEIGHTS, strict=True)) % 11
    expected = 0 if check == 10 else 5 if check == 11 else check
    return expected == int(match[2])


def with_check_digit(prefix: str, serial: str, country: str) -> str:
    return next(
        f"{prefix}{serial}{d}{country}"
        for d in range(10)
        if passes_s10_check(f"{prefix}{serial}{d}{country}")
    )


def ordinary_codes(count: int) -> Iterator[str]:
    """Parcel numbers outside the magic ranges, in the formats the bot meets."""
    for i in range(count):
        serial = f"{50_000_000 + i * 4_999:08d}"
        yield with_check_digit("RA", serial, "CN")
        yield with_check_digit("EA", serial, "RU")
        yield f"LP{i:014d}"
        yield f"8010236{i:07d}"


def event_gaps(scenario: Scenario) -> Iterator[tuple[Status, timedelta]]:
    """Each event step's status with the silence that follows it."""
    steps = scenario.steps
    for before, after in itertools.pairwise(steps):
        if before.event:
            yield before.status, after.offset - before.offset


async def result_at(provider: DemoProvider, clock: ManualClock, code: str) -> TrackResult:
    outcome = (await provider.fetch([code]))[code]
    assert isinstance(outcome, TrackResult), outcome
    return outcome


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def provider(clock: ManualClock) -> DemoProvider:
    return DemoProvider(clock)


def test_the_check_used_here_accepts_real_numbers_and_refuses_a_changed_digit() -> None:
    for real in ("RP000017624RU", "DA128362458PT", "RH671580083PT", "RB123456785GB"):
        assert passes_s10_check(real)
    assert not passes_s10_check("RP000017625RU")
    assert not passes_s10_check("RB123456784GB")


def test_demo_provider_satisfies_the_source_protocol(provider: DemoProvider) -> None:
    assert isinstance(provider, Provider)
    assert (provider.name, provider.max_batch) == ("demo", 100)


def test_same_number_always_gets_the_same_scenario() -> None:
    for code in [*ordinary_codes(20), "#77", DELIVERED_CN]:
        assert scenario_for(code) == scenario_for(code)


def test_scenario_does_not_depend_on_the_process_hash_seed() -> None:
    codes = ["LP00000000000042", "RA500049991CN", "#1001"]
    script = (
        "from providers.demo_stories import scenario_for\n"
        f"for code in {codes!r}:\n"
        "    print(repr(scenario_for(code)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    here = "".join(f"{scenario_for(code)!r}\n" for code in codes)
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True
        )
        assert run.stdout.decode() == here


def test_spaces_and_case_do_not_change_the_story() -> None:
    assert scenario_for("ra 0000 1234 9cn") == scenario_for(DELIVERED_CN)


def test_ordinary_numbers_draw_every_parcel_story() -> None:
    drawn = {scenario_for(code).story for code in ordinary_codes(100)}
    assert drawn == set(Story) - {Story.ORDER}


async def test_two_providers_at_the_same_offsets_answer_identically() -> None:
    codes = [DELIVERED_CN, FAILED_CN, "#1001", *ordinary_codes(5)]
    first_clock, second_clock = ManualClock(T0), ManualClock(T0)
    first, second = DemoProvider(first_clock), DemoProvider(second_clock)
    for hours in (0, 3, 30, 200, 700, 2000):
        first_clock.now = second_clock.now = T0 + timedelta(hours=hours)
        assert await first.fetch(codes) == await second.fetch(codes)


async def test_a_later_start_shifts_every_event_by_the_same_amount() -> None:
    shift = timedelta(days=3, minutes=7)
    early_clock, late_clock = ManualClock(T0), ManualClock(T0 + shift)
    early, late = DemoProvider(early_clock), DemoProvider(late_clock)
    await early.fetch([RETURNED_CN])
    await late.fetch([RETURNED_CN])
    early_clock.advance(days=40)
    late_clock.advance(days=40)
    before = await result_at(early, early_clock, RETURNED_CN)
    after = await result_at(late, late_clock, RETURNED_CN)
    assert after.status == before.status
    assert [e.occurred_at - shift for e in after.events] == [e.occurred_at for e in before.events]


async def test_number_is_not_found_until_its_first_step(
    provider: DemoProvider, clock: ManualClock
) -> None:
    first = scenario_for(DELIVERED_CN).steps[0]
    assert first.offset > timedelta(0)
    result = await result_at(provider, clock, DELIVERED_CN)
    assert (result.status, result.events) == (Status.NOT_FOUND, ())
    clock.now = T0 + first.offset - timedelta(seconds=1)
    assert (await result_at(provider, clock, DELIVERED_CN)).status is Status.NOT_FOUND
    clock.now = T0 + first.offset
    result = await result_at(provider, clock, DELIVERED_CN)
    assert result.status is first.status is Status.INFO_RECEIVED
    assert [(e.occurred_at, e.description) for e in result.events] == [
        (T0 + first.offset, first.description)
    ]


async def test_each_step_appears_exactly_when_its_offset_is_reached(
    provider: DemoProvider, clock: ManualClock
) -> None:
    steps = scenario_for(FAILED_CN).steps
    await provider.fetch([FAILED_CN])
    for index, step in enumerate(steps):
        clock.now = T0 + step.offset - timedelta(seconds=1)
        assert len((await result_at(provider, clock, FAILED_CN)).events) == index
        clock.now = T0 + step.offset
        result = await result_at(provider, clock, FAILED_CN)
        assert (result.status, result.status_text) == (step.status, step.description)
        expected = [(T0 + s.offset, s.status, s.location) for s in steps[: index + 1]]
        assert [(e.occurred_at, e.status, e.location) for e in result.events] == expected


async def test_earlier_events_never_change_between_calls(
    provider: DemoProvider, clock: ManualClock
) -> None:
    seen: tuple[TrackEvent, ...] = ()
    for _ in range(80):
        clock.advance(hours=17)
        events = (await result_at(provider, clock, RETURNED_CN)).events
        assert events[: len(seen)] == seen
        assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
        seen = events
    assert seen[-1].status is Status.RETURNED


async def test_event_times_are_whole_seconds_even_when_the_clock_is_not() -> None:
    clock = ManualClock(T0.replace(microsecond=654_321))
    provider = DemoProvider(clock)
    await provider.fetch(["#5"])
    clock.advance(days=1, microseconds=111)
    first = (await result_at(provider, clock, "#5")).events[0]
    assert first.occurred_at == T0


@pytest.mark.parametrize(("code", "final"), FINAL_STATUS.items())
async def test_every_story_reaches_its_final_status(
    provider: DemoProvider, clock: ManualClock, code: str, final: Status
) -> None:
    await provider.fetch([code])
    clock.advance(days=LONG_AFTER.days)
    result = await result_at(provider, clock, code)
    assert result.status is final
    assert CATALOGUE[final].final


def test_every_drawn_scenario_ends_final_and_only_at_its_end() -> None:
    for code in ordinary_codes(100):
        steps = scenario_for(code).steps
        assert CATALOGUE[steps[-1].status].final, code
        assert not any(CATALOGUE[s.status].final for s in steps[:-1]), code
        offsets = [s.offset for s in steps]
        assert offsets == sorted(set(offsets)), code
        assert steps[-1].offset < LONG_AFTER


def test_documented_codes_are_valid_and_tell_the_documented_story() -> None:
    docstring = demo.__doc__ or ""
    rows = re.findall(r"^ *\| ([^|]+?) +\| ([^|]+?) +\| (\w+) +\|", docstring, re.MULTILINE)
    documented = {story for _, _, story in rows if story in set(Story)}
    assert documented == set(Story)
    checked = 0
    for codes, serial, story in rows:
        if story not in set(Story):
            continue
        for code in codes.split(", "):
            if story != Story.ORDER:
                assert passes_s10_check(code), code
                assert code[2:6] == serial.rstrip("…"), code
            assert scenario_for(code).story == story, code
            checked += 1
    assert checked >= len(Story)


def test_russian_numbers_travel_inside_russia_without_customs() -> None:
    abroad = scenario_for(DELIVERED_CN).steps
    at_home = scenario_for(DELIVERED_RU).steps
    assert any(s.status is Status.CUSTOMS for s in abroad)
    assert not any(s.status is Status.CUSTOMS for s in at_home)
    assert all(re.search(r"[0-9]{6}$", s.location) for s in at_home)


def test_stalled_parcel_goes_silent_in_transit_longer_than_the_stall_limit() -> None:
    limit = CATALOGUE[Status.IN_TRANSIT].stall_after
    assert limit is not None
    stalled = [STALLED_CN, with_check_digit("RA", "11115555", "RU")]
    stalled += [c for c in ordinary_codes(60) if scenario_for(c).story is Story.STALLED]
    assert len(stalled) > 2
    for code in stalled:
        silences = [
            gap for status, gap in event_gaps(scenario_for(code)) if status is Status.IN_TRANSIT
        ]
        assert max(silences) > limit, code


def test_other_stories_never_stall_on_the_way() -> None:
    on_the_way = {Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.CUSTOMS, Status.RETURNING}
    for code in [*ordinary_codes(60), "#1001", "#1002"]:
        scenario = scenario_for(code)
        if scenario.story is Story.STALLED:
            continue
        for status, gap in event_gaps(scenario):
            limit = CATALOGUE[status].stall_after
            if status in on_the_way and limit is not None:
                assert gap < limit, (code, status, gap)


def test_no_two_events_collapse_when_deduplicated_by_time_status_and_place() -> None:
    for code in [*ordinary_codes(50), *FINAL_STATUS]:
        keys = [(s.offset, s.status, s.location) for s in scenario_for(code).steps if s.event]
        assert len(keys) == len(set(keys)), code


def test_events_are_told_in_russian_with_a_place() -> None:
    for code in [*ordinary_codes(30), "#1001"]:
        scenario = scenario_for(code)
        for step in scenario.steps:
            assert re.search("[а-яА-Я]", step.description), (code, step)
            if step.event and step.status is not Status.AWAITING_PAYMENT:
                assert step.location, (code, step)


@pytest.mark.parametrize("code", ["#A-17", "#1001", "1", "4512", "1234567890"])
def test_short_digit_numbers_and_hash_numbers_are_orders(code: str) -> None:
    assert scenario_for(code).story is Story.ORDER


@pytest.mark.parametrize("code", ["12345678901", "80102367216110", "LP00123456789012"])
def test_longer_numbers_are_parcels(code: str) -> None:
    assert scenario_for(code).story is not Story.ORDER


async def test_order_walks_from_payment_to_delivery_and_links_its_parcel(
    provider: DemoProvider, clock: ManualClock
) -> None:
    steps = scenario_for("#1001").steps
    assert [s.status for s in steps] == [
        Status.AWAITING_PAYMENT,
        Status.PROCESSING,
        Status.IN_TRANSIT,
        Status.IN_TRANSIT,
        Status.READY_FOR_PICKUP,
        Status.DELIVERED,
    ]
    links = []
    for step in steps:
        clock.now = T0 + step.offset
        links.append((await result_at(provider, clock, "#1001")).linked_code)
    assert links[:2] == [None, None]
    assert links[2] is not None
    assert links[2:] == [links[2]] * 4
    assert passes_s10_check(links[2])
    assert scenario_for(links[2]).story is Story.DELIVERED


def test_orders_get_valid_and_mostly_different_tracks() -> None:
    tracks = [scenario_for(f"#{n}").steps[2].linked_code for n in range(1000, 1050)]
    assert all(track is not None and passes_s10_check(track) for track in tracks)
    assert len(set(tracks)) > 45


async def test_stopped_number_starts_its_life_again(
    provider: DemoProvider, clock: ManualClock
) -> None:
    await provider.fetch([DELIVERED_CN, FAILED_CN])
    clock.advance(days=5)
    assert (await result_at(provider, clock, DELIVERED_CN)).events
    await provider.stop([DELIVERED_CN])
    restarted = await result_at(provider, clock, DELIVERED_CN)
    assert (restarted.status, restarted.events) == (Status.NOT_FOUND, ())
    assert (await result_at(provider, clock, FAILED_CN)).events
    restart = clock.now
    clock.advance(days=1)
    first = (await result_at(provider, clock, DELIVERED_CN)).events[0]
    assert first.occurred_at == restart + scenario_for(DELIVERED_CN).steps[0].offset


async def test_seed_varies_ordinary_numbers_but_not_the_documented_ones() -> None:
    codes = list(ordinary_codes(20))
    plain = [scenario_for(code) for code in codes]
    seeded = [scenario_for(code, "another run") for code in codes]
    assert plain != seeded
    for code in FINAL_STATUS:
        assert scenario_for(code, "another run").story == scenario_for(code).story


async def test_seeded_provider_tells_the_seeded_story(clock: ManualClock) -> None:
    provider = DemoProvider(clock, seed="s")
    await provider.fetch(["LP00000000000042"])
    clock.advance(days=LONG_AFTER.days)
    result = await result_at(provider, clock, "LP00000000000042")
    expected = scenario_for("LP00000000000042", "s").steps
    assert [e.description for e in result.events] == [s.description for s in expected if s.event]


async def test_blank_number_is_rejected(provider: DemoProvider) -> None:
    outcome = (await provider.fetch(["  "]))["  "]
    assert isinstance(outcome, NumberRejected)


async def test_on_the_console_clock_a_parcel_changes_status_within_seconds() -> None:
    real = ManualClock(T0)
    provider = DemoProvider(ScaledClock(86_400 / 5, base=real))  # a day in five seconds
    seen: list[Status] = []
    for _ in range(60):
        outcome = (await provider.fetch([DELIVERED_CN]))[DELIVERED_CN]
        assert isinstance(outcome, TrackResult)
        if not seen or seen[-1] is not outcome.status:
            seen.append(outcome.status)
        real.advance(seconds=1)
    assert seen[:3] == [Status.NOT_FOUND, Status.INFO_RECEIVED, Status.IN_TRANSIT]
    assert Status.CUSTOMS in seen
