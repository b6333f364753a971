"""A user's label for an item: one line, short enough for a button and a card header."""

from __future__ import annotations

MAX_LABEL_LENGTH = 64


def clean_label(raw: str) -> str:
    """One line of at most MAX_LABEL_LENGTH; a longer one ends at a word, marked with "…"."""
    label = " ".join(raw.split())
    if len(label) <= MAX_LABEL_LENGTH:
        return label
    cut = label[: MAX_LABEL_LENGTH - 1]
    word_end = cut.rfind(" ")
    return (cut[:word_end] if word_end >= MAX_LABEL_LENGTH // 2 else cut).rstrip() + "…"
