"""A fake Russian Post single-access tracking service (rtm34) on 127.0.0.1 for the real provider.

`FakeRussianPost` takes SOAP 1.2 POSTs to ``/rtm34`` (``application/soap+xml``, any prefixes,
`mustUnderstand` in whatever namespace) and answers like the real service: a history in the
framing of the 2016 capture (single-quoted declaration, no whitespace, ns2...ns7 declared on
``ns7:getOperationHistoryResponse``, oldest record first, full item details on the first record
and trimmed ones after), an empty ``OperationHistoryData`` for a number it knows nothing about,
and JAX-WS faults with HTTP 500: AuthorizationFault for wrong credentials, the barcode-format
OperationHistoryFault for anything but 14 digits or an S10 number, LanguageFault for a language
other than RUS/ENG, and our reconstruction of the daily-limit fault once `daily_limit` calls
were answered. Tests script histories with `set_history`, inject failures with `fail_next` or
`reply_next`, and read what arrived in `requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from aiohttp import web

from tests.fakes.loopback import serve

PATH = "/rtm34"
CONTENT_TYPE = "application/soap+xml;charset=utf-8"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"
NAMESPACES = (
    'xmlns:ns2="http://russianpost.org/sms-info/data" '
    'xmlns:ns3="http://russianpost.org/operationhistory/data" '
    'xmlns:ns4="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns5="http://www.russianpost.org/custom-duty-info/data" '
    'xmlns:ns6="http://www.russianpost.org/RTM/DataExchangeESPP/Data" '
    'xmlns:ns7="http://russianpost.org/operationhistory"'
)
BARCODE = re.compile(r"\d{14}|[A-Z]{2}\d{9}[A-Z]{2}")
AUTH_TEXT = "Ошибка авторизации: неверный логин или пароль"
FORMAT_TEXT = "Формат данных запроса не соответствует установленному в регламенте обмена"
DAILY_LIMIT_TEXT = "Превышено допустимое количество запросов в сутки"
LANGUAGE_TEXT = "Language is not supported"

# The service's names of the codes tests use (it always sends both names).
TYPE_NAMES = {
    1: "Прием",
    2: "Вручение",
    3: "Возврат",
    4: "Досылка почты",
    5: "Невручение",
    6: "Хранение",
    8: "Обработка",
    9: "Импорт международной почты",
    10: "Экспорт международной почты",
    11: "Прием на таможню",
    12: "Неудачная попытка вручения",
    14: "Таможенное оформление",
    26: "Отмена",
    28: "Присвоение идентификатора",
}
ATTR_NAMES = {
    (1, 1): "Единичный",
    (2, 1): "Вручение адресату",
    (2, 2): "Вручение отправителю",
    (3, 1): "Истек срок хранения",
    (3, 4): "Отказ адресата",
    (6, 3): "Установленный срок хранения",
    (8, 0): "Сортировка",
    (8, 1): "Покинуло место приема",
    (8, 2): "Прибыло в место вручения",
    (8, 3): "Прибыло в сортировочный центр",
    (8, 4): "Покинуло сортировочный центр",
    (8, 5): "Прибыло в место международного обмена",
    (8, 13): "Прибыло на территорию РФ",
    (8, 18): "Передано почтальону",
    (12, 1): "Временное отсутствие адресата",
    (14, 1): "Выпущено таможней",
    (14, 7): "Требуется досмотр",
}
# Code2A -> (Id, Code3A, NameRU, NameEN)
COUNTRIES = {
    "RU": ("643", "RUS", "Российская Федерация", "Russian Federation"),
    "CN": ("156", "CHN", "Китай", "China"),
    "DE": ("276", "DEU", "Германия", "Germany"),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One history record to serve; names default to the service's names of the codes."""

    oper_type: int
    oper_attr: int
    date: str  # ISO 8601 with the office's offset, e.g. "2026-11-16T10:15:00+03:00"
    index: str = ""  # "" leaves the Index out, as for a foreign office
    description: str = ""
    country: str = "RU"  # CountryOper Code2A
    type_name: str | None = None
    attr_name: str | None = None


class RecordedRequest(NamedTuple):
    barcode: str
    message_type: str
    language: str
    login: str
    password: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True, slots=True)
class _Failure:
    kind: int | str  # an HTTP status, "timeout", "garbage" or "truncated"
    retry_after: float | None = None
    delay: float = 5.0
    body: bytes = b""


