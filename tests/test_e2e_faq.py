"""The FAQ through the real stack: the menu, every topic, every status, and typed questions."""

from __future__ import annotations

from bot.app import App
from bot.texts import FAQ_TOPICS, Texts
from providers.statuses import Status
from tests.fakes.chat import Chat
from tests.fakes.telegram import Message, parse_html


def plain(texts: Texts, key: str) -> str:
    """A catalogue text as the user reads it (tags gone, entities decoded)."""
    return parse_html(texts(key))[0].strip()


def labels(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


def first_line(texts: Texts, key: str) -> str:
    return plain(texts, key).splitlines()[0]


async def test_faq_shows_the_menu_with_every_topic(alice: Chat) -> None:
    menu = await alice.sends("/faq")
    assert "Частые вопросы" in menu.text
    assert len(labels(menu)) == len(FAQ_TOPICS)
    assert any("Как забрать посылку" in label for label in labels(menu))


async def test_each_topic_button_shows_its_body_and_leads_back_to_the_menu(
    app: App, alice: Chat
) -> None:
    ru = app.catalogue.for_language("ru")
    menu = await alice.sends("/faq")
    for topic in FAQ_TOPICS:
        tap = await alice.taps(ru(f"faq-{topic}-title"), on=menu)
        assert tap.message is not None
        heading = first_line(ru, f"faq-{topic}-body")
        assert tap.message.text.startswith(heading)
        assert tap.message.text.count(heading) == 1, tap.message.text
        back = await alice.taps("Все вопросы", on=tap.message)
        assert back.message is not None and "Частые вопросы" in back.message.text
        menu = back.message


async def test_pickup_topic_tells_what_to_bring(alice: Chat) -> None:
    await alice.sends("/faq")
    tap = await alice.taps("Как забрать посылку")
    assert tap.message is not None
    assert "паспорт" in tap.message.text


async def test_statuses_topic_lists_every_status_and_explains_one(app: App, alice: Chat) -> None:
    ru = app.catalogue.for_language("ru")
    await alice.sends("/faq")
    tap = await alice.taps("Что значат статусы")
    assert tap.message is not None
    shown = labels(tap.message)
    for status in Status:
        label = ru(f"status-{status.value.replace('_', '-')}-label")
        assert any(label in text for text in shown), label
    explained = await alice.taps("В пути", on=tap.message)
    assert explained.message is not None
    in_transit = explained.message.text
    assert "Посылка едет к вам" in in_transit and "👉" in in_transit
    again = await alice.taps("Вручено", on=explained.message)
    assert again.message is not None
    assert "Посылка вручена" in again.message.text
    assert "Посылка едет к вам" not in again.message.text


async def test_status_buttons_stand_one_a_row_so_long_labels_are_not_cut(alice: Chat) -> None:
    await alice.sends("/faq")
    tap = await alice.taps("Что значат статусы")
    assert tap.message is not None
    assert [len(row) for row in tap.message.buttons] == [1] * (len(Status) + 1)
    assert "⌛ Отслеживание остановлено" in labels(tap.message)
    explained = await alice.taps("В пути", on=tap.message)
    assert explained.message is not None
    assert all(len(row) == 1 for row in explained.message.buttons)


async def test_a_forged_status_button_falls_back_to_the_menu(alice: Chat) -> None:
    own = await alice.sends("/faq")
    tap = await alice.taps_data("f1:status:teleported", on=own)
    assert tap.answer_text is None  # answered quietly, no error alert
    assert "Частые вопросы" in alice.last_message.text


QUESTIONS = (
    ("почему посылка не отслеживается", "Номер не отслеживается"),
    ("Где моя посылка? Уже неделю нет обновлений", "Давно нет обновлений"),
    ("сколько хранится посылка в пункте выдачи", "Как забрать посылку"),
    ("куда обращаться за возвратом денег", "Куда обращаться"),
    ("когда придёт посылка?", "Когда придёт посылка"),
    ("что значит на таможне", "Таможня и пошлины"),  # a specific topic wins a tie
    ("посылка стоит уже неделю", "Давно нет обновлений"),
    ("скока посылка идет из китая", "Когда придёт посылка"),
    ("что делать если не забрал посылку", "Как забрать посылку"),
    ("как удалить номер", "Как управлять списком"),  # not the topic about one's data
    ("как выключить уведомления", "Как управлять списком"),
    ("как поменять язык", "Как управлять списком"),
)


async def test_a_typed_question_gets_the_matching_topic(alice: Chat) -> None:
    for question, expected in QUESTIONS:
        reply = await alice.sends(question)
        assert expected in reply.text, question
        assert any("Все вопросы" in label for label in labels(reply)), question


async def test_customs_questions_get_the_customs_topic(alice: Chat, bob: Chat) -> None:
    for question in ("нужно ли платить пошлину", "посылка на таможне что делать"):
        reply = await alice.sends(question)
        assert reply.text.startswith("Таможня и пошлины"), question
        assert "Госуслуги" in reply.text and "фишинг" in reply.text, question
    english = await bob.sends("customs duty")
    assert english.text.startswith("Customs and duties")
    assert "never through links" in english.text
    assert any("All questions" in label for label in labels(english))


async def test_the_customs_topic_follows_the_stalled_one_in_the_menu(alice: Chat) -> None:
    titles = labels(await alice.sends("/faq"))
    stalled = next(i for i, title in enumerate(titles) if "Давно нет обновлений" in title)
    assert titles[stalled + 1] == "🛃 Таможня и пошлины"
    tap = await alice.taps("Таможня и пошлины")
    assert tap.message is not None and "Выпущено таможней" in tap.message.text


async def test_a_question_from_someone_who_follows_parcels_points_to_their_list(
    alice: Chat,
) -> None:
    before = (await alice.sends("где моя посылка?")).text
    assert "/list" not in before and "Пришлите трек-номер" in before  # how to start, instead
    await alice.sends("RA000012349CN")
    await alice.sends("RA000056781RU")
    reply = await alice.sends("где моя посылка?")
    assert "Статусы ваших посылок и заказов (2) — в /list" in reply.text


async def test_an_english_question_gets_the_stalled_topic_in_english(bob: Chat) -> None:
    reply = await bob.sends("where is my parcel, no updates for weeks")
    assert "No updates for a while" in reply.text
    assert any("All questions" in label for label in labels(reply))


async def test_a_question_no_topic_answers_gets_the_topics_not_a_hint_about_numbers(
    alice: Chat, bob: Chat
) -> None:
    for question in ("можно отслеживать сдэк?", "помогите", "почему посылка идет обратно"):
        reply = await alice.sends(question)
        assert reply.text.startswith("Не нашёл ответа на этот вопрос"), question
        assert any("Как управлять списком" in label for label in labels(reply)), question
    english = await bob.sends("can you track my furniture")
    assert english.text.startswith("I have no answer to that question")
    assert any("Managing your list" in label for label in labels(english))


async def test_an_unrelated_message_gets_the_hint_not_a_topic(alice: Chat) -> None:
    reply = await alice.sends("посмотрим, что получится")
    assert "трек-номер" in reply.text
    assert reply.buttons == []


async def test_a_greeting_and_thanks_get_a_word_back_in_the_users_language(
    alice: Chat, bob: Chat
) -> None:
    assert "Здравствуйте" in (await alice.sends("Привет!")).text
    assert "Пожалуйста" in (await alice.sends("спасибо большое")).text
    assert "Hello" in (await bob.sends("hi there")).text
    assert "welcome" in (await bob.sends("Thanks!")).text
    long_one = await alice.sends("спасибо, а где посмотреть условия возврата денег?")
    assert "Куда обращаться" in long_one.text  # a question after the thanks is answered


async def test_start_faq_deep_link_opens_the_topic(alice: Chat) -> None:
    reply = await alice.sends("/start faq_pickup")
    assert "Как забрать посылку" in reply.text
    assert "паспорт" in reply.text


async def test_start_faq_deep_link_to_an_unknown_topic_is_refused_politely(alice: Chat) -> None:
    reply = await alice.sends("/start faq_nonsense")
    assert "ссылка" in reply.text.lower()


async def test_an_english_user_gets_the_faq_in_english(app: App, bob: Chat) -> None:
    en = app.catalogue.for_language("en")
    menu = await bob.sends("/faq")
    assert "Questions and answers" in menu.text
    assert any("Collecting a parcel" in label for label in labels(menu))
    tap = await bob.taps("What statuses mean", on=menu)
    assert tap.message is not None and "Here is what each status means" in tap.message.text
    explained = await bob.taps("In transit", on=tap.message)
    assert explained.message is not None
    assert plain(en, "status-in-transit-todo")[:40] in explained.message.text
    link = await bob.sends("/start faq_pickup")
    assert "How to collect a parcel" in link.text
