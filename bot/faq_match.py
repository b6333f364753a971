"""Free text read for its meaning: the FAQ topic a question is about, or a greeting or thanks.

Keywords come from the catalogues (`faq-<topic>-keywords`, `smalltalk-<kind>-keywords`):
lower-case word beginnings, comma-separated (those of up to three letters whole words). A
question matches the topic whose keywords it holds most; on a tie a specific topic wins over
the general one about statuses ("что значит на таможне" is about customs), then the longer
matches. The user's language is tried first.
"""

from __future__ import annotations

import re

from bot.texts import FAQ_TOPICS, Texts

GENERAL_TOPIC = "statuses"
SMALL_TALK = ("greeting", "thanks")
SHORT_KEYWORD = 3
WORD_END = r"(?!\w)"
SMALL_TALK_MAX_WORDS = 4  # "привет, бот" is small talk; a longer message says something more


def _normalise(text: str) -> str:
    """Lower case, ё as е, punctuation as single spaces: so "can't" matches "can t"."""
    return re.sub(r"[\W_]+", " ", text.lower().replace("ё", "е")).strip()


def _keywords(texts: Texts, key: str) -> list[str]:
    if not texts.has(key):
        return []
    return [word for word in map(_normalise, texts(key).split(",")) if word]


def _hits(question: str, keywords: list[str]) -> list[str]:
    """Keywords found at a word's start; one of up to three letters ("hi", "спс") only as a
    whole word, so "history" is no greeting."""
    found = []
    for word in keywords:
        end = WORD_END if len(word) <= SHORT_KEYWORD else ""
        if re.search(rf"(?<!\w){re.escape(word)}{end}", question):
            found.append(word)
    return found


def _best_topic(question: str, texts: Texts) -> str | None:
    best: tuple[int, bool, int] = (0, False, 0)
    found: str | None = None
    for topic in FAQ_TOPICS:
        hits = _hits(question, _keywords(texts, f"faq-{topic}-keywords"))
        score = (len(hits), topic != GENERAL_TOPIC, sum(map(len, hits)))
        if hits and score > best:
            best, found = score, topic
    return found


def faq_topic_for(text: str, texts: Texts) -> str | None:
    """The FAQ topic a free-text question is about, trying the user's language first."""
    question = _normalise(text)
    if not question:
        return None
    for candidate in (texts, *texts.alternatives()):
        topic = _best_topic(question, candidate)
        if topic is not None:
            return topic
    return None


def small_talk_for(text: str, texts: Texts) -> str | None:
    """ "greeting" or "thanks" for a short message that is only that, else None."""
    said = _normalise(text)
    if not said or len(said.split()) > SMALL_TALK_MAX_WORDS:
        return None
    for candidate in (texts, *texts.alternatives()):
        for kind in SMALL_TALK:
            if _hits(said, _keywords(candidate, f"smalltalk-{kind}-keywords")):
                return kind
    return None


def is_question(text: str, texts: Texts) -> bool:
    """A question mark, or a first word that asks (`fallback-question-words`): such a message
    gets the FAQ topics rather than a hint about track numbers."""
    if "?" in text:
        return True
    said = _normalise(text).split()
    return bool(said) and any(
        said[0] in _keywords(candidate, "fallback-question-words")
        for candidate in (texts, *texts.alternatives())
    )
