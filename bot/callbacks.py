"""Every CallbackData factory in one place: versioned prefixes, small integer ids, action enums.

Data from a button is never trusted: handlers re-load the item by id AND the pressing user, and
a button from an older version (another prefix) or a deleted item gets a polite answer.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A forged number beyond what the database or a page can hold is refused as an outdated
# button, before any query could overflow on it.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, Field(ge=0, le=100_000)]
CarrierKey = Annotated[int, Field(ge=0, le=2**31 - 1)]
# A number the user was asked about: digits only (a Russian Post number from a link among them),
# or an S10 code as normalised (14 bytes at most).
AskedNumber = Annotated[str, Field(pattern=r"^(?:[0-9]{10,14}|[A-Z]{2}[0-9]{9}[A-Z]{2})$")]


class ItemAction(StrEnum):
    OPEN = "o"
    REFRESH = "r"
    HISTORY = "h"
    EXPLAIN = "e"
    MUTE = "m"
    UNMUTE = "u"
    RENAME = "n"
    DELETE = "d"
    DELETE_YES = "y"
    BACK = "b"
    ARCHIVE = "a"
    UNARCHIVE = "x"


class ItemCb(CallbackData, prefix="i1"):
    action: ItemAction
    item_id: RowId


class CarrierCb(CallbackData, prefix="c1"):
    item_id: RowId
    carrier: CarrierKey


class NumberCb(CallbackData, prefix="n1"):
    """ "Track this number": a number of digits only, or an S10 code typed as words, that the
    user was asked about. It names no item: pressing adds it to the presser's own list, after
    the same check as when it was sent."""

    number: AskedNumber


class PageCb(CallbackData, prefix="p1"):
    page: PageNumber


class ArchivePageCb(CallbackData, prefix="a1"):
    page: PageNumber


class ForgetCb(CallbackData, prefix="g1"):
    """The answer to "delete everything?": it names no item, only the pressing user is erased."""

    confirmed: bool


class FaqCb(CallbackData, prefix="f1"):
    topic: str
    status: str = ""


class SettingsAction(StrEnum):
    MENU = "menu"
    LANGUAGE = "lang"
    NOTIFY = "notify"
    QUIET = "quiet"
    TIMEZONE = "tz"


class SettingsCb(CallbackData, prefix="s1"):
    action: SettingsAction
    value: str = ""


KNOWN_PREFIXES = ("i1:", "p1:", "a1:", "g1:", "f1:", "s1:", "c1:", "n1:")
