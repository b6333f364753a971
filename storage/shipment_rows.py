"""How a shipment row is read: the column order every statement selects, decoded by position."""

from __future__ import annotations

from providers.statuses import Status
from storage.models import Shipment
from storage.sql import Row, from_ms, opt_dt, select_list

COLUMNS = (
    "id",
    "source",
    "code",
    "kind",
    "status",
    "status_text",
    "carrier",
    "linked_code",
    "created_at",
    "checked_at",
    "next_check_at",
    "last_event_at",
    "error_count",
    "last_error",
    "fingerprint",
)
RETURNING = ", ".join(COLUMNS)
SELECT = select_list("sh", COLUMNS)  # aliased: joins select shipments beside other tables


_STATUSES = {status.value: status for status in Status}  # a dict look-up, not an enum call


def shipment_from_row(row: Row, prefix: str = "") -> Shipment:
    """A shipment from a row of COLUMNS in that order, or, with a prefix, a joined row.

    The poller decodes thousands of rows a tick: reading them by position costs a fraction of
    looking up fifteen names, and every statement of this module selects COLUMNS in order (a
    row of another shape fails to unpack instead of being misread).
    """
    values = tuple(row[f"{prefix}{column}"] for column in COLUMNS) if prefix else tuple(row)
    (id_, source, code, kind, status, text, carrier, linked, created, checked, next_at, last_at,
     errors, last_error, digest) = values  # fmt: skip
    return Shipment(
        id=id_,
        source=source,
        code=code,
        kind=kind,
        status=_STATUSES[status],
        status_text=text,
        carrier=carrier,
        linked_code=linked,
        created_at=from_ms(created),
        checked_at=opt_dt(checked),
        next_check_at=opt_dt(next_at),
        last_event_at=opt_dt(last_at),
        error_count=errors,
        last_error=last_error,
        fingerprint=digest,
    )
