"""How Russian Post's operations become ours: the OperType/OperAttr table and history reading.

`OPERATION_MAP` gives every operation type of the official code list a row, attribute id ->
status, where the key None is the row's default for attributes the list does not name. The rows
follow the suggested normalisation of the shared provider notes, and settle what it leaves open:
courier delivery (21) is delivered; temporary storage of unclaimed mail (7, 23, and forwarding
to it, 4/5 and 4/6) and a refusal to accept (44) are exceptions; a non-delivery that is a
missending (5/3) stays in transit; storage notices and extensions at the office (8/16, 8/19,
8/23-8/25) are ready for pickup. An unknown type reads as in transit and is logged.

A history is read oldest first by instant, each event keeping its local offset:

* once a return has started (3/*), every event until a handover (or another final status) that
  would read as the parcel moving on (in transit, customs, out for delivery, ready for pickup)
  reads RETURNING: to the shopper the parcel is going back, wherever it goes;
* the description is the operation's name and its attribute's ("Возврат: Истек срок
  хранения"), the attribute alone where it says everything ("Прибыло в сортировочный центр",
  "Вручение адресату"), the name alone where the attribute is a counter detail (1, acceptance:
  "Единичный");
* the place is the office's index and name ("443063, Самара 63"; the name alone when it holds
  the index), the country added for a foreign office ("Шанхай, Китай"), or the country alone;
* the item's status and status text are those of the newest event; no events is NOT_FOUND.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from providers.base import TrackEvent, TrackResult
from providers.russianpost_wire import Fault, Operation, read_answer
from providers.statuses import Status, info

logger = logging.getLogger(__name__)

CARRIER = "Почта России"
ANY = None  # the row's default for an attribute the code list does not name

_INFO = Status.INFO_RECEIVED
_MOVING = Status.IN_TRANSIT
_CUSTOMS = Status.CUSTOMS
_PICKUP = Status.READY_FOR_PICKUP
_OUT = Status.OUT_FOR_DELIVERY
_FAILED = Status.DELIVERY_FAILED
_DELIVERED = Status.DELIVERED
_RETURNING = Status.RETURNING
_RETURNED = Status.RETURNED
_LOST = Status.EXCEPTION
_CANCELLED = Status.CANCELLED

Row = Mapping[int | None, Status]


def _each(ids: Iterable[int], status: Status) -> dict[int | None, Status]:
    return dict.fromkeys(ids, status)


def _all(status: Status) -> Row:
    return {ANY: status}


OPERATION_MAP: Mapping[int, Row] = {
    1: _all(_MOVING),  # Прием: accepted
    2: {  # Вручение: handed over, to the addressee or back to the sender
        **_each((1, 3, 5, 6, 8, 10, 11, 12, 13), _DELIVERED),
        **_each((2, 4, 7, 9), _RETURNED),
        ANY: _DELIVERED,
    },
    3: {**_each(range(1, 14), _RETURNING), ANY: _RETURNING},  # Возврат, the reason in the attr
    4: {**_each((1, 2, 3, 4), _MOVING), 5: _LOST, 6: _LOST, ANY: _MOVING},  # Досылка почты
    5: {1: _LOST, 2: _LOST, 3: _MOVING, 8: _LOST, 9: _FAILED, ANY: _LOST},  # Невручение
    6: {**_each(range(1, 6), _PICKUP), ANY: _PICKUP},  # Хранение: held at the office
    7: _all(_LOST),  # Временное хранение: unclaimed, forbidden or under examination
    8: {  # Обработка
        **_each((0, 1, 3, 4, 5, 6, 7, 8, 11, 12, 13, 17, 20, 21, 26, 29, 30, 31, 32, 34), _MOVING),
        **_each((2, 9, 10, 14, 16, 19, 23, 24, 25, 27, 28, 33, 35), _PICKUP),
        **_each((15, 18, 22), _OUT),
        ANY: _MOVING,
    },
    9: _all(_MOVING),  # Импорт международной почты
    10: _all(_MOVING),  # Экспорт международной почты
    11: _all(_CUSTOMS),  # Прием на таможню
    12: {**_each(range(1, 29), _FAILED), ANY: _FAILED},  # Неудачная попытка вручения
    13: _all(_MOVING),  # Регистрация отправки
    # Таможенное оформление; released (1 выпущено, 13 выпуск разрешён, 16 выпущено, средства
    # зарезервированы): the parcel goes on, nothing is left to do about customs.
    14: {**_each(range(1, 20), _CUSTOMS), **_each((1, 13, 16), _MOVING), ANY: _CUSTOMS},
    15: _all(_LOST),  # Передача на временное хранение
    16: _all(_LOST),  # Уничтожение
    17: _all(_LOST),  # Оформление в собственность
    18: _all(_LOST),  # Регистрация утраты
    19: _all(_CUSTOMS),  # Таможенные платежи поступили
    20: _all(_INFO),  # Регистрация
    21: _all(_DELIVERED),  # Доставка: into the letter box or by hand
    22: _all(_FAILED),  # Недоставка
    23: _all(_LOST),  # Поступление на временное хранение
    24: _all(_CUSTOMS),  # Продление срока выпуска таможней
    25: _all(_MOVING),  # Вскрытие
    26: _all(_CANCELLED),  # Отмена
    27: _all(_INFO),  # Получена электронная регистрация
    28: _all(_INFO),  # Присвоение идентификатора: the label is made
    29: _all(_MOVING),  # Регистрация прохождения в ММПО
    30: _all(_MOVING),  # Отправка SRM
    31: _all(_MOVING),  # Обработка перевозчиком
    32: _all(_MOVING),  # Поступление АПО
    33: _all(_MOVING),  # Международная обработка
    34: _all(_MOVING),  # Электронное уведомление загружено
    35: _all(_FAILED),  # Отказ в курьерской доставке
    36: _all(_MOVING),  # Уточнение вида оплаты доставки
    37: _all(_INFO),  # Предварительное оформление
    38: _all(_MOVING),  # Задержка для уточнений у отправителя
    39: _all(_CUSTOMS),  # Предварительное таможенное декларирование
    40: _all(_CUSTOMS),  # Таможенный контроль
    41: _all(_CUSTOMS),  # Обработка таможенных платежей
    42: _all(_FAILED),  # Вторая неудачная попытка вручения
    43: _all(_MOVING),  # Вручение разрешено
    44: _all(_LOST),  # Отказ в приеме
}

RETURN_STARTED = 3
# Operations whose attribute alone says everything, and those whose attribute adds nothing.
ATTRIBUTE_ALONE = frozenset({8})
ATTRIBUTE_SILENT = frozenset({1})

_ON_THE_WAY = frozenset({_INFO, _MOVING, _CUSTOMS, _OUT, _PICKUP})


def map_operation(oper_type: int, oper_attr: int | None) -> Status:
    row = OPERATION_MAP.get(oper_type)
    if row is None:
        logger.warning(
            "unknown Russian Post operation %s/%s read as in transit", oper_type, oper_attr
        )
        return Status.IN_TRANSIT
    return row.get(oper_attr) or row.get(ANY) or Status.IN_TRANSIT


def parse_history(xml: bytes) -> list[TrackEvent]:
    """The events of a getOperationHistory answer; ValueError for a fault or anything else."""
    answer = read_answer(xml)
    if isinstance(answer, Fault):
        raise ValueError(f"the answer is a fault: {answer.detail or answer.code}")
    return list(events_from(answer))


def result_from(code: str, operations: Sequence[Operation]) -> TrackResult:
    events = events_from(operations)
    if not events:
        return TrackResult(code=code, status=Status.NOT_FOUND)
    newest = events[-1]
    return TrackResult(
        code=code,
        status=newest.status,
        events=events,
        carrier=CARRIER,
        status_text=newest.description,
    )


def events_from(operations: Sequence[Operation]) -> tuple[TrackEvent, ...]:
    timed = sorted(_timed(operations), key=lambda pair: pair[0])
    events: list[TrackEvent] = []
    returning = False
    for moment, operation in timed:
        status = _status(operation)
        if operation.oper_type == RETURN_STARTED:
            returning = True
        elif returning and status in _ON_THE_WAY:
            status = Status.RETURNING
        elif info(status).final:
            returning = False
        events.append(TrackEvent(moment, status, describe(operation), place(operation)))
    return tuple(events)


def describe(operation: Operation) -> str:
    kind, attr = operation.type_name, operation.attr_name
    if not attr or operation.oper_type in ATTRIBUTE_SILENT or attr.casefold() == kind.casefold():
        return kind or attr
    if not kind or operation.oper_type in ATTRIBUTE_ALONE:
        return attr
    if attr.casefold().startswith(kind.casefold()):
        return attr
    return f"{kind}: {attr}"


def place(operation: Operation) -> str:
    name, index, country = operation.place, operation.index, operation.country_name
    where = f"{index}, {name}" if index and name and index not in name else name or index
    if not where:
        return country
    foreign = operation.country_code not in ("", "RU")
    if foreign and country and country.casefold() not in where.casefold():
        return f"{where}, {country}"
    return where


def _status(operation: Operation) -> Status:
    if operation.oper_type is None:
        logger.warning("Russian Post operation without a type read as in transit")
        return Status.IN_TRANSIT
    return map_operation(operation.oper_type, operation.oper_attr)


def _timed(operations: Sequence[Operation]) -> list[tuple[datetime, Operation]]:
    """Operations with their moments; one without a readable date borrows its neighbour's."""
    known = next((op.occurred_at for op in operations if op.occurred_at is not None), None)
    if known is None:
        if operations:
            logger.warning("Russian Post sent %d operations without a date", len(operations))
        return []
    paired: list[tuple[datetime, Operation]] = []
    for operation in operations:
        known = operation.occurred_at or known
        paired.append((known, operation))
    return paired
