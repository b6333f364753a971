"""A card's progress line and buttons through the real stack: the line shows only the journey a
parcel really made, and a finished item offers the archive instead of muting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.app import App
from providers.clock import ManualClock
from providers.statuses import Status
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource, s10
from tests.fakes.telegram import Message

MOVING, DONE, UNKNOWN, RETURNING, EXPIRED_ON_WAY, EXPIRED_UNSEEN = (s10(n) for n in range(1, 7))


@pytest.fixture
def source(clock: ManualClock) -> ScriptedSource:
    source = ScriptedSource.with_delivered_and_moving(DONE, MOVING, clock.now)
    week_ago = clock.now - timedelta(days=7)
    source.set(
        RETURNING,
        Status.RETURNING,
        (week_ago, Status.READY_FOR_PICKUP, "Прибыло в место вручения", "Казань"),
        (clock.now, Status.RETURNING, "Возврат отправителю", "Казань"),
    )
    source.set(
        EXPIRED_ON_WAY,
        Status.EXPIRED,
        (clock.now - timedelta(days=60), Status.CUSTOMS, "Таможенное оформление", "Москва"),
    )
    source.set(EXPIRED_UNSEEN, Status.EXPIRED)
    return source


@pytest.fixture
def shopper(chat: Callable[..., Chat], scripted: App) -> Chat:
    return chat(1001, "ru", first_name="Алиса")


def progress(message: Message) -> list[str]:
    return [line for line in message.text.splitlines() if "━" in line]


def labels(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def test_a_parcel_on_its_way_shows_the_stages_behind_and_ahead(shopper: Chat) -> None:
    (line,) = progress(await shopper.sends(MOVING))
    assert line.startswith("● Оформление ━ ● Отправка ━ ◉ В пути ━ ○ Прибытие")


@pytest.mark.parametrize("code", [UNKNOWN, RETURNING, EXPIRED_UNSEEN])
async def test_a_status_off_the_journey_draws_no_progress_line(shopper: Chat, code: str) -> None:
    """Not found yet, going back, expired unseen: no stage it never reached, no step back."""
    card = await shopper.sends(code)
    assert code in card.text
    assert progress(card) == []


async def test_an_expired_number_shows_where_its_tracking_stopped(shopper: Chat) -> None:
    (line,) = progress(await shopper.sends(EXPIRED_ON_WAY))
    assert "● Отправка ━ ⚠ В пути ━ ○ Прибытие" in line


async def test_a_finished_item_offers_the_archive_instead_of_muting(shopper: Chat) -> None:
    done = labels(await shopper.sends(DONE))
    moving = labels(await shopper.sends(MOVING))
    assert not any("уведомлений" in label for label in done)
    assert "🔄 Обновить" in done and "🗄 В архив" in done
    assert "🔕 Не уведомлять" in moving
