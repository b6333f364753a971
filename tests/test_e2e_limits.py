"""The limits of one user, through the real stack: the daily allowance of numbers new to the bot
(each one costs the operator a registration at the source, so neither removing items nor /forget
gives it back), and the length of the list."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.admission import MAX_ITEMS_PER_USER
from bot.app import App
from providers.clock import ManualClock
from providers.codes import CodeKind, s10_check_digit
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram

LIMIT = 3
ALICE, BOB = 1001, 2002


def code(n: int) -> str:
    digits = f"{n:08d}"
    return f"RA{digits}{s10_check_digit(digits)}CN"


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path, clock: ManualClock) -> AsyncIterator[App]:
    settings = make_settings(tg, tmp_path / "bot.sqlite3", new_numbers_per_user_per_day=LIMIT)
    async with running_bot(settings, clock) as running:
        yield running


async def fill_allowance(alice: Chat) -> None:
    for n in range(LIMIT):
        assert "Добавлено" in (await alice.sends(code(7000 + n))).text


async def test_past_the_limit_a_new_number_is_refused_with_when_to_come_back(
    alice: Chat, clock: ManualClock
) -> None:
    await fill_allowance(alice)  # at 09:00 UTC, 12:00 in Moscow
    clock.advance(hours=2)
    refused = await alice.sends(code(7100))
    assert "За сутки вы добавили 3 новых номера" in refused.text
    assert "с 21.11 12:00" in refused.text  # when the first of the three leaves the 24 hours
    assert code(7100) in refused.text and not refused.buttons
    assert code(7100) not in (await alice.sends("/list")).text
    clock.advance(hours=22)
    assert "Добавлено" in (await alice.sends(code(7100))).text


async def test_removing_items_or_forgetting_everything_does_not_reset_the_allowance(
    alice: Chat,
) -> None:
    await fill_allowance(alice)
    confirm = await alice.sends(f"/remove {code(7000)}")
    await alice.taps("Да, удалить", on=confirm)
    assert "предел" in (await alice.sends(code(7100))).text
    confirm = await alice.sends("/forget")
    assert "через сутки они удаляются сами" in confirm.text
    await alice.taps("Да, удалить всё", on=confirm)
    assert "предел" in (await alice.sends(code(7101))).text


async def test_a_number_someone_already_follows_costs_nothing_and_is_added(
    alice: Chat, bob: Chat
) -> None:
    await bob.sends(code(7200))
    await fill_allowance(alice)
    assert "Добавлено" in (await alice.sends(code(7200))).text


async def test_the_refusal_speaks_english(bob: Chat) -> None:
    for n in range(LIMIT):
        await bob.sends(code(7200 + n))
    refused = await bob.sends(code(7210))
    assert "You have added 3 new numbers within 24 hours, which is the limit" in refused.text
    assert "from 21.11 12:00" in refused.text


async def test_refused_codes_get_one_line_after_the_cards_not_a_message_each(
    alice: Chat,
) -> None:
    codes = [code(7300 + n) for n in range(8)]
    await alice.sends(" ".join(codes))
    await alice.tg.until(lambda: any("Не добавлены" in m.text for m in alice.messages), 10)
    assert ["Добавлено" in m.text[:15] for m in alice.messages] == [True] * 3 + [False]
    summary = alice.messages[3].text
    assert "Не добавлены (5)" in summary and all(c in summary for c in codes[3:])
    assert summary.count("предел") == 1 and "в списке" not in summary


async def test_no_limit_when_the_operator_sets_zero(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    settings = make_settings(tg, tmp_path / "open.sqlite3", new_numbers_per_user_per_day=0)
    async with running_bot(settings, clock):
        carol = chat(3003, "ru")
        for n in range(LIMIT + 2):
            assert "Добавлено" in (await carol.sends(code(7400 + n))).text


async def fill_list(app: App, user_id: int, clock: ManualClock) -> None:
    """A list at its cap, written straight into the database (300 adds would take a minute)."""
    async with app.db.transaction() as tx:
        await tx.users.ensure(user_id, clock())
        for n in range(MAX_ITEMS_PER_USER):
            shipment, _ = await tx.shipments.get_or_create(
                "demo", code(8000 + n), CodeKind.S10, clock()
            )
            await tx.subscriptions.add(user_id, shipment.id, "", clock())


async def test_a_full_list_takes_no_more_numbers_even_ones_others_follow(
    app: App, alice: Chat, bob: Chat, clock: ManualClock
) -> None:
    await bob.sends(code(7300))
    await fill_list(app, ALICE, clock)
    for number in (code(7300), code(7301)):  # followed by Bob, and new to the bot
        refused = await alice.sends(number)
        assert "Список заполнен" in refused.text
    assert "Ваши посылки и заказы: 300" in (await alice.sends("/list")).text
    again = await alice.sends(code(8000))  # one she follows already is still shown
    assert "Список заполнен" not in again.text and code(8000) in again.text
