"""The summary of an add reply: refused codes are grouped by their reason, never all given one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.add_replies import MAX_CODES_NAMED, bad_codes_text, label_left_out, summary_lines
from bot.outcomes import AddOutcome, AddProblem
from bot.texts import Catalogue
from providers.codes import BadCode, BadCodeReason, Code, CodeKind

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
    assert no_source.startswith(
        "Не добавлены (1): <code>80085392123456</code>\nДля номеров такого"
    )
    assert "не подключена служба" in no_source and "RA000012349CN" not in no_source
    assert limit.startswith(
        "Не добавлены (2): <code>RA000012349CN</code>, <code>RA000012352CN</code>\n"
    )
    assert "100 новых номеров — это предел" in limit and "с 20.11 17:00" in limit


def test_a_lone_refusal_keeps_its_own_words() -> None:
    [line] = summary_lines(
        [refused("80085392123456", AddProblem.NO_SOURCE)], 5, TEXTS, MOSCOW, NOW, 100
    )
    assert line.startswith("Не могу отслеживать <code>80085392123456</code>")


def test_a_long_list_past_the_cards_ends_with_its_codes_not_a_stray_full_stop() -> None:
    followed = [refused(f"RA{n:08d}0CN", AddProblem.NO_SOURCE) for n in range(MAX_CODES_NAMED + 3)]
    [line] = summary_lines(followed, 0, TEXTS, MOSCOW, NOW, 100)
    assert "…." not in line and "…\n" in line


def test_a_label_beside_several_numbers_is_said_to_be_unused() -> None:
    label = label_left_out("кроссовки <синие>", 2)
    [line] = summary_lines([], 5, TEXTS, MOSCOW, NOW, 100, label)
    assert "«кроссовки &lt;синие&gt;»" in line and "Изменить подпись" in line


@pytest.mark.parametrize(
    ("rest", "codes", "unused"),
    [
        ("кроссовки", 1, ""),  # one number: it is the label
        ("и", 2, ""),
        ("и кроссовки", 2, "кроссовки"),
        (", 2,", 3, ""),
        ("", 2, ""),
        ("and shoes", 2, "shoes"),
    ],
)
def test_only_real_words_beside_several_numbers_are_a_label_left_out(
    rest: str, codes: int, unused: str
) -> None:
    assert label_left_out(rest, codes) == unused


def test_a_code_cut_short_is_explained_as_such() -> None:
    cut = BadCode("RA123456785C", CodeKind.S10, BadCodeReason.CUT_SHORT)
    assert "без последних букв" in bad_codes_text([cut], TEXTS)
    assert "RA123456785C" in bad_codes_text([cut], TEXTS)
