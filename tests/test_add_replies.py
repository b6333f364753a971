"""The summary of an add reply: refused codes are grouped by their reason, never all given one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.add_replies import summary_lines
from bot.outcomes import AddOutcome, AddProblem
from bot.texts import Catalogue
from providers.codes import Code, CodeKind

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MOSCOW = ZoneInfo("Europe/Moscow")
TEXTS = Catalogue().for_language("ru")


def refused(value: str, problem: AddProblem, retry_at: datetime | None = None) -> AddOutcome:
    return AddOutcome(Code(value, CodeKind.S10), None, False, problem, retry_at=retry_at)


def test_each_reason_gets_its_own_line_with_its_own_codes() -> None:
    again = NOW + timedelta(hours=5)
    outcomes = [
        refused("80085392123456", AddProblem.NO_SOURCE),
        refused("RA000012349CN", AddProblem.DAILY_LIMIT, again),
        refused("RA000012352CN", AddProblem.DAILY_LIMIT, again),
    ]
    lines = summary_lines(outcomes, 5, TEXTS, MOSCOW, NOW, 100)
    no_source, limit = lines
    assert no_source.startswith("Не добавлены (1): <code>80085392123456</code>.")
    assert "нет службы отслеживания" in no_source and "RA000012349CN" not in no_source
    assert limit.startswith(
        "Не добавлены (2): <code>RA000012349CN</code>, <code>RA000012352CN</code>."
    )
    assert "100 новых номеров — это предел" in limit and "с 20.11 17:00" in limit


def test_a_lone_refusal_keeps_its_own_words() -> None:
    [line] = summary_lines(
        [refused("80085392123456", AddProblem.NO_SOURCE)], 5, TEXTS, MOSCOW, NOW, 100
    )
    assert line.startswith("Пока не могу отслеживать <code>80085392123456</code>")
