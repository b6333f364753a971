"""The texts of a reply to added codes: mistyped ones, one header per outcome, and the summary
of those past the cards. Pure functions of the outcomes and the texts, so the handler stays thin.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.cards import format_time
from bot.labels import clean_label
from bot.outcomes import AddOutcome, AddProblem
from bot.texts import Texts
from providers.bare_numbers import Asked, AskReason
from providers.codes import BadCode, BadCodeReason

MAX_BAD_EXPLAINED = 5  # mistyped codes explained one by one; the rest named in one line
MAX_CODES_NAMED = 30  # past the cards, by code; the rest only counted (message limits)
_JOINING_WORDS = frozenset({"и", "а", "или", "ещё", "еще", "также", "and", "or", "also", "plus"})

PROBLEM_KEYS = {
    AddProblem.NO_SOURCE: "add-no-source",
    AddProblem.TOO_MANY: "add-too-many",
    AddProblem.NEEDS_CARRIER: "add-needs-carrier",
    AddProblem.REJECTED: "add-rejected",
    AddProblem.SOURCE_DOWN: "add-source-down",
    AddProblem.DAILY_LIMIT: "add-daily-limit",
}


def bad_code_text(bad: BadCode, texts: Texts) -> str:
    if bad.reason is BadCodeReason.CHECK_DIGIT and bad.expected_check_digit is not None:
        return texts(
            "code-bad-check-digit", code=escape(bad.value), expected=bad.expected_check_digit
        )
    if bad.reason is BadCodeReason.CUT_SHORT:
        return texts("code-bad-cut-short", code=escape(bad.value))
    return texts("code-bad-format", code=escape(bad.value))


ASK_TEXTS = {
    AskReason.DIGITS: "bare-number-ask",
    AskReason.SPACED: "spaced-code-ask",
    AskReason.LINK: "link-code-ask",
}


def ask_text(asked: Sequence[Asked], texts: Texts) -> str:
    """The "is this a track number?" question says why it asks: digits only look like order
    numbers, S10 letters typed apart like words, and a link is someone's page; numbers asked
    about for different reasons get one word for all."""
    reasons = {one.reason for one in asked}
    key = ASK_TEXTS[reasons.pop()] if len(reasons) == 1 else "mixed-numbers-ask"
    return texts(key, count=len(asked))


def bad_codes_text(found: Sequence[BadCode], texts: Texts) -> str:
    """One reply for all the mistyped codes of a message, however many there are."""
    lines = [bad_code_text(bad, texts) for bad in found[:MAX_BAD_EXPLAINED]]
    rest = found[MAX_BAD_EXPLAINED:]
    if rest:
        lines.append(texts("code-bad-more", count=len(rest), codes=named_codes(rest)))
    return "\n\n".join(lines)


def named_codes(items: Sequence[BadCode] | Sequence[AddOutcome]) -> str:
    values = [i.value if isinstance(i, BadCode) else i.code.value for i in items]
    named = [f"<code>{escape(value)}</code>" for value in values[:MAX_CODES_NAMED]]
    return ", ".join(named) + (", …" if len(values) > MAX_CODES_NAMED else "")


def outcome_header(
    outcome: AddOutcome,
    texts: Texts,
    tz: ZoneInfo,
    now: datetime,
    daily_limit: int,
    *,
    notifying: bool = True,
) -> str:
    code = escape(outcome.code.value)
    if outcome.problem is AddProblem.DAILY_LIMIT:
        again = format_time(outcome.retry_at or now, tz, now)
        return texts("add-daily-limit", code=code, limit=daily_limit, time=again)
    if outcome.problem is not None:
        key = PROBLEM_KEYS[outcome.problem]
    elif outcome.created:
        key = "add-added" if notifying else "add-added-silent"
    elif outcome.restored:
        key = "add-restored"
    else:
        key = "add-relabelled" if outcome.relabelled else "add-already"
    return texts(key, code=code)


REASON_KEYS = {
    AddProblem.NO_SOURCE: "add-reason-no-source",
    AddProblem.REJECTED: "add-reason-rejected",
    AddProblem.TOO_MANY: "add-reason-too-many",
    AddProblem.DAILY_LIMIT: "add-reason-daily-limit",
}


def summary_lines(
    outcomes: Sequence[AddOutcome],
    shown: int,
    texts: Texts,
    tz: ZoneInfo,
    now: datetime,
    daily_limit: int,
    unused_label: str = "",
) -> list[str]:
    """What the cards (the first `shown` outcomes now in the list) leave out: the others now in
    the list, then those refused, one line per reason (a lone refusal keeps its own words), and
    a label given to several numbers at once."""
    lines = []
    followed = [o for o in outcomes[shown:] if o.view is not None]
    if followed:
        lines.append(texts("add-more-added", count=len(followed), codes=named_codes(followed)))
    refused = [o for o in outcomes if o.view is None]
    if len(refused) == 1:
        lines.append(outcome_header(refused[0], texts, tz, now, daily_limit))
    else:
        lines += _refusals_by_reason(refused, texts, tz, now, daily_limit)
    if unused_label:
        lines.append(texts("add-label-left-out", label=escape(unused_label)))
    return lines


def _refusals_by_reason(
    refused: Sequence[AddOutcome], texts: Texts, tz: ZoneInfo, now: datetime, daily_limit: int
) -> list[str]:
    lines = []
    for problem, key in REASON_KEYS.items():
        group = [o for o in refused if o.problem is problem]
        if group:
            again = format_time(group[0].retry_at or now, tz, now)
            reason = texts(key, limit=daily_limit, time=again)
            lines.append(
                texts("add-not-added", count=len(group), codes=named_codes(group), reason=reason)
            )
    return lines


def label_left_out(rest: str, codes: int) -> str:
    """The words beside several numbers label none of them, so the user is told they were not
    used rather than left to wonder where they went. Joining words alone (`RA… и RA…`) are
    nothing to tell."""
    if codes < 2:
        return ""
    words = clean_label(rest).split(" ")
    while words and words[0].strip(",;").lower() in _JOINING_WORDS:
        words.pop(0)  # "RA… и RA… кроссовки": the words left are "и кроссовки"
    label = " ".join(words)
    meaningful = [w for w in re.findall(r"\w+", label.lower()) if w not in _JOINING_WORDS]
    return label if any(len(word) > 1 and not word.isdigit() for word in meaningful) else ""
