"""The SOAP 1.2 wire of Russian Post's single-access tracking: `getOperationHistory` at `/rtm34`.

`build_request` writes the request in exactly the shape of the published example (prefixes
soap/oper/data/soapenv, the credentials in `data:AuthorizationHeader` with a SOAP 1.1
`mustUnderstand`). `read_answer` turns an answer into plain `Operation` records, oldest first
as sent, or a `Fault`; it judges nothing (statuses live in `providers.russianpost_mapping`).

Reading is tolerant: elements are matched by local name whatever their prefix, any child may be
missing, and the service's placeholders (`Index` 0, empty `Description`, empty names) read as
unknown. An `OperDate` keeps its own offset (Samara's +04:00 beside Moscow's +03:00 in one
history); one without an offset is read as Moscow time. A body that is neither a history nor a
fault raises ValueError, and so does one with a document type declaration, which SOAP forbids
(no entity tricks reach the parser).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import defusedxml.ElementTree as defused  # noqa: N813 - beside the standard ElementTree
from defusedxml import DefusedXmlException

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
OPERATION_NS = "http://russianpost.org/operationhistory"
DATA_NS = "http://russianpost.org/operationhistory/data"

# Russian Post's home zone; Moscow has kept UTC+3 all year since 2014.
MOSCOW = timezone(timedelta(hours=3), "MSK")

_REQUEST = (
    f'<soap:Envelope xmlns:soap="{SOAP12}" xmlns:oper="{OPERATION_NS}" '
    f'xmlns:data="{DATA_NS}" xmlns:soapenv="{SOAP11}">'
    "<soap:Header/>"
    "<soap:Body>"
    "<oper:getOperationHistory>"
    "<data:OperationHistoryRequest>"
    "<data:Barcode>{barcode}</data:Barcode>"
    "<data:MessageType>{message_type}</data:MessageType>"
    "<data:Language>{language}</data:Language>"
    "</data:OperationHistoryRequest>"
    '<data:AuthorizationHeader soapenv:mustUnderstand="1">'
    "<data:login>{login}</data:login>"
    "<data:password>{password}</data:password>"
    "</data:AuthorizationHeader>"
    "</oper:getOperationHistory>"
    "</soap:Body>"
    "</soap:Envelope>"
)


@dataclass(frozen=True, slots=True)
class Operation:
    """One `historyRecord`, as sent; empty strings and None stand for "not given"."""

    oper_type: int | None
    type_name: str
    oper_attr: int | None
    attr_name: str
    occurred_at: datetime | None
    index: str  # OperationAddress/Index; "" when absent or the placeholder 0
    place: str  # OperationAddress/Description
    country_code: str  # CountryOper/Code2A
    country_name: str  # CountryOper/NameRU (NameEN when that is all there is)


@dataclass(frozen=True, slots=True)
class Fault:
    """A SOAP 1.2 `S:Fault`; `detail` is the local name of the `S:Detail` child, if any."""

    code: str
    reason: str
    detail: str = ""
    detail_text: str = ""

    @property
    def text(self) -> str:
        return self.detail_text or self.reason


def build_request(
    barcode: str, login: str, password: str, *, message_type: int = 0, language: str = "RUS"
) -> bytes:
    """The request body; MessageType 0 asks for the item's own history (1: its notice's)."""
    return _REQUEST.format(
        barcode=escape(barcode),
        message_type=message_type,
        language=escape(language),
        login=escape(login),
        password=escape(password),
    ).encode()


def read_answer(body: bytes) -> list[Operation] | Fault:
    """The operations of a history answer (empty for an unknown item), or the fault sent."""
    root = _parse(body)
    payload = _child(_child(root, "Body") if _local(root.tag) == "Envelope" else None, None)
    if payload is None:
        raise ValueError("not a SOAP envelope with a body")
    if _local(payload.tag) == "Fault":
        return _fault(payload)
    if _local(payload.tag) != "getOperationHistoryResponse":
        raise ValueError(f"unexpected answer element {_local(payload.tag)!r}")
    data = _child(payload, "OperationHistoryData")
    records = [] if data is None else _children(data, "historyRecord")
    return [_operation(record) for record in records]


def _parse(body: bytes) -> ElementTree.Element:
    """SOAP allows no document type declaration: defusedxml refuses one in any encoding, and
    with it every entity trick (expansion bombs, external files)."""
    try:
        return defused.fromstring(body, forbid_dtd=True)
    except DefusedXmlException:
        raise ValueError("a document type declaration is not allowed in SOAP") from None
    except ElementTree.ParseError as exc:
        raise ValueError(f"malformed XML: {exc}") from None


def _fault(fault: ElementTree.Element) -> Fault:
    detail = _child(_child(fault, "Detail"), None)
    return Fault(
        code=_text(_child(fault, "Code"), "Value"),
        reason=_text(fault, "Reason", "Text"),
        detail="" if detail is None else _local(detail.tag),
        detail_text="" if detail is None else "".join(detail.itertext()).strip(),
    )


def _operation(record: ElementTree.Element) -> Operation:
    address = _child(record, "AddressParameters")
    operation = _child(record, "OperationParameters")
    country = _child(address, "CountryOper")
    index = _text(address, "OperationAddress", "Index")
    return Operation(
        oper_type=_id(_child(operation, "OperType")),
        type_name=_text(operation, "OperType", "Name"),
        oper_attr=_id(_child(operation, "OperAttr")),
        attr_name=_text(operation, "OperAttr", "Name"),
        occurred_at=_moment(_text(operation, "OperDate")),
        index="" if index.strip("0") == "" else index,
        place=_text(address, "OperationAddress", "Description"),
        country_code=_text(country, "Code2A").upper(),
        country_name=_text(country, "NameRU") or _text(country, "NameEN"),
    )


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=MOSCOW)


def _id(element: ElementTree.Element | None) -> int | None:
    try:
        return int(_text(element, "Id"))
    except ValueError:
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ElementTree.Element | None, name: str | None) -> ElementTree.Element | None:
    """The first child called `name` (any namespace); with None, the first child at all."""
    if element is None:
        return None
    return next((c for c in element if name is None or _local(c.tag) == name), None)


def _text(element: ElementTree.Element | None, *path: str) -> str:
    for name in path:
        element = _child(element, name)
    return (element.text or "").strip() if element is not None else ""
