"""The demo source's stories: each number's scripted life, drawn deterministically from its text.

Every number gets a scenario chosen from its text (SHA-256, so the same number tells the same
story in every process); see `providers.demo` for which number tells which story. Gaps between
steps are real-world hours and days.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from providers.statuses import Status

_T = TypeVar("_T")
_D = 24.0  # hours in a day, for readable gaps
_POST = "Почта России"
_SHOP = "Демо-магазин"
_BACK_HOME = "Вручение отправителю"
_S10 = re.compile(r"[A-Z]{2}([0-9]{8})[0-9]([A-Z]{2})")
_ORDER = re.compile(r"#.*|[0-9]{1,10}")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)

# Where parcels start abroad: (city of acceptance, international exchange office).
_CHINA = (("Шэньчжэнь", "Шэньчжэнь"), ("Гуанчжоу", "Гуанчжоу"), ("Иу", "Шанхай"))
_EXCHANGE_RU = "Москва ЦМП"
# Where parcels end: (sorting centre, delivery office).
_RUSSIA = (
    ("Подольск 142100", "Москва 101000"),
    ("Санкт-Петербург 190960", "Санкт-Петербург 191186"),
    ("Казань 420300", "Казань 420111"),
    ("Екатеринбург 620960", "Екатеринбург 620014"),
    ("Новосибирск 630960", "Новосибирск 630099"),
    ("Нижний Новгород 603960", "Нижний Новгород 603005"),
)


def demo_key(code: str) -> str:
    """The number as the demo knows it: spaces gone, upper case."""
    return "".join(code.split()).upper()


class Story(StrEnum):
    """The kinds of life a number can live; the module docstring's table shows how to pick one."""

    DELIVERED = "delivered"
    STALLED = "stalled"
    FAILED_ATTEMPT = "failed_attempt"
    RETURNED = "returned"
    NEVER_FOUND = "never_found"
    ORDER = "order"


_MAGIC = {
    "0000": Story.DELIVERED,
    "1111": Story.STALLED,
    "2222": Story.FAILED_ATTEMPT,
    "3333": Story.RETURNED,
    "4444": Story.NEVER_FOUND,
}
# How often an ordinary parcel number draws each story (cumulative share, in order).
_ODDS = (
    (0.55, Story.DELIVERED),
    (0.70, Story.FAILED_ATTEMPT),
    (0.82, Story.STALLED),
    (0.92, Story.RETURNED),
    (1.00, Story.NEVER_FOUND),
)


@dataclass(frozen=True, slots=True)
class Step:
    offset: timedelta  # from the number's start
    status: Status
    description: str  # the source's own words
    location: str = ""
    event: bool = True  # False: a status with no scan behind it (the source gave up looking)
    linked_code: str | None = None  # the parcel an order was shipped as, from this step on


@dataclass(frozen=True, slots=True)
class Scenario:
    """A number's whole scripted life; `fetch` shows the steps reached by the clock."""

    story: Story
    carrier: str
    steps: tuple[Step, ...]  # by offset


class _Dice:
    """Numbers drawn from a SHA-256 stream of a key: stable across processes, unlike `hash()`."""

    def __init__(self, key: str) -> None:
        self._key = key
        self._rolls = 0

    def fraction(self) -> float:
        digest = hashlib.sha256(f"{self._rolls}|{self._key}".encode()).digest()
        self._rolls += 1
        return int.from_bytes(digest[:8], "big") / 2**64

    def pick(self, options: Sequence[_T]) -> _T:
        return options[int(self.fraction() * len(options))]

    def hours(self, low: float, high: float) -> timedelta:
        """A gap between `low` and `high` hours, in whole minutes like a real scan log."""
        return timedelta(minutes=round((low + (high - low) * self.fraction()) * 60))


