"""Shop orders end to end: contact dialogue, signed links, linked parcels, a failing shop."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.config import Settings
from bot.logs import setup_logging
from providers.clock import ManualClock
from providers.shop import ShopProvider
from providers.shop_links import make_payload
from tests.conftest import make_settings, running_bot
from tests.fakes.chat import Chat
from tests.fakes.shop import FakeShop
from tests.fakes.source import ScriptedSource
from tests.fakes.telegram import FakeTelegram

ORDER = "4512001"
PHONE = "+79991234567"
SECRET = "link-secret-for-tests"
PARCEL = "RA000012349CN"
# The operator's text: whatever it holds, messages stay valid HTML.
SHOP_NAME = "Лавка <Книги & Ко>"


def shop_settings(tg: FakeTelegram, tmp_path: Path, shop: FakeShop) -> Settings:
    return make_settings(
        tg,
        tmp_path / "bot.sqlite3",
        demo_source=False,
        shop_api_url=shop.url,
        shop_api_token=shop.token,
        shop_name=SHOP_NAME,
        shop_order_pattern=r"^\d{7}$",
        shop_link_secret=SECRET,
    )


@pytest.fixture
async def shop() -> AsyncIterator[FakeShop]:
    async with FakeShop() as fake:
        fake.add_order(ORDER, (PHONE, "buyer@example.ru"), "processing")
        yield fake


@pytest.fixture
async def parcels() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
async def shop_bot(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    shop: FakeShop,
    parcels: ScriptedSource,
) -> AsyncIterator[App]:
    async with httpx.AsyncClient(base_url=shop.url, timeout=2) as client:
        source = ShopProvider(client, shop.token, SHOP_NAME)
        async with running_bot(shop_settings(tg, tmp_path, shop), clock, [source, parcels]) as app:
            yield app


@pytest.fixture
def alice(chat: Callable[..., Chat], shop_bot: App) -> Chat:
    return chat(1001, "ru", first_name="Алиса")


async def test_an_order_number_asks_for_the_contact_and_a_match_follows_it(
    alice: Chat, shop: FakeShop
) -> None:
    ask = await alice.sends(f"мой заказ {ORDER}")
    assert "телефон или e-mail" in ask.text
    reply = await alice.sends("8 (999) 123-45-67")
    assert "подтверждён" in reply.text
    assert "В обработке" in reply.text
    contact = [r.query.get("contact") for r in shop.requests if ORDER in r.path]
    assert contact == [PHONE]


async def test_an_e_mail_in_another_case_matches_too(alice: Chat) -> None:
    await alice.sends(ORDER)
    reply = await alice.sends("  Buyer@Example.RU ")
    assert "подтверждён" in reply.text


async def test_a_wrong_contact_and_an_unknown_order_get_the_same_answer(alice: Chat) -> None:
    await alice.sends(ORDER)
    wrong = await alice.sends("+7 900 000-00-00")
    await alice.sends("/cancel")
    await alice.sends("7654321")
    unknown = await alice.sends("+7 999 123-45-67")
    assert "не найден, или контакт не совпадает" in wrong.text
    assert (
        wrong.text.replace(ORDER, "N").split("Осталось")[0]
        == unknown.text.replace("7654321", "N").split("Осталось")[0]
    )


async def test_attempts_are_limited(alice: Chat) -> None:
    await alice.sends(ORDER)
    for _ in range(5):
        await alice.sends(ORDER)
        last = await alice.sends("+7 900 000-00-00")
    assert "Слишком много попыток" in last.text or "Осталось попыток: 0" in last.text
    await alice.sends(ORDER)
    refused = await alice.sends("+7 999 123-45-67")
    assert "Слишком много попыток" in refused.text


async def test_used_attempts_survive_a_restart_and_come_back_after_an_hour(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    shop: FakeShop,
    parcels: ScriptedSource,
    chat: Callable[..., Chat],
) -> None:
    settings = shop_settings(tg, tmp_path, shop)
    alice = chat(1001, "ru")
    async with httpx.AsyncClient(base_url=shop.url, timeout=2) as client:
        source = ShopProvider(client, shop.token, SHOP_NAME)
        async with running_bot(settings, clock, [source, parcels]):
            for _ in range(5):
                await alice.sends(ORDER)
                await alice.sends("+7 900 000-00-00")
        async with running_bot(settings, clock, [source, parcels]):
            await alice.sends(ORDER)
            refused = await alice.sends(PHONE)  # the right contact, but no attempt is left
            clock.advance(minutes=61)
            await alice.sends(ORDER)
            accepted = await alice.sends(PHONE)
    assert "Слишком много попыток" in refused.text and "через 60 минут." in refused.text
    assert "подтверждён" in accepted.text


async def test_cancel_leaves_the_dialogue_and_a_bad_contact_is_explained(alice: Chat) -> None:
    await alice.sends(ORDER)
    bad = await alice.sends("не помню")
    assert "не похоже на телефон" in bad.text
    done = await alice.sends("/cancel")
    assert "отменил" in done.text
    assert "пуст" in (await alice.sends("/list")).text


async def test_a_signed_link_follows_the_order_without_asking(alice: Chat, shop: FakeShop) -> None:
    reply = await alice.sends(f"/start {make_payload(ORDER, SECRET)}")
    assert "подтверждён" in reply.text
    assert all("contact" not in r.query for r in shop.requests)


@pytest.mark.parametrize(
    "payload",
    [
        make_payload(ORDER, "another-shops-secret"),
        make_payload("7654321", SECRET)[:-1] + "A",
        make_payload(ORDER, SECRET).replace("o_", "x_", 1),
        "o_NDUxMjAwMQ",
    ],
)
async def test_a_tampered_or_foreign_link_is_refused_politely(alice: Chat, payload: str) -> None:
    reply = await alice.sends(f"/start {payload}")
    assert "ссылка не подходит" in reply.text.lower()
    assert "пуст" in (await alice.sends("/list")).text


async def order_ships(
    alice: Chat, shop: FakeShop, app: App, clock: ManualClock, track_code: str, carrier: str
) -> None:
    """Alice proves the order is hers; the shop ships it; the next tick and its alerts run."""
    await alice.sends(ORDER)
    await alice.sends(PHONE)
    shop.set_status(ORDER, "shipped", track_code=track_code, carrier=carrier)
    clock.advance(hours=6)
    await app.poller.tick()
    assert app.sender is not None
    await app.sender.drain(budget_seconds=5)


async def test_when_the_order_ships_its_parcel_is_followed_too(
    alice: Chat, shop: FakeShop, shop_bot: App, clock: ManualClock
) -> None:
    await order_ships(alice, shop, shop_bot, clock, "ra 000012349 cn", "Почта России")
    await alice.tg.until(lambda: any(PARCEL in m.text for m in alice.messages[2:]), 3)
    listing = await alice.sends("/list")
    assert PARCEL in listing.text and ORDER in listing.text
    assert f"{ORDER} 📦" in listing.text  # the parcel reads apart from its order
    assert any("передан в доставку" in m.text for m in alice.messages)


async def test_a_digits_only_track_code_from_the_shop_is_followed_too(
    alice: Chat, shop: FakeShop, shop_bot: App, clock: ManualClock
) -> None:
    await order_ships(alice, shop, shop_bot, clock, "1029625013", "СДЭК")
    listing = await alice.sends("/list")
    assert "1029625013" in listing.text and f"{ORDER} 📦" in listing.text


async def test_a_shop_that_does_not_answer_gets_a_calm_reply(alice: Chat, shop: FakeShop) -> None:
    await alice.sends(ORDER)
    shop.fail_next(503)
    reply = await alice.sends(PHONE)
    assert "Магазин сейчас не отвечает" in reply.text


async def test_the_contact_never_reaches_the_logs(
    alice: Chat, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging("DEBUG")  # the production logging set-up, at its most talkative
    try:
        await alice.sends(ORDER)
        await alice.sends("8 (999) 123-45-67")
        await alice.sends("/cancel")
        await alice.sends(ORDER)
        await alice.sends("Buyer@Example.RU")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    logged = capsys.readouterr().err
    assert "Start polling" in logged or "Update id" in logged  # the log was really captured
    for secret in ("9991234567", "123-45-67", "buyer@example.ru", "Buyer@Example.RU"):
        assert secret not in logged


async def test_order_statuses_are_explained_with_the_shop_name(alice: Chat) -> None:
    await alice.sends(ORDER)
    card = await alice.sends(PHONE)
    explained = await alice.taps("Что это значит", on=card)
    assert explained.message is not None
    assert SHOP_NAME in explained.message.text


async def test_polling_an_order_omits_the_contact(
    alice: Chat, shop: FakeShop, shop_bot: App, clock: ManualClock
) -> None:
    await alice.sends(ORDER)
    await alice.sends(PHONE)
    before = len(shop.requests)
    clock.advance(days=1)
    await shop_bot.poller.tick()
    polls = shop.requests[before:]
    assert polls and all("contact" not in r.query for r in polls)


async def test_a_parcel_sent_with_an_order_number_keeps_its_label(alice: Chat) -> None:
    """The order number goes to its dialogue; the one parcel beside it is still one number."""
    await alice.sends(f"{PARCEL} куртка, заказ {ORDER}")
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert "куртка" in card.text
    await alice.wait_for_message(lambda m: "телефон" in m.text or "e-mail" in m.text)
    assert not any("не добавил" in m.text for m in alice.messages)
