"""The text catalogues: parity between languages, coverage of statuses and FAQ, valid Telegram
HTML, the loader's behaviour, and matching free-text questions to FAQ topics."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast
from fluent.syntax.visitor import Visitor

from bot.faq_match import faq_topic_for, small_talk_for
from bot.texts import FAQ_TOPICS, LOCALES_DIR, Catalogue, Texts
from providers.statuses import Stage, Status
from providers.track17 import CARRIER_CHOICES

ORDER_STATUSES = (Status.AWAITING_PAYMENT, Status.PROCESSING, Status.CANCELLED, Status.RETURNED)
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "a"}
ALLOWED_ENTITIES = {"lt", "gt", "amp", "quot"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue()


def status_key(status: Status, part: str) -> str:
    return f"status-{status.value.replace('_', '-')}-{part}"


def stage_key(stage: Stage) -> str:
    return f"stage-{stage.name.lower().replace('_', '-')}"


class _FunctionArguments(Visitor):
    """Which variables a catalogue passes to NUMBER() or DATETIME(), to pick sample values."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}

    def visit_FunctionReference(self, node: ast.FunctionReference) -> None:  # noqa: N802
        for argument in node.arguments.positional:
            if isinstance(argument, ast.VariableReference):
                self.kinds[argument.id.name] = node.id.name
        self.generic_visit(node)


@pytest.fixture(scope="module")
def function_arguments() -> dict[str, str]:
    collector = _FunctionArguments()
    for path in LOCALES_DIR.glob("*/*.ftl"):
        collector.visit(FluentParser().parse(path.read_text(encoding="utf-8")))
    return collector.kinds


def sample_args(names: set[str], function_arguments: dict[str, str]) -> dict[str, object]:
    """A value for each placeable: a number or a date where a function needs one, else a name."""
    samples = {"NUMBER": 7, "DATETIME": datetime(2026, 11, 20, 10, 15)}
    return {name: samples.get(function_arguments.get(name, ""), "Ozon") for name in names}


