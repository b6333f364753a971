"""A fake Telegram Bot API server that the real aiogram `Bot` talks to over HTTP in tests.

`FakeTelegram` is an aiohttp application on 127.0.0.1 speaking the wire format aiogram 3 uses:
form-encoded POSTs to ``/bot<token>/<method>`` (JSON-valued fields such as ``reply_markup``
arrive as JSON strings; JSON bodies are accepted too), answered with ``{"ok": true, "result":
...}`` or ``{"ok": false, "error_code": N, "description": ...}``. It serves real long polling,
refuses what the real server refuses (malformed HTML, over-long text, oversized callback data,
bad inline answers), keeps every bot message per chat with its edit history, and lets a test
inject updates and failures: one-shot errors, blocked chats, a sliding-window rate limit, held
sends. HTML is parsed with tdlib's rules and error texts, with one deliberate strictness: a bare
``&`` that does not start an entity is refused, because Telegram would show it literally where
escaping was forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from aiogram import Bot, Dispatcher
from aiohttp import web

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], Awaitable[Any]]

DEFAULT_TOKEN = "7000000001:AAFakeTokenForTests_abcdefghijklmnopq"
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_CALLBACK_ANSWER_LENGTH = 200
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_BLOCKED = "Forbidden: bot was blocked by the user"
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
# Without allowed_updates the real server sends every kind except these three.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class ApiError(Exception):
    """An error answer of the Bot API, raised inside method handlers."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Call:
    """One HTTP request the bot made, with the answer it got."""

    method: str
    params: Mapping[str, Any]
    status: int
    response: JsonDict
    received_at: float
    answered_at: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str:
        return str(self.response.get("description", ""))


@dataclass(frozen=True)
class Sent:
    """One version of a bot message: what a send or an edit put on the user's screen."""

    action: Literal["send", "edit"]
    chat_id: int
    message_id: int
    text: str
    html: str
    parse_mode: str | None
    entities: list[JsonDict]
    reply_markup: JsonDict | None
    at: float


@dataclass(frozen=True)
class Deleted:
    chat_id: int
    message_id: int
    at: float


class Button(NamedTuple):
    """An inline button as the user sees it: its label and what it carries."""

    text: str
    value: str


@dataclass
class Message:
    """A bot message in a chat; edits append to `history`, the last version is current."""

    chat_id: int
    message_id: int
    date: int
    history: list[Sent]
    edit_date: int | None = None
    deleted: bool = False
    reply_to: JsonDict | None = None  # the message this one answers, as Telegram shows it

    @property
    def current(self) -> Sent:
        return self.history[-1]

    @property
    def text(self) -> str:
        return self.current.text

    @property
    def html(self) -> str:
        return self.current.html

    @property
    def entities(self) -> list[JsonDict]:
        return self.current.entities

    @property
    def reply_markup(self) -> JsonDict | None:
        return self.current.reply_markup

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        markup = self.reply_markup or {}
        rows: list[list[JsonDict]] = markup.get("inline_keyboard") or []
        return rows

    @property
    def buttons(self) -> list[list[Button]]:
        return [[Button(b["text"], _button_value(b)) for b in row] for row in self.inline_keyboard]


def _button_value(button: JsonDict) -> str:
    for key in _BUTTON_ACTIONS:
        if key in button:
            value = button[key]
            if isinstance(value, dict):
                return str(value.get("url") or value.get("text") or json.dumps(value))
            return str(value)
    return ""


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None
    at: float


@dataclass(frozen=True)
class InlineAnswer:
    results: list[JsonDict]
    cache_time: int | None
    is_personal: bool
    next_offset: str
    at: float


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Hold:
    released: asyncio.Event = field(default_factory=asyncio.Event)
    deliver: bool = True


