"""Push alerts end to end: poll tick, change detection, outbox, sender, fake Telegram."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.config import Settings
from bot.send_cap import PER_CHAT_INTERVAL
from providers.clock import ManualClock
from providers.statuses import Status
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram
from tests.test_crash import CHATS, seed_alerts

CODE = "RA000012349CN"
OTHER_CODE = "RA123456785CN"
NIGHT = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)  # 00:00 in Moscow


def alerts_in(chat: Chat) -> list[str]:
    return [m.text for m in chat.messages if m.text.startswith("🔔")]


async def cycle(app: App, *, spaced: bool = False) -> None:
    """One poll tick and one outbox drain, as the scheduler would run them.

    `spaced` waits out Telegram's one-message-a-second-per-chat spacing first, which the sender
    keeps in real time whatever the test's clock says.
    """
    if spaced:
        await asyncio.sleep(PER_CHAT_INTERVAL)
    await app.poller.tick()
    assert app.sender is not None
    await app.sender.drain(budget_seconds=5)


async def settle(chat: Chat) -> None:
    await chat.tg.until(lambda: False, timeout=0.2)


def in_transit(source: ScriptedSource, clock: ManualClock, code: str = CODE) -> None:
    source.set(
        code,
        Status.IN_TRANSIT,
        (
            clock.now - timedelta(hours=1),
            Status.IN_TRANSIT,
            "Покинуло сортировочный центр",
            "Москва",
        ),
    )


async def followed_in_transit(
    alice: Chat, app: App, source: ScriptedSource, clock: ManualClock
) -> Chat:
    """`alice` follows CODE, which moves three hours later; its first alert has been sent."""
    await alice.sends(CODE)
    in_transit(source, clock)
    clock.advance(hours=3)
    await cycle(app)
    return alice


async def test_a_change_is_pushed_once_to_each_follower(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice, bob, carol = chat(1, "ru"), chat(2, "en"), chat(3, "ru")
    for person in (alice, bob, carol):
        await person.sends(CODE)
    in_transit(source, clock)
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    assert len(alerts_in(alice)) == 1
    assert len(alerts_in(carol)) == 1
    assert len(alerts_in(bob)) == 1
    assert "Покинуло сортировочный центр" in alerts_in(alice)[0]
    assert "In transit" in alerts_in(bob)[0]
    assert len(source.calls) == 2  # the first add, then one poll for all three followers
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    assert len(alerts_in(alice)) == 1  # nothing new: nothing sent


async def test_muted_followers_get_nothing(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice, bob = chat(1, "ru"), chat(2, "ru")
    added = await alice.sends(CODE)
    await bob.sends(CODE)
    await alice.taps("Не уведомлять", on=added)
    in_transit(source, clock)
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(bob)
    assert alerts_in(alice) == []
    assert len(alerts_in(bob)) == 1


async def test_several_events_at_once_make_one_message(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    t = clock.now
    source.set(
        CODE,
        Status.CUSTOMS,
        (t + timedelta(minutes=10), Status.IN_TRANSIT, "Прибыло на территорию РФ", "Москва"),
        (t + timedelta(minutes=20), Status.CUSTOMS, "Прием на таможню", "Москва ЦМП"),
        (t + timedelta(minutes=30), Status.CUSTOMS, "Осмотрено таможней", "Москва ЦМП"),
    )
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    assert len(alerts_in(alice)) == 1
    assert "Прием на таможню" in alerts_in(alice)[0]
    assert "Прибыло на территорию РФ" in alerts_in(alice)[0]


async def test_an_alert_of_many_long_events_is_whole_and_within_telegram_limits(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    """The fake Bot API refuses broken HTML and texts over 4,096 characters, as Telegram does."""
    alice = chat(1, "ru")
    await alice.sends(f"{CODE} {'подарок & <маме> ' * 20}")
    t = clock.now
    wordy, far = "Обработка & <сортировка> " * 60, "Москва & ЦМП " * 30
    source.set(
        CODE,
        Status.CUSTOMS,
        *((t + timedelta(minutes=m), Status.CUSTOMS, f"{m}: {wordy}", far) for m in range(1, 9)),
    )
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    [alert] = alerts_in(alice)
    assert len(alert) <= 4096
    assert "8: Обработка & <сортировка>" in alert and "…" in alert
    assert "Москва & ЦМП" in alert


class FlowingClock(ManualClock):
    """Moves when told and with real time too, as the sender's chat spacing does."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self._origin)


