"""Numbers of digits only (CDEK's, say): `/add` takes them, a plain message asks first, and a
phone number is never sent to 17TRACK, however the button that would add it was forged."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import App
from providers.clock import ManualClock
from providers.codes import s10_check_digit
from tests.conftest import running_bot, track17_settings
from tests.fakes.chat import Chat
from tests.fakes.telegram import FakeTelegram
from tests.fakes.track17 import Fake17Track

KEY = "bare-key"
CDEK = "10296250133"
CDEK_KEY = 100030


@pytest.fixture
async def track17() -> AsyncIterator[Fake17Track]:
    async with Fake17Track(KEY) as fake:
        for number in (CDEK, "1029625014"):
            fake.set_track(
                number,
                "InTransit",
                "InTransit_Other",
                events=[
                    {
                        "time": "2026-12-05T10:00:00+03:00",
                        "description": "Отправлено в город получателя",
                        "location": "Новосибирск",
                    }
                ],
                carrier_key=CDEK_KEY,
                provider_name="CDEK",
            )
        yield fake


async def test_a_plain_digits_only_number_is_asked_about_then_tracked_on_a_tap(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat], clock: ManualClock
) -> None:
    alice = chat(1, "ru")
    ask = await alice.sends(f"зимняя куртка, СДЭК {CDEK}")
    assert "Это трек-номер?" in ask.text
    assert CDEK not in track17.registered  # asking costs the operator nothing
    tapped = await alice.taps(f"Отслеживать {CDEK}", on=ask)
    assert tapped.answer_text is None  # the spinner stops, the card says the rest
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert CDEK in card.text and "Нет данных" in card.text  # 17TRACK answers on its next look
    assert "зимняя куртка, СДЭК" in card.text  # the words typed beside it label the item
    assert CDEK in track17.registered
    clock.advance(minutes=2)
    refreshed = await alice.taps("Обновить", on=card)
    assert refreshed.message is not None
    assert "В пути" in refreshed.message.text and "Новосибирск" in refreshed.message.text
    assert "СДЭК" in refreshed.message.text  # 17TRACK says "CDEK"; named in her language


async def test_a_number_that_only_happens_to_pass_a_weak_check_digit_is_asked_about_too(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    for said in ("ИНН 7707083893", "заказ 123456789012"):  # DHL's and FedEx's check digits pass
        ask = await alice.sends(said)
        assert "Это трек-номер?" in ask.text, said
    assert track17.registered == {}
    added = await alice.sends("/add 7707083893")  # the user says it is one: it is followed
    assert "Добавлено" in added.text and "7707083893" in track17.registered


async def test_several_numbers_get_a_button_each_in_english(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    bob = chat(2, "en")
    ask = await bob.sends(f"{CDEK} and 1029625014")
    assert "Are these tracking numbers?" in ask.text
    labels = [text for row in ask.buttons for text, _ in row]
    assert labels == [f"📦 Track {CDEK}", "📦 Track 1029625014"]
    await bob.taps("1029625014", on=ask)
    await bob.wait_for_message(lambda m: "Added" in m.text and "1029625014" in m.text)
    assert "1029625014" in track17.registered and CDEK not in track17.registered


async def test_add_takes_a_digits_only_number_with_its_label_at_once(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    added = await alice.sends(f"/add {CDEK} зимняя куртка")
    assert "Добавлено" in added.text and "зимняя куртка" in added.text
    assert CDEK in track17.registered


async def test_an_add_link_with_a_digits_only_number_adds_it(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    added = await alice.sends(f"/start add_{CDEK}")
    assert "Добавлено" in added.text and CDEK in added.text
    refused = await alice.sends("/start add_89161234567")
    assert "ссылка не подходит" in refused.text.lower()
    assert list(track17.registered) == [CDEK]


async def test_a_phone_number_is_neither_asked_about_nor_added(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    hint = await alice.sends("мой номер 89161234567")
    assert "Не нашёл здесь трек-номера" in hint.text and not hint.buttons
    refused = await alice.sends("/add 8-916-123-45-67")
    assert "Не вижу здесь трек-номера" in refused.text
    assert track17.registered == {}


async def test_forged_number_buttons_are_refused_and_reach_no_source(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    own = await alice.sends("/start")
    for data in ("n1:89161234567", "n1:9161234567", "n1:12ab", "n1:" + "1" * 40):
        tap = await alice.taps_data(data, on=own)
        assert tap.answer_text is not None and "устарела" in tap.answer_text, data
    assert track17.registered == {}


async def test_inline_mode_finds_a_followed_number_and_offers_to_add_an_unfollowed_one(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice, bob = chat(1, "ru"), chat(2, "ru")
    assert await alice.queries_inline(CDEK) == []
    assert track17.registered == {}  # typing in inline mode spends no quota
    button = alice.tg.last_inline_button()
    assert button is not None and button["start_parameter"] == f"add_{CDEK}"
    added = await alice.sends(f"/start {button['start_parameter']}")
    assert "Добавлено" in added.text
    (own,) = await alice.queries_inline(CDEK)
    assert CDEK in own["title"] or CDEK in own["input_message_content"]["message_text"]
    (public,) = await bob.queries_inline(CDEK)  # a number somebody follows: its stored status
    assert CDEK in public["input_message_content"]["message_text"]
    assert await alice.queries_inline("89161234567") == []
    phone_button = alice.tg.last_inline_button()
    assert phone_button is not None and phone_button["start_parameter"] == "inline"


# S10 codes typed in lower case as two words around the digits could be a sentence: asked first.
S10 = "RA123456785CN"


async def test_a_spaced_lower_case_s10_is_asked_about_then_tracked_with_its_label(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    ask = await alice.sends("подарок маме <3 ra 1234 5678 5 cn")
    assert "Это трек-номер?" in ask.text and "буквы записаны отдельно от цифр" in ask.text
    assert "только из цифр" not in ask.text
    assert ask.buttons == [[("📦 Отслеживать RA123456785CN", f"n1:{S10}")]]
    assert track17.registered == {}
    tapped = await alice.taps(S10, on=ask)
    assert tapped.answer_text is None
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert S10 in card.text and "подарок маме &lt;3" in card.html  # escaped, as typed
    assert S10 in track17.registered


async def test_spaced_s10_and_digits_only_numbers_are_asked_about_in_english(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    bob = chat(2, "en")
    ask = await bob.sends("ra 123456785 cn")
    assert "Is this a tracking number?" in ask.text and "letters are written apart" in ask.text
    mixed = await bob.sends(f"{CDEK} and ra 123456785 cn")
    assert "Are these tracking numbers?" in mixed.text and "not sure of all" in mixed.text
    labels = [text for row in mixed.buttons for text, _ in row]
    assert labels == [f"📦 Track {CDEK}", f"📦 Track {S10}"]
    await bob.taps(S10, on=mixed)
    await bob.wait_for_message(lambda m: "Added" in m.text and S10 in m.text)
    assert list(track17.registered) == [S10]


async def test_forged_s10_buttons_are_refused_and_reach_no_source(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    own = await alice.sends("/start")
    forged = ("RA123456780CN", "XA123456785CN", "ra123456785cn", "RA12345678CN", "RA 123456785")
    for data in [f"n1:{value}" for value in forged] + ["n1:", "n1:RA123456785CN:x"]:
        tap = await alice.taps_data(data, on=own)
        assert tap.answer_text is not None and "устарела" in tap.answer_text, data
    assert track17.registered == {}


async def test_a_message_with_a_code_the_scanner_reads_is_not_asked_about(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    for said in ("подарок RA 1234 5678 5 CN", "подарок ra 123456785cn и ra 123456785 cn"):
        added = await alice.sends(said)
        assert "Это трек-номер" not in added.text, said
        assert not any(value.startswith("n1:") for row in added.buttons for _, value in row)
    assert list(track17.registered) == [S10]


async def test_add_takes_a_spaced_lower_case_s10_with_its_label_at_once(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    added = await alice.sends("/add ra 1234 5678 5 cn подарок маме")
    assert "Добавлено" in added.text and S10 in added.text and "подарок маме" in added.text
    typo = await alice.sends("/add ra 123456780 cn")
    assert "опечатка" in typo.text and "RA123456780CN" in typo.text
    assert list(track17.registered) == [S10]


async def test_words_around_a_number_are_never_added_and_asked_only_when_they_could_be_a_code(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    for said in ("at 123456780 by", "to 123456785 by"):  # wrong check digit; T no service
        hint = await alice.sends(said)
        assert "Не нашёл здесь трек-номера" in hint.text and not hint.buttons, said
    ask = await alice.sends_photo("at 123456785 by")  # a caption counts as the message
    assert "Это трек-номер?" in ask.text and ask.buttons[0][0][1] == "n1:AT123456785BY"
    assert track17.registered == {}


async def test_a_shop_pattern_does_not_take_a_spaced_s10_for_an_order(
    tg: FakeTelegram,
    tmp_path: Path,
    clock: ManualClock,
    track17: Fake17Track,
    chat: Callable[..., Chat],
) -> None:
    """With orders of 6 to 9 digits, `ra 123456785 cn` is still asked about as a parcel: its
    digits never start the order dialogue, which would send them and a contact to the shop."""
    settings = track17_settings(
        tg, tmp_path / "bot.sqlite3", track17, shop_order_pattern=r"^\d{6,9}$"
    )
    async with running_bot(settings, clock):
        alice = chat(1, "ru")
        ask = await alice.sends("кроссовки ra 123456785 cn")
        assert "Это трек-номер?" in ask.text and "телефон" not in ask.text
        await alice.taps(S10, on=ask)
        card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
        assert S10 in card.text and "кроссовки" in card.text
        assert list(track17.registered) == [S10]


async def test_a_spaced_s10_beside_a_code_is_asked_about_after_the_code_is_added(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends("RA000012349CN куртка, rr 123456785 ru сапоги")
    ask = await alice.wait_for_message(lambda m: "Это трек-номер?" in m.text)
    assert ask.buttons == [[("📦 Отслеживать RR123456785RU", "n1:RR123456785RU")]]
    added = next(m for m in alice.messages if "Добавлено" in m.text)
    assert "123456785" not in added.text.replace("RR123456785RU", "")  # not in a label
    assert "куртка" not in added.text  # words beside two numbers label neither
    assert list(track17.registered) == ["RA000012349CN"]


async def test_many_spaced_s10_codes_are_pointed_to_add_rather_than_ignored(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    codes = [f"ra 0000{n:04d} {s10_check_digit(f'0000{n:04d}')} cn" for n in range(1234, 1238)]
    bob = chat(2, "en")
    reply = await bob.sends(", ".join(codes))
    assert "look like tracking numbers (4)" in reply.text and "/add" in reply.text
    assert not reply.buttons and track17.registered == {}


async def test_a_message_edited_into_a_spaced_s10_is_asked_about(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    alice = chat(1, "ru")
    await alice.sends("ra 123456780 cn")  # a wrong check digit: words, not asked about
    ask = await alice.edits("ra 123456780 cn", "ra 123456785 cn")
    assert "Это трек-номер?" in ask.text and ask.buttons[0][0][1] == f"n1:{S10}"


async def test_a_question_older_than_telegram_shows_bots_still_adds_its_number(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    """After 48 hours the press carries no message to read the label from: added without."""
    alice = chat(1, "ru")
    ask = await alice.sends(f"зимняя куртка {CDEK}")
    await alice.taps(CDEK, on=ask, too_old=True)
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert CDEK in card.text and "куртка" not in card.text
    assert list(track17.registered) == [CDEK]


async def test_a_tracking_link_is_asked_about_and_tracked_with_the_words_beside_it(
    track17_bot: App, track17: Fake17Track, chat: Callable[..., Chat]
) -> None:
    """A shop's e-mail gives the number as a carrier's link: the link is never read on its own
    (it is someone's page), but a sound code in it is offered."""
    alice = chat(1, "ru")
    ask = await alice.sends("кроссовки: https://www.pochta.ru/tracking#RA123456785CN")
    assert "В ссылке есть трек-номер" in ask.text
    assert ask.buttons == [[("📦 Отслеживать RA123456785CN", f"n1:{S10}")]]
    assert track17.registered == {}
    await alice.taps(S10, on=ask)
    card = await alice.wait_for_message(lambda m: "Добавлено" in m.text)
    assert S10 in card.text and "кроссовки" in card.text
    bob = chat(2, "en")
    ask = await bob.sends("https://www.pochta.ru/tracking?barcode=80102367216110")
    assert "tracking number in the link" in ask.text
    await bob.taps("80102367216110", on=ask)
    await bob.wait_for_message(lambda m: "Added" in m.text and "80102367216110" in m.text)
    assert list(track17.registered) == [S10, "80102367216110"]