def _s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7, mod 11)."""
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def scenario_for(code: str, seed: str = "") -> Scenario:
    """The whole life of `code`; a pure function of the number (and of the provider's seed)."""
    key = demo_key(code)
    dice = _Dice(f"{seed}|{key}")
    if _ORDER.fullmatch(key):
        return _order(dice)
    s10 = _S10.fullmatch(key)
    story = _MAGIC.get(s10[1][:4]) if s10 else None
    if story is None:
        roll = dice.fraction()
        story = next(drawn for share, drawn in _ODDS if roll < share)
    if story is Story.NEVER_FOUND:
        silence = "Сведения об отправлении не поступали 30 дней"
        gave_up = Step(timedelta(days=30), Status.EXPIRED, silence, event=False)
        return Scenario(story, _POST, (gave_up,))
    domestic = (s10 is not None and s10[2] == "RU") or re.fullmatch("[0-9]{14}", key) is not None
    return Scenario(story, _POST, _accumulate(_parcel(dice, story, domestic=domestic)))


def _parcel(dice: _Dice, story: Story, *, domestic: bool) -> list[Step]:
    """Gaps (kept in `offset`) of a parcel's journey: first mile, Russian leg, ending."""
    sorting, office = dice.pick(_RUSSIA)
    transit, back = Status.IN_TRANSIT, Status.RETURNING
    if domestic:
        origin = dice.pick([o for _, o in _RUSSIA if o != office])
        steps = [
            Step(dice.hours(2, 8), Status.INFO_RECEIVED, "Присвоен трек-номер", origin),
            Step(dice.hours(12, 48), transit, "Принято в отделении связи", origin),
            Step(dice.hours(4, 12), transit, "Покинуло место приёма", origin),
        ]
        way_back = [Step(dice.hours(3 * _D, 7 * _D), Status.RETURNED, _BACK_HOME, origin)]
    else:
        origin, exchange = dice.pick(_CHINA)
        steps = [
            Step(dice.hours(2, 8), Status.INFO_RECEIVED, "Присвоен трек-номер", origin),
            Step(dice.hours(12, 48), transit, "Принято в отделении связи", origin),
            Step(
                dice.hours(2 * _D, 4 * _D),
                transit,
                "Покинуло место международного обмена",
                exchange,
            ),
            Step(dice.hours(3 * _D, 6 * _D), transit, "Прибыло на территорию РФ", _EXCHANGE_RU),
            Step(dice.hours(4, 12), Status.CUSTOMS, "Прием на таможню", _EXCHANGE_RU),
            Step(dice.hours(1 * _D, 2 * _D), transit, "Выпущено таможней", _EXCHANGE_RU),
            Step(dice.hours(6, 18), transit, "Покинуло место международного обмена", _EXCHANGE_RU),
        ]
        way_back = [
            Step(
                dice.hours(2 * _D, 5 * _D),
                back,
                "Покинуло место международного обмена",
                _EXCHANGE_RU,
            ),
            Step(dice.hours(12 * _D, 18 * _D), Status.RETURNED, _BACK_HOME, origin),
        ]
    to_sorting = (
        dice.hours(14 * _D, 20 * _D) if story is Story.STALLED else dice.hours(1 * _D, 3 * _D)
    )
    steps += [
        Step(to_sorting, transit, "Прибыло в сортировочный центр", sorting),
        Step(dice.hours(6, 18), transit, "Покинуло сортировочный центр", sorting),
        Step(dice.hours(12, 36), Status.READY_FOR_PICKUP, "Прибыло в место вручения", office),
    ]
    return steps + _ending(dice, story, office, way_back)


def _ending(dice: _Dice, story: Story, office: str, way_back: list[Step]) -> list[Step]:
    handed_over = Step(dice.hours(1 * _D, 4 * _D), Status.DELIVERED, "Вручение адресату", office)
    if story is Story.FAILED_ATTEMPT:
        return [
            Step(dice.hours(12, 20), Status.OUT_FOR_DELIVERY, "Передано почтальону", office),
            Step(
                dice.hours(3, 8),
                Status.DELIVERY_FAILED,
                "Неудачная попытка вручения: временное отсутствие адресата",
                office,
            ),
            Step(
                dice.hours(1, 3),
                Status.READY_FOR_PICKUP,
                "Ожидает адресата в месте вручения",
                office,
            ),
            handed_over,
        ]
    if story is Story.RETURNED:
        back = Status.RETURNING
        return [
            Step(timedelta(days=10), Status.READY_FOR_PICKUP, "Истекает срок хранения", office),
            Step(timedelta(days=5), back, "Возврат отправителю: истёк срок хранения", office),
            Step(dice.hours(4, 12), back, "Покинуло место возврата/досылки", office),
            *way_back,
        ]
    return [handed_over]


def _order(dice: _Dice) -> Scenario:
    serial = f"0000{int(dice.fraction() * 10_000):04d}"
    track = f"RA{serial}{_s10_check_digit(serial)}CN"
    warehouse, _ = dice.pick(_CHINA)
    sorting, office = dice.pick(_RUSSIA)
    gaps = [
        Step(timedelta(0), Status.AWAITING_PAYMENT, "Заказ оформлен и ожидает оплаты"),
        Step(dice.hours(0.2, 1.5), Status.PROCESSING, "Заказ оплачен и собирается", warehouse),
        Step(
            dice.hours(1 * _D, 3 * _D),
            Status.IN_TRANSIT,
            f"Заказ передан в доставку, трек-номер {track}",
            warehouse,
            linked_code=track,
        ),
        Step(dice.hours(6 * _D, 9 * _D), Status.IN_TRANSIT, "Заказ прибыл в Россию", sorting),
        Step(
            dice.hours(4 * _D, 8 * _D),
            Status.READY_FOR_PICKUP,
            "Заказ ждёт в пункте выдачи",
            office,
        ),
        Step(dice.hours(1 * _D, 3 * _D), Status.DELIVERED, "Заказ получен", office),
    ]
    return Scenario(Story.ORDER, _SHOP, _accumulate(gaps))


def _accumulate(gaps: Sequence[Step]) -> tuple[Step, ...]:
    """Steps whose offsets hold the gap since the previous step, turned into offsets from start."""
    offset = timedelta(0)
    steps = []
    for step in gaps:
        offset += step.offset
        steps.append(replace(step, offset=offset))
    return tuple(steps)