async def test_two_alerts_to_one_chat_go_out_in_one_drain_a_spacing_apart(
    tg: FakeTelegram, tmp_path: Path, source: ScriptedSource, chat: Callable[..., Chat]
) -> None:
    clock = FlowingClock(NIGHT - timedelta(hours=12))  # midday in Moscow: no quiet hours
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False)
    async with running_bot(settings, clock, [source]) as app:
        alice = chat(1, "ru")
        for code in (CODE, OTHER_CODE):
            await alice.sends(code)
            in_transit(source, clock, code)
        clock.advance(hours=3)
        await app.poller.tick()
        assert app.sender is not None
        report = await app.sender.drain(budget_seconds=5)
        await settle(alice)
    assert report.sent == 2  # the second waited for the chat inside the same drain
    first, second = [m for m in tg.sent if m.action == "send" and m.text.startswith("🔔")]
    assert second.at - first.at >= 1.0


async def test_a_stopped_drain_hands_back_what_it_has_not_sent(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    settings = make_settings(
        tg, tmp_path / "bot.sqlite3", demo_source=False, send_rate_per_second=4, quiet_hours="off"
    )
    await seed_alerts(settings.database_url)  # five chats, one alert each, due now
    async with running_bot(settings, FlowingClock(datetime.now(UTC))) as app:
        assert app.sender is not None
        draining = asyncio.create_task(app.sender.drain(budget_seconds=30))
        await tg.wait_until(lambda: len(tg.sent) >= 1, timeout=5, what="the first alert")
        app.sender.stop()
        report = await asyncio.wait_for(draining, timeout=3)
        async with app.db.transaction() as tx:
            left = await tx.outbox.claim_due(datetime.now(UTC), 10, timedelta(minutes=1))
    assert 1 <= report.sent < len(CHATS)
    assert len(left) == len(CHATS) - report.sent  # unclaimed at once, not after the lease


async def test_a_reworded_description_is_not_news(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    at = clock.now
    source.set(CODE, Status.IN_TRANSIT, (at, Status.IN_TRANSIT, "Покинуло СЦ", "Москва"))
    clock.advance(hours=3)
    await cycle(scripted)
    source.set(CODE, Status.IN_TRANSIT, (at, Status.IN_TRANSIT, "Покинуло сорт. центр", "Москва"))
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_a_restart_sends_no_old_alert_again(
    tg: FakeTelegram, tmp_path: Path, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    source = ScriptedSource()
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False)
    alice = chat(1, "ru")
    async with running_bot(settings, clock, [source]) as app:
        await alice.sends(CODE)
        in_transit(source, clock)
        clock.advance(hours=3)
        await cycle(app)
        await settle(alice)
    assert len(alerts_in(alice)) == 1
    async with running_bot(settings, clock, [source]) as app:
        clock.advance(hours=3)
        await cycle(app)
        await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_telegram_429_is_honoured_and_nothing_is_dropped(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    in_transit(source, clock)
    clock.advance(hours=3)
    alice.tg.fail_next("sendMessage", error_code=429, retry_after=1)
    await cycle(scripted)
    assert alerts_in(alice) == []
    assert scripted.sender is not None
    assert scripted.sender.report.throttled == 1
    clock.advance(seconds=2)
    await scripted.sender.drain(budget_seconds=5)
    await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_a_user_who_blocked_the_bot_is_deactivated_and_their_parcel_rests(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    alice.tg.block(alice.chat_id)
    in_transit(source, clock)
    clock.advance(hours=3)
    await cycle(scripted)
    async with scripted.db.read() as tx:
        user = await tx.users.get(alice.chat_id)
        shipment = await tx.shipments.find("track17", CODE)
    assert user is not None and not user.active
    source.set(CODE, Status.CUSTOMS, (clock.now, Status.CUSTOMS, "Прием на таможню", "Москва"))
    calls = len(source.calls)
    assert shipment is not None and shipment.next_check_at is not None
    clock.now = shipment.next_check_at + timedelta(minutes=1)
    await cycle(scripted)
    assert len(source.calls) == calls  # nobody active follows it: not polled


async def test_blocking_through_my_chat_member_stops_alerts(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    await alice.blocks_bot()
    await settle(alice)
    async with scripted.db.read() as tx:
        user = await tx.users.get(alice.chat_id)
    assert user is not None and not user.active
    sends_before = sends_to(alice)
    in_transit(source, clock)
    clock.advance(hours=3)
    await cycle(scripted)
    await settle(alice)
    assert sends_to(alice) == sends_before  # not even tried: no 403 to learn it from again


def sends_to(chat: Chat) -> int:
    return sum(
        1
        for call in chat.tg.calls
        if call.method == "sendMessage" and str(call.params.get("chat_id")) == str(chat.chat_id)
    )


async def test_a_message_answered_after_its_sender_blocked_the_bot_is_no_error(
    scripted: App, chat: Callable[..., Chat], caplog: pytest.LogCaptureFixture
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    alice.tg.block(alice.chat_id)  # /list was sent a moment before she blocked the bot
    update_id = alice.tg.push_update({"message": alice.message_update("/list")})
    await alice.tg.until(lambda: alice.tg.delivered(update_id), 3)
    await settle(alice)
    async with scripted.db.read() as tx:
        user = await tx.users.get(alice.chat_id)
    assert user is not None and not user.active
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_quiet_hours_hold_an_alert_until_morning(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    clock.now = NIGHT
    in_transit(source, clock)
    await cycle(scripted)
    await settle(alice)
    assert alerts_in(alice) == []
    clock.now = NIGHT + timedelta(hours=3)  # 03:00 in Moscow: still quiet
    await scripted.sender.drain(budget_seconds=5)  # type: ignore[union-attr]
    assert alerts_in(alice) == []
    clock.now = NIGHT + timedelta(hours=8, minutes=5)  # 08:05 in Moscow
    await scripted.sender.drain(budget_seconds=5)  # type: ignore[union-attr]
    await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_ready_for_pickup_is_sent_even_in_quiet_hours(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    clock.now = NIGHT
    source.set(
        CODE,
        Status.READY_FOR_PICKUP,
        (
            NIGHT - timedelta(minutes=5),
            Status.READY_FOR_PICKUP,
            "Прибыло в место вручения",
            "Москва 101000",
        ),
    )
    await cycle(scripted)
    await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_turning_quiet_hours_off_releases_held_alerts(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    clock.now = NIGHT
    in_transit(source, clock)
    await cycle(scripted)
    menu = await alice.sends("/settings")
    await alice.taps("Тихие часы", on=menu)
    await alice.taps("выключены", on=menu)
    await scripted.sender.drain(budget_seconds=5)  # type: ignore[union-attr]
    await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_a_stall_is_announced_once(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = await followed_in_transit(chat(1, "ru"), scripted, source, clock)
    clock.advance(days=11)
    await cycle(scripted, spaced=True)
    clock.advance(days=1)
    await cycle(scripted, spaced=True)
    await settle(alice)
    stalls = [m.text for m in alice.messages if "нет новостей" in m.text]
    assert len(stalls) == 1
    assert "продав" in stalls[0] and "заявление на розыск" in stalls[0]
    assert "Проверьте номер" not in stalls[0]  # it has been scanned: the number is right


async def test_a_number_never_found_stalls_counted_from_when_it_was_added(
    scripted: App, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)  # the source never knows it
    clock.advance(days=8)
    await cycle(scripted, spaced=True)
    await settle(alice)
    [notice] = [m.text for m in alice.messages if m.text.startswith("🔍")]
    assert "данных по номеру нет уже 8 дней" in notice
    assert "повод уточнить номер у продавца" in notice  # the week's wait is over
    assert "если данных нет неделю" not in notice
    assert "Паузы бывают" not in notice  # not the advice for a parcel on its way


@pytest.mark.parametrize(
    ("language", "status", "description", "days", "advice", "general"),
    [
        (
            "en",
            Status.DELIVERY_FAILED,
            "No one home",
            4,
            "its storage period has already started",
            "Gaps happen",
        ),
        ("ru", Status.CUSTOMS, "Таможенное оформление", 8, "Госуслуги", "Паузы бывают"),
    ],
)
async def test_a_stall_waiting_on_someone_gets_its_own_status_advice(
    scripted: App,
    source: ScriptedSource,
    clock: ManualClock,
    chat: Callable[..., Chat],
    language: str,
    status: Status,
    description: str,
    days: int,
    advice: str,
    general: str,
) -> None:
    """A failed delivery waits on the user's call, customs on their details or a payment."""
    alice = chat(1, language)
    await alice.sends(CODE)
    source.set(CODE, status, (clock.now, status, description, ""))
    clock.advance(hours=1)
    await cycle(scripted)
    clock.advance(days=days)
    await cycle(scripted, spaced=True)
    await settle(alice)
    heading = f"no news for {days} days" if language == "en" else f"нет новостей уже {days} дней"
    [notice] = [m.text for m in alice.messages if heading in m.text]
    assert advice in notice and general not in notice


async def test_pickup_reminder_fires_once_before_storage_ends(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends(CODE)
    arrived = clock.now
    source.set(
        CODE,
        Status.READY_FOR_PICKUP,
        (arrived, Status.READY_FOR_PICKUP, "Прибыло в место вручения", "Москва 101000"),
    )
    clock.advance(hours=1)
    await cycle(scripted)
    for _ in range(4):
        clock.advance(days=1, hours=12)
        await cycle(scripted, spaced=True)
    await settle(alice)
    reminders = [m.text for m in alice.messages if "Напоминание" in m.text]
    assert len(reminders) == 1
    moscow = arrived.astimezone(ZoneInfo("Europe/Moscow"))
    assert f"в пункте выдачи (с {moscow:%d.%m %H:%M})" in reminders[0]  # since the arrival


async def test_pickup_reminder_counts_from_the_arrival_not_from_later_notices(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    """Storage runs from the arrival: a notice the carrier adds on day three does not push the
    reminder past the deadline."""
    alice = chat(1, "ru")
    await alice.sends(CODE)
    arrived = clock.now
    arrival = (arrived, Status.READY_FOR_PICKUP, "Прибыло в место вручения", "Москва 101000")
    source.set(CODE, Status.READY_FOR_PICKUP, arrival)
    clock.advance(hours=1)
    await cycle(scripted)
    notice = (
        arrived + timedelta(days=3),
        Status.READY_FOR_PICKUP,
        "Направлено извещение",
        "Москва 101000",
    )
    source.set(CODE, Status.READY_FOR_PICKUP, arrival, notice)
    clock.advance(days=3)
    await cycle(scripted, spaced=True)
    clock.advance(days=2)  # five days after the arrival, two after the notice
    await cycle(scripted, spaced=True)
    await settle(alice)
    reminders = [m.text for m in alice.messages if "Напоминание" in m.text]
    assert len(reminders) == 1
    clock.advance(days=1)
    await cycle(scripted, spaced=True)
    await settle(alice)
    assert len([m for m in alice.messages if "Напоминание" in m.text]) == 1


async def test_a_silent_number_expires_and_followers_are_told(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = await followed_in_transit(chat(1, "ru"), scripted, source, clock)
    for _ in range(8):
        clock.advance(days=5)
        await cycle(scripted, spaced=True)
    await settle(alice)
    assert len([m for m in alice.messages if "перестал проверять" in m.text]) == 1
    async with scripted.db.read() as tx:
        shipment = await tx.shipments.find("track17", CODE)
    assert shipment is not None and shipment.next_check_at is None


async def held_at_midnight(
    settings: Settings, clock: ManualClock, source: ScriptedSource, alice: Chat
) -> None:
    """A bot run in which Alice's alert falls due at 00:00 in Moscow and is held."""
    async with running_bot(settings, clock, [source]) as app:
        await alice.sends(CODE)
        clock.now = NIGHT
        in_transit(source, clock)
        await cycle(app)
        await settle(alice)
    assert alerts_in(alice) == []


async def test_alerts_held_for_quiet_hours_go_out_at_once_after_a_restart_with_them_off(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    source: ScriptedSource,
    chat: Callable[..., Chat],
) -> None:
    """The operator turns QUIET_HOURS off and restarts: what was held waits no longer."""
    alice = chat(1, "ru")
    database = tmp_path / "bot.sqlite3"
    await held_at_midnight(make_settings(tg, database, demo_source=False), clock, source, alice)
    quiet_off = make_settings(tg, database, demo_source=False, quiet_hours="off")
    async with running_bot(quiet_off, clock, [source]) as restarted:
        assert restarted.sender is not None
        await restarted.sender.drain(budget_seconds=5)  # still 00:00
        await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_after_a_restart_with_quiet_hours_unchanged_held_alerts_stay_held(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    source: ScriptedSource,
    chat: Callable[..., Chat],
) -> None:
    alice = chat(1, "ru")
    settings = make_settings(tg, tmp_path / "bot.sqlite3", demo_source=False)
    await held_at_midnight(settings, clock, source, alice)
    async with running_bot(settings, clock, [source]) as restarted:
        assert restarted.sender is not None
        await restarted.sender.drain(budget_seconds=5)
        await settle(alice)
        assert alerts_in(alice) == []  # looked at again, and held again till morning
        clock.now = NIGHT + timedelta(hours=8, minutes=5)
        await restarted.sender.drain(budget_seconds=5)
        await settle(alice)
    assert len(alerts_in(alice)) == 1


async def test_a_final_alert_offers_the_archive_and_no_muting(
    scripted: App, source: ScriptedSource, clock: ManualClock, chat: Callable[..., Chat]
) -> None:
    alice = await followed_in_transit(chat(1, "ru"), scripted, source, clock)
    source.set(CODE, Status.DELIVERED, (clock.now, Status.DELIVERED, "Вручено", "Казань"))
    clock.advance(hours=3)
    await cycle(scripted, spaced=True)
    await settle(alice)
    moving, done = [m for m in alice.messages if m.text.startswith("🔔")]
    buttons = [[b.text for row in m.buttons for b in row] for m in (moving, done)]
    assert any("Не уведомлять" in b for b in buttons[0])
    assert not any("Не уведомлять" in b for b in buttons[1])
    assert any("В архив" in b for b in buttons[1])