class _TelegramHtml(HTMLParser):
    """Collects what Telegram's HTML parse mode would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_entityref(self, name: str) -> None:
        if name not in ALLOWED_ENTITIES:
            self.problems.append(f"entity &{name};")

    def handle_data(self, data: str) -> None:
        self.problems.extend(f"raw {char!r}" for char in "<>&" if char in data)


def html_problems(text: str) -> list[str]:
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.rawdata:
        parser.problems.append(f"unparsed {parser.rawdata!r}")
    return parser.problems + [f"unclosed <{tag}>" for tag in parser.open]


def test_html_check_refuses_what_telegram_refuses() -> None:
    assert html_problems("<b>ok</b> &lt;3 &amp; <i>fine</i>") == []
    assert html_problems("<b>open") == ["unclosed <b>"]
    assert html_problems("<b><i>x</b></i>")
    assert html_problems("a & b")
    assert html_problems("<div>x</div>")
    assert html_problems("1 < 2")


def test_both_languages_have_exactly_the_same_keys(catalogue: Catalogue) -> None:
    assert {"ru", "en"} <= set(catalogue.languages)
    ru = catalogue.keys("ru")
    for language in catalogue.languages:
        keys = catalogue.keys(language)
        assert keys - ru == set(), f"only in {language}"
        assert ru - keys == set(), f"missing in {language}"


def test_each_message_uses_the_same_placeables_in_every_language(catalogue: Catalogue) -> None:
    mismatches = {
        (language, key)
        for language in catalogue.languages
        for key in catalogue.keys("ru") & catalogue.keys(language)
        if catalogue.placeables(language, key) != catalogue.placeables("ru", key)
    }
    assert mismatches == set()


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_label_meaning_and_todo_in_every_language(
    catalogue: Catalogue, status: Status
) -> None:
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        for part in ("label", "meaning", "todo"):
            assert texts.has(status_key(status, part)), (language, part)


@pytest.mark.parametrize("topic", FAQ_TOPICS)
def test_every_faq_topic_has_title_body_and_keywords(catalogue: Catalogue, topic: str) -> None:
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        for part in ("title", "body", "keywords"):
            assert texts.has(f"faq-{topic}-{part}"), (language, part)
        keywords = [word.strip() for word in texts(f"faq-{topic}-keywords").split(",")]
        assert all(word and word == word.lower() for word in keywords), (language, keywords)


def test_every_message_formats_cleanly_as_telegram_html(
    catalogue: Catalogue, function_arguments: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    problems: dict[tuple[str, str], list[str]] = {}
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        for key in sorted(catalogue.keys(language)):
            args = sample_args(catalogue.placeables(language, key), function_arguments)
            text = texts(key, **args)
            found = html_problems(text) + (["empty"] if not text.strip() else [])
            if found:
                problems[language, key] = found
    assert problems == {}
    assert [record.getMessage() for record in caplog.records] == []


def test_button_texts_fit_in_thirty_characters(catalogue: Catalogue) -> None:
    keys = [f"faq-{topic}-title" for topic in FAQ_TOPICS]
    keys += [stage_key(stage) for stage in Stage]
    keys += [status_key(status, "label") for status in Status]
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        too_long = [key for key in keys if not 0 < len(texts(key)) <= 30]
        assert too_long == [], language


def test_every_carrier_offered_has_a_short_label_in_every_language(catalogue: Catalogue) -> None:
    keys = [f"carrier-{name}" for name in CARRIER_CHOICES.values()]
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        assert [key for key in keys if not texts.has(key)] == [], language
        assert [key for key in keys if len(texts(key)) > 14] == [], language  # two a row


@pytest.mark.parametrize("status", ORDER_STATUSES)
def test_order_statuses_name_the_shop_only_when_given(
    catalogue: Catalogue, status: Status, caplog: pytest.LogCaptureFixture
) -> None:
    for language in catalogue.languages:
        texts = catalogue.for_language(language)
        named = [texts(status_key(status, part), shop="Ozon") for part in ("meaning", "todo")]
        assert any("Ozon" in text for text in named), language
        for part in ("meaning", "todo"):
            key = status_key(status, part)
            unnamed = texts(key)
            assert unnamed == texts(key, shop="") == texts(key, shop=None) == texts(key, shop=" ")
            assert not re.search(r"«\s*»|\s[.,:]|\s{2}|^\s|\s$", unnamed), (language, unnamed)
    assert caplog.records == []


@pytest.mark.parametrize(
    ("language", "key", "args", "expected"),
    [
        ("ru", "bare-number-ask", {"count": 1}, "Это трек-номер?"),
        ("ru", "bare-number-ask", {"count": 21}, "Это трек-номера?"),  # Russian "one" takes 21
        ("ru", "spaced-code-ask", {"count": 21}, "Это трек-номера?"),
        ("en", "spaced-code-ask", {"count": 1}, "Is this a tracking number?"),
        ("en", "bare-number-ask", {"count": 2}, "Tap the ones you want to track:"),
        ("ru", "refresh-too-soon", {"seconds": 1}, "через 1 секунду."),
        ("ru", "refresh-too-soon", {"seconds": 21}, "через 21 секунду."),
        ("ru", "refresh-too-soon", {"seconds": 3}, "через 3 секунды."),
        ("ru", "refresh-too-soon", {"seconds": 45}, "через 45 секунд."),
        ("en", "refresh-too-soon", {"seconds": 1}, "in 1 second."),
        ("en", "refresh-too-soon", {"seconds": 45}, "in 45 seconds."),
        ("ru", "order-too-many", {"minutes": 1}, "через 1 минуту."),
        ("ru", "order-too-many", {"minutes": 2}, "через 2 минуты."),
        ("ru", "order-too-many", {"minutes": 15}, "через 15 минут."),
        ("en", "order-too-many", {"minutes": 1}, "in 1 minute."),
        ("en", "order-too-many", {"minutes": 15}, "in 15 minutes."),
    ],
)
def test_counted_words_agree_with_their_number(
    catalogue: Catalogue, language: str, key: str, args: dict[str, int], expected: str
) -> None:
    assert expected in catalogue.for_language(language)(key, **args)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Почему посылка не отслеживается?", "not-tracked"),
        ("где моя посылка, уже месяц нет обновлений", "stalled"),
        ("how long will the pickup point keep my parcel", "pickup"),
        ("Сколько дней хранится посылка в ПВЗ?", "pickup"),
        ("Как часто ты проверяешь статус?", "updates"),
        ("Куда обращаться за возвратом денег?", "contacts"),
        ("What data do you keep about me?", "privacy"),
        ("My tracking number can't be found", "not-tracked"),
        ("Нужно ли платить пошлину?", "customs"),
        ("customs duty", "customs"),
        ("что значит на таможне", "customs"),
        ("Когда придёт моя посылка?", "arrival"),
        ("сколько идёт посылка из Китая", "arrival"),
        ("When will it arrive?", "arrival"),
        ("how long is storage at the post office", "pickup"),
    ],
)
def test_free_text_question_finds_its_topic_in_either_language(
    catalogue: Catalogue, question: str, topic: str
) -> None:
    for language in catalogue.languages:
        assert faq_topic_for(question, catalogue.for_language(language)) == topic, language


@pytest.mark.parametrize("text", ["привет", "hello", "RA123456785CN", "", "?!"])
def test_text_unrelated_to_the_faq_finds_no_topic(catalogue: Catalogue, text: str) -> None:
    for language in catalogue.languages:
        assert faq_topic_for(text, catalogue.for_language(language)) is None


# The loader, on small catalogues written for each test.


def write(root: Path, language: str, name: str, source: str) -> None:
    folder = root / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")


@pytest.fixture
def small(tmp_path: Path) -> Catalogue:
    write(tmp_path, "ru", "statuses.ftl", "order = Заказ { $number }\ncount = { NUMBER($n) }\n")
    write(tmp_path, "ru", "ui.ftl", "hello = Привет, { $name }!\nwave = { hello } 👋\n")
    write(tmp_path, "en", "statuses.ftl", "order = Order { $number }\ncount = { NUMBER($n) }\n")
    write(tmp_path, "en", "ui.ftl", "hello = Hello, { $name }!\nwave = { hello } 👋\n")
    (tmp_path / "README.md").write_text("not a language", encoding="utf-8")
    return Catalogue(tmp_path)


def test_every_ftl_file_of_a_language_folder_is_loaded(small: Catalogue) -> None:
    assert small.languages == ("ru", "en")
    assert small.keys("ru") == small.keys("en") == {"order", "count", "hello", "wave"}


def test_placeables_include_those_of_referenced_messages(small: Catalogue) -> None:
    assert small.placeables("en", "wave") == {"name"}
    assert small.placeables("ru", "order") == {"number"}


def test_formatted_text_has_no_bidi_isolation_marks(small: Catalogue) -> None:
    assert small.for_language("en")("hello", name="Ann") == "Hello, Ann!"


def test_numbers_are_grouped_but_strings_are_kept_as_given(small: Catalogue) -> None:
    texts = small.for_language("ru")
    assert texts("order", number="1234567") == "Заказ 1234567"
    assert texts("count", n=1234567) == "1\xa0234\xa0567"


def test_missing_key_returns_the_key_and_logs_a_warning(
    small: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    texts = small.for_language("en")
    with caplog.at_level(logging.WARNING, logger="bot.texts"):
        assert texts("no-such-key", name="Ann") == "no-such-key"
    assert not texts.has("no-such-key")
    assert "no-such-key" in caplog.text


def test_missing_argument_still_formats_and_logs_without_values(
    small: Catalogue, caplog: pytest.LogCaptureFixture
) -> None:
    texts = small.for_language("en")
    with caplog.at_level(logging.WARNING, logger="bot.texts"):
        assert texts("hello").startswith("Hello, ")
        assert texts("count", n="secret-42")
    assert "hello" in caplog.text
    assert "secret-42" not in caplog.text


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("uk", "ru"),
        ("kk", "ru"),
        ("de", "ru"),
        ("", "ru"),
        (None, "ru"),
    ],
)
def test_language_code_picks_its_catalogue_or_the_default(
    small: Catalogue, code: str | None, language: str
) -> None:
    assert small.for_language(code).language == language


def test_default_language_can_be_english(tmp_path: Path, small: Catalogue) -> None:
    english_first = Catalogue(tmp_path, default_language="en")
    assert english_first.languages == ("en", "ru")
    assert english_first.for_language("de").language == "en"


def test_catalogue_without_the_default_language_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "en", "ui.ftl", "hello = Hello\n")
    with pytest.raises(ValueError, match="default language"):
        Catalogue(tmp_path, default_language="ru")


def test_syntax_error_in_a_catalogue_is_refused_at_load(tmp_path: Path) -> None:
    write(tmp_path, "ru", "ui.ftl", "hello = Привет\nbroken = { $name\n")
    with pytest.raises(ValueError, match=r"ui\.ftl"):
        Catalogue(tmp_path)


def test_key_defined_in_two_files_is_refused_at_load(tmp_path: Path) -> None:
    write(tmp_path, "ru", "faq.ftl", "hello = Привет\n")
    write(tmp_path, "ru", "ui.ftl", "hello = Здравствуйте\n")
    with pytest.raises(ValueError, match="defined twice"):
        Catalogue(tmp_path)


def test_question_in_another_language_uses_that_languages_keywords(tmp_path: Path) -> None:
    write(tmp_path, "ru", "faq.ftl", "faq-pickup-keywords = забрать\n")
    write(tmp_path, "en", "faq.ftl", "faq-pickup-keywords = collect\n")
    russian: Texts = Catalogue(tmp_path).for_language("ru")
    assert faq_topic_for("Where do I collect it?", russian) == "pickup"
    assert faq_topic_for("Где забрать?", russian) == "pickup"
    assert faq_topic_for("Где она?", russian) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Привет!", "greeting"),
        ("добрый день", "greeting"),
        ("hi", "greeting"),
        ("Спасибо большое!", "thanks"),
        ("thanks a lot", "thanks"),
        ("спасибо, но у меня ещё вопрос про сроки возврата", None),  # more than small talk
        ("хитрый план", None),  # "хи" is not a greeting: keywords start words, "hi" is Latin
        ("history", None),
        ("", None),
    ],
)
def test_small_talk_is_a_short_greeting_or_thanks_in_either_language(
    catalogue: Catalogue, text: str, kind: str | None
) -> None:
    assert small_talk_for(text, catalogue.for_language("ru")) == kind


INVITATIONS = {"ru": ("номер заказа", "или заказа"), "en": ("order number", "or order")}


def test_texts_invite_order_numbers_only_where_the_bot_follows_them() -> None:
    """Without a shop's pattern an order number gets nowhere, so no text asks for one."""
    keys = ("help", "list-empty", "fallback-hint", "fallback-greeting", "cancel-nothing")
    for language, phrases in INVITATIONS.items():
        with_orders = Catalogue(orders=True).for_language(language)
        without = Catalogue(orders=False).for_language(language)
        for key in keys:
            assert any(phrase in with_orders(key) for phrase in phrases), (language, key)
            assert not any(phrase in without(key) for phrase in phrases), (language, key)
        word = "заказ" if language == "ru" else "order"
        for key in ("faq-no-items", "cmd-add"):
            assert word in with_orders(key) and word not in without(key), (language, key)
