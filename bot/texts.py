"""The user-facing texts: Fluent catalogues per language and their formatting.

Every `*.ftl` file in `locales/<language>/` goes into one `FluentBundle` per language, built
without bidi isolation marks (Telegram would show them). Texts are Telegram HTML: placeables are
inserted as given, so callers escape user and source strings first. Two conveniences for the
catalogues: the function `PRESENT($x)` selects `yes` or `no` by whether a value is non-empty, and
the optional placeables in `OPTIONAL_ARGS` may be omitted by callers. Integers are formatted as
numbers (with a thousands separator in Russian), so pass order numbers and codes as strings.
A broken catalogue fails at load time; formatting never raises.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import FluentNone
from fluent.syntax import ast
from fluent.syntax.visitor import Visitor

__all__ = ["FAQ_TOPICS", "LOCALES_DIR", "OPTIONAL_ARGS", "Catalogue", "Texts"]

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
# What this bot's setup lets its texts say, as a term the catalogue adds to every language.
SETUP_TERM = "-setup = setup\n    .orders = {orders}\n"

# FAQ topics in menu order; each has faq-<topic>-title, -body and -keywords.
FAQ_TOPICS: tuple[str, ...] = (
    "statuses",
    "not-tracked",
    "arrival",
    "stalled",
    "customs",
    "updates",
    "pickup",
    "contacts",
    "manage",
    "privacy",
)

# Catalogue entries naming a carrier (carrier-russian-post = Почта России): a source's name for
# one is shown in the user's language.
CARRIER_PREFIX = "carrier-"

# Placeables a caller may leave out, with the value used then.
OPTIONAL_ARGS: Mapping[str, str] = {"shop": "", "since": ""}


def _present(value: object) -> Any:
    """Fluent function PRESENT: a select key telling an empty or missing value from a real one."""
    if isinstance(value, FluentNone) or (isinstance(value, str) and not value.strip()):
        return "no"
    return "yes"


def _fluent_value(value: object) -> object:
    """Pass what Fluent formats natively; anything else (None, enums of other kinds) as text."""
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal | date) and not isinstance(value, bool):
        return value
    return str(value)


class Texts:
    """The texts of one language; calling it formats a message."""

    def __init__(
        self,
        language: str,
        bundle: FluentBundle,
        family: Mapping[str, Texts],
        carriers: Mapping[str, str],
    ) -> None:
        self.language = language
        self._bundle = bundle
        self._family = family  # every language of the catalogue, this one included
        self._carriers = carriers  # a carrier's name in any language (folded) -> its key

    def __repr__(self) -> str:
        return f"Texts({self.language!r})"

    def __call__(self, key: str, **args: object) -> str:
        message = self._bundle.get_message(key) if self._bundle.has_message(key) else None
        if message is None or message.value is None:
            logger.warning("Missing text %r for language %s", key, self.language)
            return key
        values = {**OPTIONAL_ARGS, **{name: _fluent_value(v) for name, v in args.items()}}
        result, errors = self._bundle.format_pattern(message.value, values)
        if errors:
            # Error texts may quote argument values, so only their kinds are logged.
            kinds = ", ".join(sorted({type(error).__name__ for error in errors}))
            logger.warning("Text %r (%s) formatted with errors: %s", key, self.language, kinds)
        return result if isinstance(result, str) else key

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)

    def carrier(self, name: str) -> str:
        """A carrier's name as a source gave it ("Почта России", "China Post"), in this language
        when the catalogue knows the carrier; as given otherwise."""
        key = self._carriers.get(name.strip().casefold())
        return self(key) if key is not None and self.has(key) else name

    def alternatives(self) -> tuple[Texts, ...]:
        """The other languages, for matching a question typed in a language not chosen."""
        return tuple(texts for texts in self._family.values() if texts is not self)


class Catalogue:
    """All languages found under a locales directory, one folder of `*.ftl` files each."""

    def __init__(
        self,
        directory: Path | None = None,
        default_language: str = "ru",
        *,
        orders: bool = True,
    ) -> None:
        """`orders`: this bot follows order numbers (a shop's pattern is set), so its texts
        may invite them; they read it as the term attribute `-setup.orders` (yes or no)."""
        root = directory if directory is not None else LOCALES_DIR
        self._setup = SETUP_TERM.format(orders="yes" if orders else "no")
        self._messages: dict[str, dict[str, ast.Message]] = {}
        self._texts: dict[str, Texts] = {}
        self._carriers: dict[str, str] = {}
        for folder in sorted(path for path in root.iterdir() if path.is_dir()):
            files = sorted(folder.glob("*.ftl"))
            if files:
                self._load(folder.name, files)
        if default_language not in self._texts:
            raise ValueError(f"no texts for the default language {default_language!r} in {root}")
        self.default_language = default_language
        others = sorted(language for language in self._texts if language != default_language)
        self.languages: tuple[str, ...] = (default_language, *others)

    def _load(self, language: str, files: list[Path]) -> None:
        bundle = FluentBundle([language], functions={"PRESENT": _present}, use_isolating=False)
        messages: dict[str, ast.Message] = {}
        seen: set[str] = set()
        for path in files:
            resource = FluentResource(path.read_text(encoding="utf-8"))
            for entry in resource.body:
                if isinstance(entry, ast.Junk):
                    notes = "; ".join(note.message or note.code for note in entry.annotations)
                    raise ValueError(f"{path}: cannot parse {entry.content!r}: {notes}")
                if isinstance(entry, ast.Message | ast.Term):
                    entry_id = ("-" if isinstance(entry, ast.Term) else "") + entry.id.name
                    if entry_id in seen:
                        raise ValueError(f"{path}: {entry_id!r} is defined twice for {language}")
                    seen.add(entry_id)
                if isinstance(entry, ast.Message):
                    messages[entry.id.name] = entry
            bundle.add_resource(resource)
        bundle.add_resource(FluentResource(self._setup))
        self._messages[language] = messages
        self._texts[language] = Texts(language, bundle, self._texts, self._carriers)
        for name in messages:
            if name.startswith(CARRIER_PREFIX):
                self._carriers[self._texts[language](name).casefold()] = name

    def for_language(self, code: str | None) -> Texts:
        """Texts for a Telegram language code ("ru", "en-US"); anything else gets the default."""
        if code:
            primary = code.replace("_", "-").split("-", 1)[0].lower()
            if primary in self._texts:
                return self._texts[primary]
        return self._texts[self.default_language]

    def keys(self, language: str) -> set[str]:
        return set(self._messages[language])

    def placeables(self, language: str, key: str) -> set[str]:
        """Variables a message uses, including those of messages it references."""
        collector = _VariableCollector(self._messages[language])
        collector.visit(self._messages[language][key])
        return collector.names


class _VariableCollector(Visitor):
    def __init__(self, messages: Mapping[str, ast.Message]) -> None:
        self.names: set[str] = set()
        self._messages = messages
        self._followed: set[str] = set()

    def visit_VariableReference(self, node: ast.VariableReference) -> None:  # noqa: N802
        self.names.add(node.id.name)

    def visit_MessageReference(self, node: ast.MessageReference) -> None:  # noqa: N802
        name = node.id.name
        if name in self._messages and name not in self._followed:
            self._followed.add(name)
            self.visit(self._messages[name])

    def visit_TermReference(self, node: ast.TermReference) -> None:  # noqa: N802
        # Variables inside a term belong to the term's own call arguments; only those count.
        self.visit(node.arguments)
