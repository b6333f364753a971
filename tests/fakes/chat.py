"""One Telegram user talking to the bot through `FakeTelegram`, written like a conversation.

A `Chat` pushes the updates a real client would produce (messages with a ``bot_command`` entity,
button taps as callback queries with real id formats, inline queries, blocking the bot) and waits
for the bot's visible reaction in that chat: a message sent, edited or deleted, a callback or
inline answer. Since the fake server cannot know when a handler has finished, each step waits for
the first reaction and then for a short quiet spell (`settle`), so multi-message replies are
complete before the test reads them. A step that sees nothing fails with what the bot did send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from tests.fakes.telegram import (
    CallbackAnswer,
    Deleted,
    FakeTelegram,
    JsonDict,
    Message,
    Sent,
    utf16_len,
)


@dataclass(frozen=True)
class Tap:
    """What tapping a button got: the callback answer and the message sent or edited after it."""

    answer_text: str | None
    show_alert: bool
    url: str | None
    message: Message | None


@dataclass(frozen=True)
class _Mark:
    sent: int
    deleted: int
    calls: int


class Chat:
    """A private chat between one user and the bot."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str = "Алиса",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        is_premium: bool = False,
        timeout: float = 5.0,
        settle: float = 0.05,
    ) -> None:
        self.tg = tg
        self.user_id = user_id
        self.timeout = timeout
        self.settle = settle
        self.user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat: JsonDict = {"id": user_id, "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                self.user[key] = self.chat[key] = value
        if language_code is not None:
            self.user["language_code"] = language_code
        if is_premium:
            self.user["is_premium"] = True
        self.chat["type"] = "private"
        self._sent: dict[int, JsonDict] = {}  # update id -> update, of `sends` and its kin
        tg.register_chat(self.chat)

    @property
    def chat_id(self) -> int:
        return self.user_id

    @property
    def messages(self) -> list[Message]:
        """Every message the bot sent here, in order, deleted ones included (see `.deleted`)."""
        return self.tg.chat_messages(self.chat_id)

    @property
    def last_message(self) -> Message:
        visible = [m for m in self.messages if not m.deleted]
        if not visible:
            raise AssertionError(f"the bot has sent nothing to chat {self.chat_id}")
        return visible[-1]

    # ------------------------------------------------------------ steps

    async def sends(self, text: str) -> Message:
        """Send a text message; returns the bot message touched last in reaction to it."""
        return await self._reaction({"message": self.message_update(text)}, f"reply to {text!r}")

    async def sends_photo(self, caption: str) -> Message:
        """Send a photo with a caption (a screenshot of an order, say)."""
        message = self.message_update(caption)
        message.pop("text")
        message.pop("entities", None)
        message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
        message["caption"] = caption
        return await self._reaction({"message": message}, f"reply to a photo {caption!r}")

    async def edits(self, sent: str, text: str) -> Message:
        """Edit an earlier message of this chat that said `sent` so that it says `text`."""
        message = self.message_update(text)
        message["message_id"] = self._own_message_id(sent)
        message["edit_date"] = int(time.time())
        return await self._reaction({"edited_message": message}, f"reply to the edit {text!r}")

    async def _reaction(self, update: JsonDict, what: str) -> Message:
        mark = self._mark()
        update_id = self.tg.push_update(update)
        self._sent[update_id] = update
        await self._expect(mark, lambda: bool(self._activity(mark)), what)
        touched = self._touched(mark)
        assert touched is not None
        return touched

    def _own_message_id(self, text: str) -> int:
        for update in reversed(self._sent.values()):
            message = update.get("message") or update.get("edited_message") or {}
            if message.get("text") == text:
                return int(message["message_id"])
        raise AssertionError(f"this chat sent no {text!r}")

    async def sends_and_expect_nothing(self, text: str, wait: float = 0.3) -> None:
        """Send a text and check the bot stays silent in this chat for `wait` seconds."""
        mark = self._mark()
        update_id = self.tg.push_update({"message": self.message_update(text)})
        if not await self.tg.until(lambda: self.tg.delivered(update_id), self.timeout):
            raise AssertionError(f"{text!r} was never fetched\n{self.tg.describe_calls()}")
        await asyncio.sleep(wait)
        if activity := self._activity(mark):
            seen = [getattr(item, "text", "(a deletion)") for item in activity]
            raise AssertionError(f"expected no reply to {text!r}, got {seen}")

    async def taps(self, label: str, *, on: Message | None = None, too_old: bool = False) -> Tap:
        """Tap the button whose text contains `label` on `on` or the last message with buttons."""
        message = on or self._last_with_buttons()
        if message is None:
            raise AssertionError(f"no message with buttons in chat {self.chat_id}")
        matches = [b for row in message.inline_keyboard for b in row if label in b["text"]]
        if len(matches) != 1:
            raise AssertionError(
                f"{len(matches)} buttons contain {label!r} on message {message.message_id}: "
                f"{message.buttons}"
            )
        button = matches[0]
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} opens something, it sends no data")
        return await self.taps_data(str(button["callback_data"]), on=message, too_old=too_old)

    async def taps_data(
        self, data: str, *, on: Message | None = None, too_old: bool = False
    ) -> Tap:
        """Send a callback query with any data, as a forged or stale button would. `too_old`:
        the message is past the 48 hours Telegram shows bots, so the query carries only its
        chat and id, with date 0 (an InaccessibleMessage)."""
        message = on or self._last_with_buttons() or self.last_message
        query_id = self.tg.new_query_id()
        mark = self._mark()
        shown = self.tg.message_json(message)
        if too_old:
            shown = {"chat": shown["chat"], "message_id": shown["message_id"], "date": 0}
        self.tg.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(self.user),
                    "message": shown,
                    "chat_instance": self.tg.chat_instance(self.chat_id),
                    "data": data,
                }
            }
        )
        await self._expect(
            mark, lambda: query_id in self.tg.callback_answers, f"answer to tap {data!r}"
        )
        answer: CallbackAnswer = self.tg.callback_answers[query_id]
        return Tap(answer.text, answer.show_alert, answer.url, self._touched(mark))

    async def queries_inline(self, query: str, *, offset: str = "") -> list[JsonDict]:
        """Type ``@bot query`` in a chat; returns the inline results the bot answered."""
        query_id = self.tg.new_query_id()
        mark = self._mark()
        self.tg.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": dict(self.user),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )
        await self._expect(
            mark, lambda: query_id in self.tg.inline_answers, f"inline answer to {query!r}"
        )
        return list(self.tg.inline_answers[query_id].results)

    async def blocks_bot(self) -> None:
        """Block the bot: later sends answer 403 and the bot gets a my_chat_member update."""
        self.tg.block(self.chat_id)
        await self._push_member_change("member", "kicked")

    async def unblocks_bot(self) -> None:
        self.tg.unblock(self.chat_id)
        await self._push_member_change("kicked", "member")

    async def wait_for_message(
        self,
        predicate: Callable[[Message], bool],
        timeout: float | None = None,  # noqa: ASYNC109 - the wait is what this does
    ) -> Message:
        """The first message in this chat (now or later) that satisfies `predicate`."""
        found: list[Message] = []

        def matched() -> bool:
            found[:] = [m for m in self.messages if predicate(m)][:1]
            return bool(found)

        limit = self.timeout if timeout is None else timeout
        if not await self.tg.until(matched, limit):
            raise AssertionError(f"no such message in chat {self.chat_id}: {self._texts()}")
        return found[0]

    # ------------------------------------------------------------ update bodies

    def message_update(self, text: str) -> JsonDict:
        """A user's text message as Telegram delivers it, commands marked as such."""
        message: JsonDict = {
            "message_id": self.tg.next_message_id(self.chat_id),
            "from": dict(self.user),
            "chat": dict(self.chat),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entity = {"offset": 0, "length": utf16_len(command), "type": "bot_command"}
            message["entities"] = [entity]
        return message

    async def _push_member_change(self, old: str, new: str) -> None:
        def member(status: str) -> JsonDict:
            body: JsonDict = {"user": dict(self.tg.bot_user), "status": status}
            if status == "kicked":
                body["until_date"] = 0
            return body

        update_id = self.tg.push_update(
            {
                "my_chat_member": {
                    "chat": dict(self.chat),
                    "from": dict(self.user),
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )
        if not await self.tg.until(lambda: self.tg.delivered(update_id), self.timeout):
            raise AssertionError(f"my_chat_member was never fetched\n{self.tg.describe_calls()}")

    # ------------------------------------------------------------ waiting

    def _mark(self) -> _Mark:
        return _Mark(len(self.tg.sent), len(self.tg.deleted), len(self.tg.calls))

    def _activity(self, mark: _Mark) -> list[Sent | Deleted]:
        """Sends, edits and deletions in this chat since `mark`."""
        sent = [s for s in self.tg.sent[mark.sent :] if s.chat_id == self.chat_id]
        deleted = [d for d in self.tg.deleted[mark.deleted :] if d.chat_id == self.chat_id]
        activity: list[Sent | Deleted] = [*sent, *deleted]
        return sorted(activity, key=lambda item: item.at)

    def _has_more(self, mark: _Mark, count: int) -> bool:
        return len(self._activity(mark)) > count

    def _touched(self, mark: _Mark) -> Message | None:
        activity = self._activity(mark)
        if not activity:
            return None
        return self.tg.messages[(self.chat_id, activity[-1].message_id)]

    async def _expect(self, mark: _Mark, first: Callable[[], bool], what: str) -> None:
        """Wait for `first`, then until the chat has been quiet for `settle` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        if not await self.tg.until(first, self.timeout):
            raise AssertionError(
                f"no {what} in chat {self.chat_id} within {self.timeout}s; "
                f"chat so far: {self._texts()}\n{self.tg.describe_calls(mark.calls)}"
            )
        seen, count = -1, len(self._activity(mark))
        while count != seen and loop.time() < deadline:
            seen = count
            await self.tg.until(partial(self._has_more, mark, count), self.settle)
            count = len(self._activity(mark))

    def _last_with_buttons(self) -> Message | None:
        for message in reversed(self.messages):
            if message.inline_keyboard and not message.deleted:
                return message
        return None

    def _texts(self) -> list[str]:
        return [m.text for m in self.messages]