class FakeRussianPost:
    def __init__(
        self,
        login: str = "test-login",
        password: str = "test-password",
        *,
        daily_limit: int | None = None,
    ) -> None:
        self.login = login
        self.password = password
        self.daily_limit = daily_limit
        self.answered = 0  # authenticated calls answered, what the daily limit counts
        self.url = ""
        self.requests: list[RecordedRequest] = []
        self._histories: dict[str, list[Operation]] = {}
        self._failures: deque[_Failure] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeRussianPost:
        app = web.Application()
        app.router.add_post(PATH, self._handle)
        self._runner, self.url = await serve(app)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls -------------------------------------------------------------------

    def set_history(self, barcode: str, records: list[Operation]) -> None:
        """What the service knows about `barcode`, oldest first as it sends them."""
        self._histories[barcode] = list(records)

    def fail_next(
        self, kind: int | str = 500, *, retry_after: float | None = None, delay: float = 5.0
    ) -> None:
        """The next request fails: an HTTP status with an empty body, "timeout" (answers after
        `delay` seconds), "garbage" (not XML, HTTP 200) or "truncated" (closed mid-body)."""
        self._failures.append(_Failure(kind, retry_after, delay))

    def reply_next(self, body: bytes, status: int = 200) -> None:
        """The next request gets exactly this body."""
        self._failures.append(_Failure(status, body=body))

    # --- HTTP ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        fields = _request_fields(raw)
        headers = {name.lower(): value for name, value in request.headers.items()}
        self.requests.append(RecordedRequest(*fields, headers=headers, body=raw))
        if self._failures:
            return await self._fail(request, self._failures.popleft())
        if not request.content_type.startswith("application/soap+xml"):
            return web.Response(status=415, text="Unsupported Media Type")
        return _soap(*self._answer(*fields))

    def _answer(
        self, barcode: str, message_type: str, language: str, login: str, password: str
    ) -> tuple[bytes, int]:
        if not barcode and not login:
            return fault_body("S:Sender", "Couldn't create SOAP message", ""), 500
        if (login, password) != (self.login, self.password):
            return fault_body("S:Receiver", AUTH_TEXT, "AuthorizationFaultReason"), 500
        if self.daily_limit is not None and self.answered >= self.daily_limit:
            return fault_body("S:Receiver", DAILY_LIMIT_TEXT), 500
        self.answered += 1
        if language not in ("RUS", "ENG"):
            return fault_body("S:Receiver", LANGUAGE_TEXT, "LanguageFaultReason"), 500
        if BARCODE.fullmatch(barcode) is None or message_type not in ("0", "1"):
            return fault_body("S:Receiver", FORMAT_TEXT), 500
        return history_body(barcode, self._histories.get(barcode, [])), 200

    async def _fail(self, request: web.Request, failure: _Failure) -> web.StreamResponse:
        if failure.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), failure.delay)
            return _soap(history_body("", []))
        if failure.kind == "garbage":
            return web.Response(body=b"<html>502 Bad Gateway\x00<", content_type="text/html")
        if failure.kind == "truncated":
            full = history_body("80102367216110", [Operation(1, 1, "2026-11-10T12:30:00+03:00")])
            response = web.StreamResponse(headers={"Content-Type": CONTENT_TYPE})
            response.content_length = len(full)
            await response.prepare(request)
            await response.write(full[: len(full) // 2])
            if request.transport is not None:
                request.transport.close()
            return response
        headers = {"Content-Type": CONTENT_TYPE}
        if failure.retry_after is not None:
            headers["Retry-After"] = f"{failure.retry_after:g}"
        return web.Response(status=int(failure.kind), body=failure.body, headers=headers)


# --- bodies ------------------------------------------------------------------------------


def history_body(barcode: str, records: list[Operation]) -> bytes:
    """A getOperationHistory answer in the real framing."""
    rows = "".join(_record(barcode, op, first=i == 0) for i, op in enumerate(records))
    return (
        f'{DECLARATION}<S:Envelope xmlns:S="{SOAP12}"><S:Body>'
        f"<ns7:getOperationHistoryResponse {NAMESPACES}>"
        f"<ns3:OperationHistoryData>{rows}</ns3:OperationHistoryData>"
        "</ns7:getOperationHistoryResponse></S:Body></S:Envelope>"
    ).encode()


def fault_body(code: str, text: str, detail: str = "OperationHistoryFaultReason") -> bytes:
    """A JAX-WS SOAP 1.2 fault; an empty `detail` leaves S:Detail out."""
    reason = f'<S:Reason><S:Text xml:lang="ru">{escape(text)}</S:Text></S:Reason>'
    detail_xml = (
        f"<S:Detail><ns3:{detail} {NAMESPACES}>{escape(text)}</ns3:{detail}></S:Detail>"
        if detail
        else ""
    )
    return (
        f'{DECLARATION}<S:Envelope xmlns:S="{SOAP12}"><S:Body>'
        '<S:Fault xmlns:ns4="http://schemas.xmlsoap.org/soap/envelope/">'
        f"<S:Code><S:Value>{code}</S:Value></S:Code>{reason}{detail_xml}"
        "</S:Fault></S:Body></S:Envelope>"
    ).encode()


def _record(barcode: str, op: Operation, *, first: bool) -> str:
    index = f"<ns3:Index>{escape(op.index)}</ns3:Index>" if op.index else ""
    address = (
        (
            _element("DestinationAddress", "<ns3:Index>0</ns3:Index><ns3:Description/>")
            if first
            else ""
        )
        + _element("OperationAddress", index + _leaf("Description", op.description))
        + (_country("MailDirect", "RU") if first else "")
        + _country("CountryOper", op.country)
    )
    finance = (
        "<ns3:Payment>0</ns3:Payment><ns3:Value>0</ns3:Value><ns3:MassRate>18500</ns3:MassRate>"
        "<ns3:InsrRate>0</ns3:InsrRate><ns3:AirRate>0</ns3:AirRate><ns3:Rate>1000</ns3:Rate>"
        if first
        else ""
    ) + "<ns3:CustomDuty>0</ns3:CustomDuty>"
    item = (
        _leaf("Barcode", barcode)
        + "<ns3:ValidRuType>false</ns3:ValidRuType><ns3:ValidEnType>false</ns3:ValidEnType>"
        + (
            "<ns3:ComplexItemName>Посылка обыкновенная</ns3:ComplexItemName>"
            + _named("MailType", 4, "Посылка")
            + _named("MailCtg", 3, "Обыкновенное")
            + "<ns3:Mass>291</ns3:Mass>"
            if first
            else ""
        )
    )
    type_name = TYPE_NAMES.get(op.oper_type, "") if op.type_name is None else op.type_name
    attr_name = (
        ATTR_NAMES.get((op.oper_type, op.oper_attr), "") if op.attr_name is None else op.attr_name
    )
    moment = datetime.fromisoformat(op.date).isoformat(timespec="milliseconds")
    operation = (
        _named("OperType", op.oper_type, type_name)
        + _named("OperAttr", op.oper_attr, attr_name)
        + _leaf("OperDate", moment)
    )
    user = (_named("SendCtg", 1, "Население") if first else "") + "<ns3:Sndr/><ns3:Rcpn/>"
    return _element(
        "historyRecord",
        _element("AddressParameters", address)
        + _element("FinanceParameters", finance)
        + _element("ItemParameters", item)
        + _element("OperationParameters", operation)
        + _element("UserParameters", user),
    )


def _country(tag: str, code: str) -> str:
    number, code3, name_ru, name_en = COUNTRIES.get(code, ("0", code, code, code))
    return _element(
        tag,
        _leaf("Id", number)
        + _leaf("Code2A", code)
        + _leaf("Code3A", code3)
        + _leaf("NameRU", name_ru)
        + _leaf("NameEN", name_en),
    )


def _named(tag: str, number: int, name: str) -> str:
    return _element(tag, _leaf("Id", str(number)) + (_leaf("Name", name) if name else ""))


def _leaf(tag: str, text: str) -> str:
    return _element(tag, escape(text))


def _element(tag: str, content: str) -> str:
    return f"<ns3:{tag}>{content}</ns3:{tag}>"


def _soap(body: bytes, status: int = 200) -> web.Response:
    return web.Response(status=status, body=body, headers={"Content-Type": CONTENT_TYPE})


def _request_fields(raw: bytes) -> tuple[str, str, str, str, str]:
    """Barcode, MessageType, Language, login and password, matched by local name ("" if none)."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return ("", "", "", "", "")
    if root.tag != f"{{{SOAP12}}}Envelope":
        return ("", "", "", "", "")
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        found.setdefault(name, (element.text or "").strip())
    names = ("Barcode", "MessageType", "Language", "login", "password")
    barcode, message_type, language, login, password = (found.get(n, "") for n in names)
    return barcode, message_type, language, login, password