class _RateLimit:
    """Sliding one-second windows, global and per chat, counting accepted sends only."""

    def __init__(
        self, global_per_s: float | None, per_chat_per_s: float | None, methods: Collection[str]
    ) -> None:
        self.global_per_s = global_per_s
        self.per_chat_per_s = per_chat_per_s
        self.methods = frozenset(m.lower() for m in methods)
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def check(self, chat_id: int) -> None:
        now = time.monotonic()
        for window, limit in (
            (self._global, self.global_per_s),
            (self._chats.setdefault(chat_id, deque()), self.per_chat_per_s),
        ):
            while window and window[0] <= now - 1.0:
                window.popleft()
            if limit is not None and len(window) >= limit:
                retry_after = max(1, math.ceil(window[0] + 1.0 - now))
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def record(self, chat_id: int) -> None:
        now = time.monotonic()
        self._global.append(now)
        self._chats.setdefault(chat_id, deque()).append(now)


def _default_description(code: int, retry_after: int | None) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: _BLOCKED,
        404: "Not Found",
        409: "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
        429: f"Too Many Requests: retry after {retry_after}",
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(code, f"Error {code}")


# ---------------------------------------------------------------- request parameters


async def _read_params(request: web.Request) -> JsonDict:
    params: JsonDict = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.method == "POST":
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params


def _json_param(params: JsonDict, name: str, error: str) -> Any:
    value = params.get(name)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise ApiError(400, error) from None


def _int_param(params: JsonDict, name: str, error: str | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if error is not None:
            raise ApiError(400, error)
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, error or f"Bad Request: wrong parameter {name}") from None


def _bool_param(params: JsonDict, name: str) -> bool:
    value = params.get(name)
    return value is True or (isinstance(value, str) and value.lower() in {"true", "1"})


def _str_param(params: JsonDict, name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)


def _client_alive(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _update_kind(update: JsonDict) -> str:
    return next((key for key in update if key != "update_id"), "")


# ---------------------------------------------------------------- validation


def _formatted_text(text: str | None, parse_mode: str | None, entities: Any) -> tuple[str, Any]:
    """Turn a text parameter into what the user sees, or raise the real server's 400."""
    if not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if not parse_mode:
        plain, found = text, list(entities or [])
    elif parse_mode.lower() == "html":
        try:
            plain, found = parse_html(text)
        except EntityParseError as exc:
            raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    else:
        raise ApiError(400, "Bad Request: unsupported parse_mode (this fake parses HTML only)")
    plain, found = _trim(plain, found)
    if not plain:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise ApiError(400, "Bad Request: message is too long")
    return plain, found


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Telegram strips surrounding whitespace and moves entities along with the text."""
    core = text.strip()
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(core)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return core, kept


def _reply_markup(value: Any) -> JsonDict | None:
    if value is None or value == "":
        return None
    bad_json = "Bad Request: can't parse reply keyboard markup JSON object"
    markup = _json_param({"m": value}, "m", bad_json)
    if not isinstance(markup, dict):
        raise ApiError(400, bad_json)
    keyboard = markup.get("inline_keyboard")
    if keyboard is not None:
        if not isinstance(keyboard, list) or not all(isinstance(r, list) for r in keyboard):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Array')
        for row in keyboard:
            for button in row:
                _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    prefix = "Bad Request: can't parse inline keyboard button: "
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, prefix + 'Field "text" must be of type String')
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise ApiError(400, prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


def _check_inline_results(results: Any) -> list[JsonDict]:
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        if result_id in seen:
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        seen.add(result_id)
        content = result.get("input_message_content") or {}
        if "message_text" in content:
            _formatted_text(
                content["message_text"], content.get("parse_mode"), content.get("entities")
            )
        _reply_markup(result.get("reply_markup"))
    return results


def _scope_key(scope: Any) -> str:
    if not isinstance(scope, dict):
        return "default"
    parts = [str(scope.get("type", "default"))]
    parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
    return ":".join(parts)


def _check_commands(commands: Any) -> list[JsonDict]:
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        if not _COMMAND_NAME.fullmatch(name):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    return commands


# ---------------------------------------------------------------- HTML parse mode

_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RUN = re.compile(r"[^<&]+")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is the server's wording."""


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


class _HtmlParser:
    """tdlib's HTML parser, reduced to what a bot sends: tags, attributes, four named entities."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.length = 0
        self.open: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.pos < len(self.src):
            if plain := _PLAIN_RUN.match(self.src, self.pos):
                self._emit(plain.group())
                self.pos = plain.end()
            elif self.src[self.pos] == "&":
                self._entity()
            elif self.src.startswith("</", self.pos):
                self._end_tag()
            else:
                self._start_tag()
        if self.open:
            name = self.open[-1].name
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def _at(self, index: int) -> str:
        return f"at byte offset {len(self.src[:index].encode())}"

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.length += utf16_len(text)

    def _entity(self) -> None:
        match = _HTML_ENTITY.match(self.src, self.pos)
        code = -1
        if match and match[1]:
            code = ord(_NAMED_ENTITIES[match[1]])
        elif match:
            code = int(match[2]) if match[2] else int(match[3], 16)
        if match is None or not (0 < code <= 0x10FFFF) or 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(
                f"Character '&' {self._at(self.pos)} does not start an entity; escape it as &amp;"
            )
        self._emit(chr(code))
        self.pos = match.end()

    def _skip_spaces(self, index: int) -> int:
        while index < len(self.src) and self.src[index].isspace():
            index += 1
        return index

    def _word_end(self, index: int, stops: str = ">") -> int:
        while index < len(self.src) and not self.src[index].isspace():
            if self.src[index] in stops:
                break
            index += 1
        return index

    def _start_tag(self) -> None:
        begin = self.pos
        end = self._word_end(begin + 1)
        if end >= len(self.src):
            raise EntityParseError(f"Unclosed start tag {self._at(begin)}")
        name = self.src[begin + 1 : end].lower()
        if name not in _TAG_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" {self._at(begin)}')
        attrs, end = self._attributes(name, begin, end)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {self._at(begin)}')
        self.open.append(_OpenTag(name, self.length, attrs))
        self.pos = end + 1

    def _attributes(self, tag: str, begin: int, index: int) -> tuple[dict[str, str], int]:
        attrs: dict[str, str] = {}
        while True:
            index = self._skip_spaces(index)
            if index >= len(self.src):
                raise EntityParseError(f"Unclosed start tag {self._at(begin)}")
            if self.src[index] == ">":
                return attrs, index
            end = self._word_end(index, "=>")
            name = self.src[index:end].lower()
            if not name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" {self._at(begin)}'
                )
            index = self._skip_spaces(end)
            value = ""
            if index < len(self.src) and self.src[index] == "=":
                value, index = self._attribute_value(begin, self._skip_spaces(index + 1))
            attrs[name] = value

    def _attribute_value(self, begin: int, index: int) -> tuple[str, int]:
        if index >= len(self.src):
            raise EntityParseError(f"Unclosed start tag {self._at(begin)}")
        quote = self.src[index]
        if quote in "\"'":
            close = self.src.find(quote, index + 1)
            if close < 0:
                raise EntityParseError(f"Unclosed start tag {self._at(begin)}")
            raw, index = self.src[index + 1 : close], close + 1
        else:
            end = self._word_end(index)
            raw, index = self.src[index:end], end
        # In attribute values tdlib keeps a bare '&', so URLs with query strings stay valid.
        value = _HTML_ENTITY.sub(lambda m: _HtmlParser(m.group()).parse()[0], raw)
        return value, index

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.open:
            raise EntityParseError(f"Unexpected end tag {self._at(begin)}")
        end = self._word_end(begin + 2)
        name = self.src[begin + 2 : end].lower()
        end = self._skip_spaces(end)
        if end >= len(self.src) or self.src[end] != ">":
            raise EntityParseError(f"Unclosed end tag {self._at(begin)}")
        tag = self.open.pop()
        if name and name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag {self._at(begin)}, expected "</{tag.name}>", found "</{name}>"'
            )
        self.pos = end + 1
        self._close(tag)

    def _close(self, tag: _OpenTag) -> None:
        language = tag.attrs.get("class", "")
        parent = self.open[-1] if self.open else None
        if (
            tag.name == "code"
            and parent
            and parent.name == "pre"
            and language.startswith("language-")
        ):
            parent.language = language.removeprefix("language-")
            return
        length = self.length - tag.start
        entity: JsonDict = {"type": _TAG_TYPES[tag.name], "offset": tag.start, "length": length}
        if tag.name == "a":
            entity["url"] = tag.attrs.get("href", "")
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        if length > 0 and entity.get("url", True) and entity.get("custom_emoji_id", True):
            self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Return the plain text and entities Telegram makes of an HTML-formatted text."""
    return _HtmlParser(source).parse()


# ---------------------------------------------------------------- the server


class FakeTelegram:
    """The Bot API server, its recorded state, and the knobs a test turns.

    Use as ``async with FakeTelegram() as tg:`` and point the bot at ``tg.base_url``
    (``TelegramAPIServer.from_base(tg.base_url)``).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "parcel_test_bot",
        bot_first_name: str = "Parcel Test Bot",
        first_update_id: int = 10_000,
    ) -> None:
        self.token = token
        self.bot_user: JsonDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.base_url = ""
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.deleted: list[Deleted] = []
        self.messages: dict[tuple[int, int], Message] = {}
        self.user_messages: dict[tuple[int, int], JsonDict] = {}  # latest version of each
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.inline_answers: dict[str, InlineAnswer] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.dropped_updates: list[JsonDict] = []
        self.webhook_url = ""
        self.count_429 = 0
        self.polls_waiting = 0
        self.held = 0
        self._updates: list[JsonDict] = []
        self._next_update_id = first_update_id
        self._delivered_up_to = first_update_id - 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._chats: dict[int, JsonDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._next_query_id = 4_316_545_281_924_898_172
        self._open_callbacks: set[str] = set()
        self._open_inline_queries: set[str] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._blocked: set[int] = set()
        self._rate: _RateLimit | None = None
        self._hold: _Hold | None = None
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    def _method_table(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "close": self._true,
            "logOut": self._true,
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
        }

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing = True
        self.release_sends(deliver=False)
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    # -------------------------------------------------------- what tests call

    def push_update(self, update: JsonDict) -> int:
        """Queue a raw update for the bot's next getUpdates; returns its update_id."""
        queued = copy.deepcopy(update)
        queued["update_id"] = update_id = self._next_update_id
        self._next_update_id += 1
        self._learn(queued)
        self._updates.append(queued)
        self._notify()
        return update_id

    def delivered(self, update_id: int) -> bool:
        """Whether a getUpdates answer has carried this update (not that it was handled)."""
        return update_id <= self._delivered_up_to

    @property
    def pending_updates(self) -> int:
        return sum(1 for u in self._updates if u["update_id"] > self._delivered_up_to)

    def register_chat(self, chat: JsonDict) -> None:
        """Make answers carry this chat's real fields (names, type) instead of a bare id."""
        self._chats[int(chat["id"])] = dict(chat)

    def chat_json(self, chat_id: int) -> JsonDict:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "first_name": "User", "type": "private"}
        return {"id": chat_id, "title": "Group", "type": "supergroup"}

    def next_message_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by the user's and the bot's messages."""
        self._last_message_id[chat_id] = message_id = self._last_message_id.get(chat_id, 0) + 1
        return message_id

    def new_query_id(self) -> str:
        """A callback or inline query id in the real format: a long decimal string."""
        self._next_query_id += 7919
        return str(self._next_query_id)

    @staticmethod
    def chat_instance(chat_id: int) -> str:
        return str(-6_390_827_724_532_247_218 + chat_id)

    def message_json(self, message: Message) -> JsonDict:
        """The message as the Bot API shows it (in answers and in callback queries)."""
        body: JsonDict = {
            "message_id": message.message_id,
            "from": dict(self.bot_user),
            "chat": self.chat_json(message.chat_id),
            "date": message.date,
            "text": message.text,
        }
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.entities:
            body["entities"] = copy.deepcopy(message.entities)
        if message.inline_keyboard:
            body["reply_markup"] = {"inline_keyboard": copy.deepcopy(message.inline_keyboard)}
        if message.reply_to is not None:
            body["reply_to_message"] = copy.deepcopy(message.reply_to)
        return body

    def last_inline_button(self) -> JsonDict | None:
        """The `button` above the last inline answer (the one that opens the bot), as sent."""
        call = next(c for c in reversed(self.calls) if c.method == "answerInlineQuery")
        raw = call.params.get("button")
        button = json.loads(raw) if isinstance(raw, str) else raw
        return button if isinstance(button, dict) else None

    def chat_messages(self, chat_id: int) -> list[Message]:
        found = [m for (chat, _), m in self.messages.items() if chat == chat_id]
        return sorted(found, key=lambda m: m.message_id)

    def my_commands(self, language_code: str = "", scope: str = "default") -> list[JsonDict]:
        return self.commands.get((scope, language_code), [])

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this error instead of serving them."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        text = description or _default_description(error_code, retry_after)
        failure = _Failure(error_code, text, retry_after, times)
        self._failures.setdefault(method.lower(), deque()).append(failure)

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat answer 403 from now on."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def enforce_rate(
        self,
        global_per_s: float | None = None,
        per_chat_per_s: float | None = 1.0,
        methods: Collection[str] = ("sendMessage",),
    ) -> None:
        """Answer 429 with retry_after once a one-second window holds the allowed sends."""
        self._rate = _RateLimit(global_per_s, per_chat_per_s, methods)

    def hold_sends(self) -> None:
        """Keep sendMessage requests open, unanswered, until `release_sends`."""
        if self._hold is None:
            self._hold = _Hold()

    def release_sends(self, *, deliver: bool = True) -> None:
        """Let held sends through; with deliver=False they fail with 502 and deliver nothing."""
        hold, self._hold = self._hold, None
        if hold is not None:
            hold.deliver = deliver
            hold.released.set()

    # Waiting helpers take `timeout` by name: the wait is what they do, not work to cancel.
    async def until(self, condition: Callable[[], bool], timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until `condition` holds, re-checking on every change; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()
        return True

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "condition",
    ) -> None:
        if not await self.until(condition, timeout):
            raise AssertionError(f"{what} not met within {timeout}s\n{self.describe_calls()}")

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        since: int | None = None,
    ) -> Call:
        """The first call (from `since`, by default from now on) matching `predicate`."""
        start = len(self.calls) if since is None else since
        found: list[Call] = []

        def matched() -> bool:
            found[:] = [c for c in self.calls[start:] if predicate(c)][:1]
            return bool(found)

        await self.wait_until(matched, timeout, "no matching call")
        return found[0]

    def describe_calls(self, since: int = 0, limit: int = 20) -> str:
        """The bot's recent calls (polling left out), for assertion messages."""
        calls = [c for c in self.calls[since:] if c.method != "getUpdates"][-limit:]
        lines = [f"  {c.method} -> {c.status} {c.description}".rstrip() for c in calls]
        if self.pending_updates:
            lines.append(f"  {self.pending_updates} update(s) not fetched yet: is polling on?")
        if self.dropped_updates:
            kinds = sorted({_update_kind(u) for u in self.dropped_updates})
            lines.append(f"  updates dropped by allowed_updates: {', '.join(kinds)}")
        return "calls to the fake server:\n" + ("\n".join(lines) or "  none")

    # -------------------------------------------------------- HTTP plumbing

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _handle(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        params = await _read_params(request)
        method, handler = self._handlers.get(
            request.match_info["method"].lower(), (request.match_info["method"], None)
        )
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if method == "sendMessage":
                await self._pass_hold()
            self._inject_failure(method)
            status, body = 200, {"ok": True, "result": await handler(params)}
            if method == "getUpdates" and body["result"] and _client_alive(request):
                # A poll whose client has gone (polling stopped) delivers nothing to anyone.
                last = body["result"][-1]["update_id"]
                self._delivered_up_to = max(self._delivered_up_to, last)
        except ApiError as exc:
            status, body = exc.code, exc.body()
            self.count_429 += exc.code == 429
        self.calls.append(Call(method, params, status, body, received, time.monotonic()))
        self._notify()
        return web.json_response(body, status=status)

    async def _pass_hold(self) -> None:
        hold = self._hold
        if hold is None:
            return
        self.held += 1
        self._notify()
        try:
            await hold.released.wait()
        finally:
            self.held -= 1
        if not hold.deliver:
            raise ApiError(502, "Bad Gateway")

    def _inject_failure(self, method: str) -> None:
        queue = self._failures.get(method.lower())
        if not queue:
            return
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        raise ApiError(failure.code, failure.description, failure.retry_after)

    def _learn(self, update: JsonDict) -> None:
        """Remember chats and open query ids that a pushed update introduces."""
        body = update.get(_update_kind(update))
        if not isinstance(body, dict):
            return
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            self._chats.setdefault(int(chat["id"]), dict(chat))
        if "message" in update or "edited_message" in update:
            said = {k: v for k, v in body.items() if k != "reply_to_message"}
            if isinstance(chat, dict) and "message_id" in said:
                self.user_messages[(int(chat["id"]), int(said["message_id"]))] = said
        if "callback_query" in update:
            self._open_callbacks.add(str(body["id"]))
        if "inline_query" in update:
            self._open_inline_queries.add(str(body["id"]))

    def _chat_id(self, params: JsonDict) -> int:
        chat_id = _int_param(params, "chat_id", "Bad Request: chat not found")
        assert chat_id is not None
        return chat_id

    def _check_can_send(self, method: str, chat_id: int) -> None:
        if chat_id in self._blocked:
            raise ApiError(403, _BLOCKED)
        if self._rate is not None and method.lower() in self._rate.methods:
            self._rate.check(chat_id)

    def _record(self, method: str, sent: Sent) -> None:
        if self._rate is not None and method.lower() in self._rate.methods:
            self._rate.record(sent.chat_id)
        self.sent.append(sent)

    def _editable(self, params: JsonDict) -> Message:
        chat_id = self._chat_id(params)
        message_id = _int_param(
            params, "message_id", "Bad Request: message identifier is not specified"
        )
        message = self.messages.get((chat_id, message_id or 0))
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    # -------------------------------------------------------- Bot API methods

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset")
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = max(_int_param(params, "timeout") or 0, 0)
        allowed = _json_param(
            params, "allowed_updates", "Bad Request: can't parse allowed_updates"
        )
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or None
        if offset is not None:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.polls_waiting += 1
        self._notify()
        try:
            await self.until(
                lambda: (
                    bool(self._deliverable())
                    or self._closing
                    or generation != self._poll_generation
                ),
                timeout,
            )
        finally:
            self.polls_waiting -= 1
        if generation != self._poll_generation and not self._closing:
            raise ApiError(409, _default_description(409, None))
        return copy.deepcopy(self._deliverable()[:limit])

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self) -> list[JsonDict]:
        """Queued updates the bot asked for; the others are dropped, as the real server does."""
        kept = []
        for update in self._updates:
            kind = _update_kind(update)
            allowed = self._allowed_updates
            if (allowed is None and kind not in _OPT_IN_UPDATES) or (allowed and kind in allowed):
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        self._updates = kept
        return kept

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = ""
        if _bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        secret = _str_param(params, "secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook_url = _str_param(params, "url") or ""
        if _bool_param(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _commands_key(self, params: JsonDict) -> tuple[str, str]:
        scope = _json_param(
            params, "scope", "Bad Request: can't parse BotCommandScope JSON object"
        )
        return _scope_key(scope), _str_param(params, "language_code") or ""

    async def _set_my_commands(self, params: JsonDict) -> bool:
        bad = "Bad Request: can't parse commands JSON object"
        commands = _check_commands(_json_param(params, "commands", bad))
        self.commands[self._commands_key(params)] = commands
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        return self.commands.get(self._commands_key(params), [])

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _formatted(self, params: JsonDict) -> tuple[str, str, str | None, list[JsonDict]]:
        raw = _str_param(params, "text") or ""
        parse_mode = _str_param(params, "parse_mode")
        bad = "Bad Request: can't parse entities JSON object"
        plain, entities = _formatted_text(raw, parse_mode, _json_param(params, "entities", bad))
        return raw, plain, parse_mode, entities

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = self._chat_id(params)
        self._check_can_send("sendMessage", chat_id)
        raw, plain, parse_mode, entities = self._formatted(params)
        markup = _reply_markup(params.get("reply_markup"))
        reply_to = self._replied_to(chat_id, params)
        message_id = self.next_message_id(chat_id)
        now = time.monotonic()
        sent = Sent("send", chat_id, message_id, plain, raw, parse_mode, entities, markup, now)
        message = Message(chat_id, message_id, int(time.time()), [sent], reply_to=reply_to)
        self.messages[(chat_id, message_id)] = message
        self._record("sendMessage", sent)
        return self.message_json(message)

    def _replied_to(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        """The message a send answers (`reply_parameters`, or the older `reply_to_message_id`),
        shown without its own `reply_to_message`, as the real server nests only one level."""
        bad = "Bad Request: can't parse reply parameters JSON object"
        reply = _json_param(params, "reply_parameters", bad)
        if reply is None and params.get("reply_to_message_id") not in (None, ""):
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": _bool_param(params, "allow_sending_without_reply"),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict):
            raise ApiError(400, bad)
        message_id = _int_param(reply, "message_id", bad)
        key = (chat_id, message_id or 0)
        if key in self.user_messages:
            return copy.deepcopy(self.user_messages[key])
        own = self.messages.get(key)
        if own is not None and not own.deleted:
            body = self.message_json(own)
            body.pop("reply_to_message", None)
            return body
        if _bool_param(reply, "allow_sending_without_reply"):
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")

    async def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            self._formatted(params)
            _reply_markup(params.get("reply_markup"))
            return True
        message = self._editable(params)
        self._check_can_send("editMessageText", message.chat_id)
        raw, plain, parse_mode, entities = self._formatted(params)
        # Without reply_markup an edit removes the inline keyboard, as on the real server.
        markup = _reply_markup(params.get("reply_markup"))
        return self._apply_edit(
            "editMessageText", message, raw, plain, parse_mode, entities, markup
        )

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if params.get("inline_message_id"):
            _reply_markup(params.get("reply_markup"))
            return True
        message = self._editable(params)
        self._check_can_send("editMessageReplyMarkup", message.chat_id)
        old = message.current
        markup = _reply_markup(params.get("reply_markup"))
        return self._apply_edit(
            "editMessageReplyMarkup",
            message,
            old.html,
            old.text,
            old.parse_mode,
            old.entities,
            markup,
        )

    def _apply_edit(
        self,
        method: str,
        message: Message,
        raw: str,
        plain: str,
        parse_mode: str | None,
        entities: list[JsonDict],
        markup: JsonDict | None,
    ) -> JsonDict:
        new_keyboard = (markup or {}).get("inline_keyboard") or []
        if (plain, entities, new_keyboard) == (
            message.text,
            message.entities,
            message.inline_keyboard,
        ):
            raise ApiError(400, _NOT_MODIFIED)
        sent = Sent(
            "edit",
            message.chat_id,
            message.message_id,
            plain,
            raw,
            parse_mode,
            entities,
            markup,
            time.monotonic(),
        )
        message.history.append(sent)
        message.edit_date = int(time.time())
        self._record(method, sent)
        return self.message_json(message)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat_id = self._chat_id(params)
        message_id = _int_param(
            params, "message_id", "Bad Request: message identifier is not specified"
        )
        message = self.messages.get((chat_id, message_id or 0))
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        self.deleted.append(Deleted(chat_id, message.message_id, time.monotonic()))
        return True

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = _str_param(params, "callback_query_id") or ""
        if query_id not in self._open_callbacks:
            raise ApiError(400, _QUERY_TOO_OLD)
        text = _str_param(params, "text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.callback_answers[query_id] = CallbackAnswer(
            text, _bool_param(params, "show_alert"), _str_param(params, "url"), time.monotonic()
        )
        return True

    async def _answer_inline_query(self, params: JsonDict) -> bool:
        query_id = _str_param(params, "inline_query_id") or ""
        if query_id not in self._open_inline_queries:
            raise ApiError(400, _QUERY_TOO_OLD)
        bad = "Bad Request: can't parse inline query results JSON object"
        results = _check_inline_results(_json_param(params, "results", bad))
        self._open_inline_queries.discard(query_id)
        self.inline_answers[query_id] = InlineAnswer(
            results,
            _int_param(params, "cache_time"),
            _bool_param(params, "is_personal"),
            _str_param(params, "next_offset") or "",
            time.monotonic(),
        )
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        chat_id = self._chat_id(params)
        if chat_id in self._blocked:
            raise ApiError(403, _BLOCKED)
        if _str_param(params, "action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True


# ---------------------------------------------------------------- polling lifetime


@contextlib.asynccontextmanager
async def running_polling(
    dp: Dispatcher,
    bot: Bot,
    *,
    polling_timeout: int = 10,
    close_bot_session: bool = True,
    drain_timeout: float = 5.0,
    **workflow_data: Any,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run `dp.start_polling(bot)` for the body of the block, then stop it without leftovers.

    On exit it stops polling, waits for update handlers still running (aiogram runs each update
    as a task and does not wait for them), and only then closes the bot session, so no handler
    reopens a session that nobody closes.
    """
    task = asyncio.create_task(
        dp.start_polling(
            bot,
            polling_timeout=polling_timeout,
            handle_signals=False,
            close_bot_session=False,
            **workflow_data,
        )
    )
    try:
        yield task
    finally:
        try:
            await _stop_polling(dp, task)
            await _drain_handlers(dp, drain_timeout)
        finally:
            if close_bot_session:
                await bot.session.close()


async def _stop_polling(dp: Dispatcher, task: asyncio.Task[None]) -> None:
    while not task.done():
        try:
            await dp.stop_polling()
        except RuntimeError:
            # start_polling has not taken its lock yet; give it a moment to start.
            await asyncio.sleep(0.01)
    await task  # surfaces a crash of the polling loop itself


async def _drain_handlers(dp: Dispatcher, limit_s: float) -> None:
    # aiogram keeps its per-update tasks in this private set; there is no public way to wait.
    # Without it the drain would silently wait for nothing, so its absence is an error.
    if not hasattr(dp, "_handle_update_tasks"):
        raise RuntimeError("aiogram no longer keeps Dispatcher._handle_update_tasks")
    tasks: set[asyncio.Task[Any]] = set(dp._handle_update_tasks)
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=limit_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    if pending:
        raise AssertionError(f"{len(pending)} update handler(s) still running after {limit_s}s")
