"""A fake Telegram Bot API server that the real python-telegram-bot stack can talk to.

Run it on 127.0.0.1, point ``ApplicationBuilder().base_url(fake.base_url)`` at it, push updates
with the builders below and assert on the recorded :class:`Call` objects::

    async with FakeBotAPI() as fake:
        application = (
            ApplicationBuilder().token("123:ABC")
            .base_url(fake.base_url).base_file_url(fake.base_file_url).build()
        )
        ...
        fake.push_update(fake.private_message("hello"))
        call = await fake.wait_for("sendMessage")

Requests are decoded the way Telegram does (query string, urlencoded form, multipart or JSON
body), method names are case-insensitive, and errors use Telegram's HTTP status codes and
descriptions, so PTB raises the same exceptions it would in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import secrets
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import BodyPartReader, web

from tests.fakes import telegram_spec
from tests.fakes.violations import SpecViolationError

JSONDict = dict[str, Any]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001234567890
DEFAULT_BOT_ID = 7000000001
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

# Parameters whose value is always a plain string; every other one is JSON-decoded when possible.
_STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "query", "callback_query_id", "inline_query_id",
     "inline_message_id", "url", "action", "language_code", "secret_token", "next_offset",
     "file_id", "title", "description", "short_description", "name", "emoji",
     "business_connection_id", "message_effect_id", "ip_address", "switch_pm_text"}
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_ENTITY_TEXT_RE = re.compile(
    r"(?P<command>(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@]))"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w))"
)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` and ``mention`` entities Telegram would attach to a user's ``text``."""
    found = []
    for m in _ENTITY_TEXT_RE.finditer(text):
        kind = "bot_command" if m.lastgroup == "command" else "mention"
        offset, length = utf16_len(text[: m.start()]), utf16_len(m.group())
        found.append({"type": kind, "offset": offset, "length": length})
    return found


# --------------------------------------------------------------------------- text formatting


class ParseError(ValueError):
    """Raised when a formatted text cannot be parsed; the message is Telegram's wording."""


class _Builder:
    """Accumulates plain text and entities with UTF-16 offsets."""

    def __init__(self) -> None:
        """Start empty."""
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSONDict] = []

    def add(self, text: str) -> None:
        """Append plain text."""
        self.parts.append(text)
        self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        """Record an entity from ``start`` to the current position, unless it is empty."""
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[JSONDict]]:
        """The plain text and its entities in Telegram's order."""
        return "".join(self.parts), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))


def _byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of ``text[index]``, as Telegram reports positions in parse errors."""
    return len(text[:index].encode("utf-8"))


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);")
_HTML_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_HTML_ATTR_RE = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_-]*)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def _html_unescape(text: str) -> str:
    """Decode the HTML entities Telegram understands; unknown ones stay literal."""

    def decode(m: re.Match[str]) -> str:
        name = m.group(1)
        if name[0] != "#":
            return _HTML_NAMED.get(name, m.group())
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(code) if 0 < code <= 0x10FFFF else m.group()

    return _HTML_ENTITY_RE.sub(decode, text)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into plain text and entities, or raise :class:`ParseError`."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        lt = text.find("<", i)
        chunk = text[i : n if lt == -1 else lt]
        if chunk:
            out.add(_html_unescape(chunk))
        if lt == -1:
            break
        i, off = lt, _byte_offset(text, lt)
        if text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise ParseError(f"Unclosed end tag at byte offset {off}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {off}")
            tag, start, attrs = stack.pop()
            if name != tag:
                expected = f'expected "</{tag}>", found "</{name}>"'
                raise ParseError(f"Unmatched end tag at byte offset {off}, {expected}")
            _close_html_tag(out, tag, start, attrs, stack)
            i = end + 1
            continue
        m = _HTML_NAME_RE.match(text, i + 1)
        name = m.group().lower() if m else ""
        if name not in _HTML_TAGS:
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {off}')
        attrs: dict[str, str] = {}
        j = m.end() if m else i + 1
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] == ">":
                break
            a = _HTML_ATTR_RE.match(text, j)
            if not a or a.end() == j:
                raise ParseError(f"Unclosed start tag at byte offset {off}")
            attrs[a.group(1).lower()] = _html_unescape((a.group(2) or "").strip("\"'"))
            j = a.end()
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {off}")
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError('Tag "span" must have class "tg-spoiler"')
        stack.append((name, out.pos, attrs))
        i = j + 1
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _close_html_tag(
    out: _Builder, tag: str, start: int, attrs: dict[str, str], stack: list[Any]
) -> None:
    """Turn a closed HTML tag into an entity (``<pre><code class=…>`` becomes a language)."""
    kind = _HTML_TAGS[tag]
    if tag == "a":
        if attrs.get("href"):
            out.entity(kind, start, url=attrs["href"])
    elif tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
        else:
            out.entity(kind, start)
    elif tag == "pre" and attrs.get("language"):
        out.entity(kind, start, language=attrs["language"])
    elif tag == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attrs else kind, start)
    elif tag == "tg-emoji":
        out.entity(kind, start, custom_emoji_id=attrs.get("emoji-id", ""))
    else:
        out.entity(kind, start)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
}  # fmt: skip


def parse_markdown_v2(text: str) -> tuple[str, list[JSONDict]]:
    """Parse MarkdownV2 into plain text and entities, or raise :class:`ParseError`."""
    out = _Builder()
    stack: list[tuple[str, int, int, str]] = []  # kind, start position, source index, language
    quote: int | None = None
    i, n = 0, len(text)

    def toggle(kind: str, width: int) -> int:
        """Open or close a symmetric entity such as ``*bold*``."""
        if stack and stack[-1][0] == kind:
            out.entity(kind, stack.pop()[1])
        elif any(e[0] == kind for e in stack):
            top = stack[-1]
            raise ParseError(
                f"Can't find end of {_MDV2_NAMES[top[0]]} entity at byte offset "
                f"{_byte_offset(text, top[2])}"
            )
        else:
            stack.append((kind, out.pos, i, ""))
        return i + width

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        top = stack[-1][0] if stack else None
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if text.startswith(closing, i):
                kind, start, _, language = stack.pop()
                out.entity(kind, start, **({"language": language} if language else {}))
                i += len(closing)
            else:
                out.add(c)
                i += 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            quote = out.pos if quote is None else quote
            i += 1
            continue
        if c == "\n" and quote is not None and not text.startswith(">", i + 1):
            out.entity("blockquote", quote)
            quote = None
        if c not in _MDV2_RESERVED:
            out.add(c)
            i += 1
        elif c == "`" and text.startswith("```", i):
            j, language = i + 3, ""
            newline = text.find("\n", j)
            if newline != -1 and re.fullmatch(r"[\w+#.-]+", text[j:newline]):
                language, j = text[j:newline], newline + 1
            stack.append(("pre", out.pos, i, language))
            i = j
        elif c == "`":
            stack.append(("code", out.pos, i, ""))
            i += 1
        elif c == "*":
            i = toggle("bold", 1)
        elif c == "_":
            double = text.startswith("__", i) and top != "italic"
            i = toggle("underline", 2) if double else toggle("italic", 1)
        elif c == "~":
            i = toggle("strikethrough", 1)
        elif c == "|" and text.startswith("||", i):
            i = toggle("spoiler", 2)
        elif c == "[":
            stack.append(("text_link", out.pos, i, ""))
            i += 1
        elif c == "]" and top == "text_link" and text.startswith("(", i + 1):
            j, url = i + 2, []
            while j < n and text[j] != ")":
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(text[j])
                j += 1
            if j >= n:
                raise ParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i)}")
            out.entity("text_link", stack.pop()[1], url="".join(url))
            i = j + 1
        else:
            raise ParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
    if stack:
        kind, _, index, _ = stack[-1]
        offset = _byte_offset(text, index)
        raise ParseError(f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {offset}")
    if quote is not None:
        out.entity("blockquote", quote)
    return out.result()


_MD_LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def parse_markdown(text: str) -> tuple[str, list[JSONDict]]:
    """Parse legacy Markdown into plain text and entities, or raise :class:`ParseError`."""
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        error = f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
        start = out.pos
        if c == "[":
            m = _MD_LINK_RE.match(text, i)
            if not m:
                raise ParseError(error)
            out.add(m.group(1))
            out.entity("text_link", start, url=m.group(2))
            i = m.end()
            continue
        width = 3 if text.startswith("```", i) else 1
        end = text.find(text[i : i + width], i + width)
        if end == -1:
            raise ParseError(error)
        body, extra = text[i + width : end], {}
        if width == 3 and "\n" in body and re.fullmatch(r"[\w+#.-]+", body.split("\n", 1)[0]):
            extra["language"], body = body.split("\n", 1)
        out.add(body)
        kind = "pre" if width == 3 else {"*": "bold", "_": "italic", "`": "code"}[c]
        out.entity(kind, start, **extra)
        i = end + width
    return out.result()


def format_text(
    text: str, parse_mode: str | None, entities: list[JSONDict] | None = None
) -> tuple[str, list[JSONDict]]:
    """Apply ``parse_mode`` (or explicit ``entities``) like Telegram; raise :class:`ParseError`."""
    if not parse_mode:
        return text, list(entities or [])
    parser = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
    if parse_mode.lower() not in parser:
        raise ValueError(parse_mode)
    return parser[parse_mode.lower()](text)


# --------------------------------------------------------------------------- the server


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": …, "description": …}``."""

    def __init__(
        self, description: str, error_code: int = 400, parameters: JSONDict | None = None
    ) -> None:
        """Remember the answer's fields."""
        super().__init__(description)
        self.description, self.error_code, self.parameters = description, error_code, parameters

    def body(self) -> JSONDict:
        """The JSON body Telegram would send."""
        body: JSONDict = {"ok": False, "error_code": self.error_code}
        body["description"] = self.description
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass(frozen=True)
class Call:
    """One request the bot made: decoded params, uploaded files and the answer it got."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float  # time.monotonic() when the request arrived
    status: int = 200
    response: JSONDict = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the answer was successful."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The ``result`` of a successful answer (e.g. the sent Message dict)."""
        return self.response.get("result")


Uploads = dict[str, tuple[str, bytes]]  # multipart field -> (file name, content)
Handler = Callable[[JSONDict, Uploads], Awaitable[Any]]


class FakeBotAPI:
    """An aiohttp server on 127.0.0.1 that answers Bot API methods like Telegram does."""

    def __init__(
        self,
        *,
        bot_username: str = "silentgod_bot",
        bot_name: str = "Silent God",
        tokens: set[str] | None = None,
        count_utf16: bool = True,
    ) -> None:
        """Configure the bot identity; ``tokens`` (if given) is the set of accepted tokens."""
        self.bot_username, self.bot_name = bot_username, bot_name
        self.accepted_tokens, self.count_utf16 = tokens, count_utf16
        self.tokens_seen: set[str] = set()
        self.token: str | None = None  # the token of the most recent request
        self.webhook_url = ""
        self.server_errors: list[Exception] = []  # unexpected exceptions inside the fake
        # Requests that broke the Bot API spec: each was refused with a 400, and the fake's
        # exit raises SpecViolationError unless a test took them (take_violations()).
        self.violations: list[telegram_spec.Violation] = []
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._calls: list[Call] = []
        self._call_event = asyncio.Event()
        self._updates: list[JSONDict] = []
        self._update_event = asyncio.Event()
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._closing = False
        self._update_ids = itertools.count(100_000)
        self._last_update_id = 0
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(5_000_000_000)
        self._faults: dict[str, list[ApiError]] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._sent: list[JSONDict] = []
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._members: dict[tuple[int, int], MemberStatus] = {}
        self._open_queries: set[str] = set()
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._files: dict[str, tuple[JSONDict, bytes]] = {}
        self._file_paths: dict[str, bytes] = {}
        self._edit_interval: float | None = None  # see limit_edits()
        self._edit_retry_after = 1
        self._last_edit: dict[tuple[int, int], float] = {}
        handlers: dict[str, Handler] = {
            "getMe": self._get_me, "logOut": self._true, "close": self._true,
            "getUpdates": self._get_updates, "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook, "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands, "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands, "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "sendChatAction": self._send_chat_action, "sendPhoto": self._send_photo,
            "sendDocument": self._send_document, "getFile": self._get_file,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "getChatMember": self._get_chat_member, "getChat": self._get_chat,
        }  # fmt: skip
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # ----------------------------------------------------------------- lifecycle and URLs

    async def start(self) -> FakeBotAPI:
        """Start listening on a random free port of 127.0.0.1."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._closing = False
        return self

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        """Start the server."""
        return await self.start()

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        """Stop the server; fail if a request broke the Bot API spec (see ``violations``)."""
        await self.stop()
        if exc_type is None and self.violations:
            raise SpecViolationError("Telegram Bot API", self.take_violations())

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url``; PTB appends the token, then ``/method``."""
        return f"http://127.0.0.1:{self._port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url``; PTB appends the token."""
        return f"http://127.0.0.1:{self._port}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id: the numeric part of the token, like Telegram's."""
        head = (self.token or "").split(":", 1)[0]
        return int(head) if head.isdigit() else DEFAULT_BOT_ID

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a User object (the ``from`` of its messages)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_name,
                "username": self.bot_username}  # fmt: skip

    # ----------------------------------------------------------------- recorded calls

    def calls(self, method: str | None = None, *, ok: bool | None = None) -> list[Call]:
        """Recorded calls in the order they were answered, optionally filtered."""
        wanted = self._canonical(method) if method else None
        return [
            c
            for c in self._calls
            if (wanted is None or c.method == wanted) and (ok is None or c.ok == ok)
        ]

    def unconfirmed(self) -> set[int]:
        """Ids of the updates getUpdates still holds: never confirmed by a higher offset."""
        return {u["update_id"] for u in self._updates}

    def mark(self) -> int:
        """The current number of recorded calls, to pass as ``wait_for(..., since=)``."""
        return len(self._calls)

    def clear(self) -> None:
        """Forget the recorded calls (state such as chats and messages is kept)."""
        self._calls.clear()

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        *,
        ok: bool | None = None,
        since: int = 0,
    ) -> Call:
        """The first call (at index >= ``since``) matching; wait up to ``timeout`` seconds."""
        wanted = self._canonical(method)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for call in self._calls[since:]:
                if call.method != wanted or (ok is not None and call.ok != ok):
                    continue
                if predicate is None or predicate(call):
                    return call
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = [f"{c.method}{c.params}" for c in self._calls if c.method != "getUpdates"]
                raise AssertionError(
                    f"no matching {wanted} call within {timeout}s; calls: {seen[-15:]}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._call_event.wait(), remaining)

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent, in their current (possibly edited) state."""
        current = [self._messages[(m["chat"]["id"], m["message_id"])] for m in self._sent]
        return [m for m in current if chat_id is None or m["chat"]["id"] == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A known message (sent by the bot or pushed in an update) in its current state."""
        return self._messages.get((chat_id, message_id))

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands set by setMyCommands for this scope and language."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    # ----------------------------------------------------------------- configuration

    def fail_next(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        error_code: int = 400,
        description: str | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail (429 if ``retry_after`` is given)."""
        if retry_after is not None:
            error = ApiError(
                description or f"Too Many Requests: retry after {retry_after}",
                429,
                {"retry_after": retry_after},
            )
        else:
            defaults = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden: bot was blocked by the user",
                409: "Conflict",
                500: "Internal Server Error",
            }
            error = ApiError(description or defaults.get(error_code, "Error"), error_code)
        self._faults.setdefault(self._canonical(method), []).extend([error] * count)

    def limit_edits(self, interval_s: float | None = 1.0, *, retry_after: int = 1) -> None:
        """Simulate Telegram's flood control on editing one message (off by default).

        An editMessageText of a message less than ``interval_s`` after its previous successful
        edit is refused with 429 "Too Many Requests: retry after ``retry_after``", as Telegram
        answers a bot that edits one message faster than it allows; None turns it off.
        """
        self._edit_interval, self._edit_retry_after = interval_s, retry_after

    def set_chat_member(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """Set what getChatMember answers for this user in this chat (default "member")."""
        self._members[(chat_id, user_id)] = status

    def add_file(self, data: bytes, *, kind: str = "photos", name: str = "file.bin") -> JSONDict:
        """Store a file so getFile and downloads from ``base_file_url`` serve it; its File dict."""
        return self._store_file(data, kind, name)

    # ----------------------------------------------------------------- update builders

    def user(
        self,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Alice",
        *,
        username: str | None = "alice",
        language_code: str | None = "en",
    ) -> JSONDict:
        """A User object (remembered for getChatMember)."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def private_message(
        self,
        text: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Alice",
        username: str | None = "alice",
        language_code: str | None = "en",
        reply_to: JSONDict | Call | int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """An update with a text message in the private chat with ``user_id``."""
        user = self.user(user_id, first_name, username=username, language_code=language_code)
        chat = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        return self._message_update(text, chat, user, reply_to, entities)

    def group_message(
        self,
        text: str,
        *,
        chat_id: int = DEFAULT_GROUP_ID,
        title: str = "Temple of Glyphs",
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Alice",
        username: str | None = "alice",
        language_code: str | None = "en",
        reply_to: JSONDict | Call | int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """An update with a text message in a (super)group; entities are auto-computed."""
        user = self.user(user_id, first_name, username=username, language_code=language_code)
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = {"id": chat_id, "type": kind, "title": title}
        return self._message_update(text, chat, user, reply_to, entities)

    def command(
        self,
        name: str,
        args: str = "",
        *,
        chat_id: int | None = None,
        mention: bool = False,
        **kwargs: Any,
    ) -> JSONDict:
        """An update with ``/name[@bot] args``: private, or in group ``chat_id`` if given."""
        text = f"/{name}" + (f"@{self.bot_username}" if mention else "") + (f" {args}" * bool(args))
        if chat_id is None:
            return self.private_message(text, **kwargs)
        return self.group_message(text, chat_id=chat_id, **kwargs)

    def callback_query(
        self,
        data: str,
        *,
        message: JSONDict | Call | None = None,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Alice",
        language_code: str | None = "en",
    ) -> JSONDict:
        """An update with a button press on ``message`` (default: the bot's latest message)."""
        msg = self._resolve_message(message) if message is not None else None
        if msg is None:
            if not self._sent:
                raise ValueError("callback_query needs a message and the bot has sent none")
            msg = self.sent_messages()[-1]
        user = self.user(user_id, first_name, language_code=language_code)
        query = {"id": str(next(self._query_ids)), "from": user, "message": msg,
                 "chat_instance": str(-abs(msg["chat"]["id"]) * 7919), "data": data}  # fmt: skip
        return {"update_id": next(self._update_ids), "callback_query": query}

    def inline_query(
        self,
        query: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        first_name: str = "Alice",
        language_code: str | None = "en",
        offset: str = "",
        chat_type: str = "private",
    ) -> JSONDict:
        """An update with an inline query ``@bot query``."""
        user = self.user(user_id, first_name, language_code=language_code)
        inline = {"id": str(next(self._query_ids)), "from": user, "query": query,
                  "offset": offset, "chat_type": chat_type}  # fmt: skip
        return {"update_id": next(self._update_ids), "inline_query": inline}

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates (remembering its chats, messages and query ids)."""
        if update.get("update_id", -1) <= self._last_update_id:  # built earlier, pushed later
            update["update_id"] = next(self._update_ids)
        self._last_update_id = update["update_id"]
        for key in ("callback_query", "inline_query"):
            if key in update:
                self._open_queries.add(update[key]["id"])
        message = update.get("message") or update.get("edited_message")
        if message:
            self._chats[message["chat"]["id"]] = message["chat"]
            self._messages[(message["chat"]["id"], message["message_id"])] = message
        self._updates.append(update)
        self._wake_pollers()
        return update

    def _message_update(
        self,
        text: str,
        chat: JSONDict,
        user: JSONDict,
        reply_to: JSONDict | Call | int | None,
        entities: list[JSONDict] | None,
    ) -> JSONDict:
        """Wrap a new user text message in an update."""
        msg: JSONDict = {"message_id": self._next_message_id(chat["id"]), "from": user,
                         "chat": chat, "date": int(time.time()), "text": text}  # fmt: skip
        ents = auto_entities(text) if entities is None else entities
        if ents:
            msg["entities"] = ents
        if reply_to is not None:
            replied = self._resolve_message(reply_to, chat["id"])
            if replied is None:
                raise ValueError(f"unknown message to reply to: {reply_to!r}")
            msg["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        self._chats[chat["id"]] = chat
        self._messages[(chat["id"], msg["message_id"])] = msg
        return {"update_id": next(self._update_ids), "message": msg}

    def _resolve_message(self, ref: JSONDict | Call | int, chat_id: int | None = None) -> Any:
        """A message dict from a dict, a Call (its result) or a message id in ``chat_id``."""
        if isinstance(ref, Call):
            ref = ref.result
        if isinstance(ref, dict):
            return self._messages.get((ref["chat"]["id"], ref["message_id"]), ref)
        return self._messages.get((chat_id, ref)) if chat_id is not None else None

    def _next_message_id(self, chat_id: int) -> int:
        """A fresh message id; like Telegram, ids count up per chat."""
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # ----------------------------------------------------------------- HTTP plumbing

    def _canonical(self, method: str) -> str:
        """Telegram's spelling of a (case-insensitive) method name."""
        return self._handlers.get(method.lower(), (method, None))[0]

    def _wake_pollers(self) -> None:
        """Wake every waiting long poll."""
        self._update_event.set()
        self._update_event = asyncio.Event()

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, JSONDict, Uploads]:
        """Read query string, urlencoded/multipart form or JSON body like Telegram does.

        Answers the values as they travelled (form strings, JSON values), the same decoded
        for the handlers, and the uploaded files.
        """
        raw: JSONDict = dict(request.query)
        files: Uploads = {}
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await request.json())
            return raw, dict(raw), files
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = (part.filename, bytes(await part.read()))
                else:
                    raw[part.name] = await part.text()
        elif request.can_read_body:
            raw.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        params: JSONDict = {}
        for key, value in raw.items():
            params[key] = value
            if key not in _STRING_PARAMS:
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
        return raw, params, files

    def _check_spec(self, method: str, raw: JSONDict, files: Uploads) -> None:
        """Refuse (and remember) a request the Bot API specification does not allow."""
        found = telegram_spec.check(method, raw, files)
        if not found:
            return
        self.violations.extend(found)
        if found[0].field == "(method)":
            raise ApiError("Not Found", 404)
        raise ApiError("Bad Request: " + "; ".join(map(str, found)))

    def take_violations(self) -> list[telegram_spec.Violation]:
        """The spec violations recorded so far, forgotten (for tests that cause them)."""
        found, self.violations = self.violations, []
        return found

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Dispatch one Bot API request, record it and answer like Telegram."""
        at = time.monotonic()
        token = request.match_info["token"]
        self.tokens_seen.add(token)
        self.token = token
        method, handler = self._handlers.get(
            request.match_info["method"].lower(), (request.match_info["method"], None)
        )
        params: JSONDict = {}
        files: Uploads = {}
        status, body = 200, {}
        try:
            raw, params, files = await self._read_params(request)
            if self.accepted_tokens is not None and token not in self.accepted_tokens:
                raise ApiError("Unauthorized", 401)
            self._check_spec(request.match_info["method"], raw, files)
            if handler is None:
                raise ApiError("Not Found", 404)
            if self._faults.get(method):
                raise self._faults[method].pop(0)
            body = {"ok": True, "result": await handler(params, files)}
        except ApiError as err:
            status, body = err.error_code, err.body()
        except Exception as exc:  # a bug in the fake (or a wild request): answer, and keep it
            self.server_errors.append(exc)
            status, body = 500, ApiError(f"Internal Server Error: {exc!r}", 500).body()
        contents = {k: data for k, (_, data) in files.items()}
        names = {k: name for k, (name, _) in files.items()}
        self._calls.append(Call(method, params, contents, at, status, body, names))
        self._call_event.set()
        self._call_event = asyncio.Event()
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve a stored file's bytes like Telegram's file endpoint."""
        data = self._file_paths.get(request.match_info["path"])
        if data is None:
            return web.json_response(ApiError("Not Found", 404).body(), status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ----------------------------------------------------------------- helpers for methods

    def _chat(self, params: JSONDict) -> JSONDict:
        """The chat named by ``chat_id`` (created on first use for numeric ids)."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError("Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise ApiError("Bad Request: chat not found")
        if chat_id not in self._chats:
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "User"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                self._chats[chat_id] = {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
        return self._chats[chat_id]

    def _format(self, text: str, params: JSONDict, prefix: str = "") -> tuple[str, list[JSONDict]]:
        """Parse ``text`` with the request's parse_mode/entities, raising Telegram's errors."""
        try:
            return format_text(text, params.get("parse_mode"), params.get(f"{prefix}entities"))
        except ParseError as err:
            raise ApiError(f"Bad Request: can't parse entities: {err}") from None
        except ValueError:
            raise ApiError("Bad Request: unsupported parse_mode") from None

    def _length(self, text: str) -> int:
        """Length as counted against Telegram's limits."""
        return utf16_len(text) if self.count_utf16 else len(text)

    def _checked_text(self, params: JSONDict) -> tuple[str, list[JSONDict]]:
        """The message text after entity parsing, validated like sendMessage does."""
        text = params.get("text")
        if text is None or str(text) == "":
            raise ApiError("Bad Request: message text is empty")
        plain, entities = self._format(str(text), params)
        if not plain.strip():
            raise ApiError("Bad Request: message text is empty")
        if self._length(plain) > MESSAGE_LIMIT:
            raise ApiError("Bad Request: message is too long")
        return plain, entities

    def _new_bot_message(self, chat: JSONDict, params: JSONDict) -> JSONDict:
        """A Message from the bot with reply and inline keyboard taken from ``params``."""
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        replied = self._messages.get((reply.get("chat_id", chat["id"]), reply_id))
        may_skip = reply.get("allow_sending_without_reply") or params.get(
            "allow_sending_without_reply"
        )
        if reply_id and replied is None and not may_skip:
            raise ApiError("Bad Request: message to be replied not found")
        msg: JSONDict = {"message_id": self._next_message_id(chat["id"]), "from": self.bot_user,
                         "chat": chat, "date": int(time.time())}  # fmt: skip
        if params.get("message_thread_id"):
            msg["message_thread_id"] = params["message_thread_id"]
        if replied is not None:
            msg["reply_to_message"] = {k: v for k, v in replied.items() if k != "reply_to_message"}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            msg["reply_markup"] = markup
        return msg

    def _remember_sent(self, msg: JSONDict) -> JSONDict:
        """Store a message the bot sent and return it."""
        self._messages[(msg["chat"]["id"], msg["message_id"])] = msg
        self._sent.append(msg)
        return msg

    def _editable(self, params: JSONDict) -> JSONDict:
        """The bot message an edit method targets."""
        chat = self._chat(params)
        msg = self._messages.get((chat["id"], params.get("message_id")))
        if msg is None:
            raise ApiError("Bad Request: message to edit not found")
        if msg["from"].get("id") != self.bot_id:
            raise ApiError("Bad Request: message can't be edited")
        return msg

    def _store_file(self, data: bytes, kind: str, name: str | None) -> JSONDict:
        """Keep uploaded bytes under a fresh file_id and file_path."""
        n = len(self._files) + 1
        ext = name.rsplit(".", 1)[-1] if name and "." in name else "bin"
        file = {"file_id": f"{'AgAC' if kind == 'photos' else 'BQAC'}{secrets.token_hex(12)}",
                "file_unique_id": f"AQAD{secrets.token_hex(6)}", "file_size": len(data),
                "file_path": f"{kind}/file_{n}.{ext}"}  # fmt: skip
        self._files[file["file_id"]] = (file, data)
        self._file_paths[file["file_path"]] = data
        return file

    def _media(
        self, field: str, kind: str, params: JSONDict, files: Uploads
    ) -> tuple[JSONDict, bytes, str]:
        """The File dict, bytes and name of an uploaded file, file_id or URL parameter."""
        if field in files:
            name, data = files[field]
            return self._store_file(data, kind, name), data, name
        ref = params.get(field)
        if not ref:
            raise ApiError(f"Bad Request: there is no {field} in the request")
        if ref in self._files:
            file, data = self._files[ref]
            return file, data, file["file_path"].rsplit("/", 1)[-1]
        name = str(ref).rsplit("/", 1)[-1]
        return self._store_file(b"", kind, name), b"", name

    async def _send_media(self, field: str, params: JSONDict, files: Uploads) -> JSONDict:
        """sendPhoto/sendDocument: keep the bytes, validate the caption, return the Message."""
        chat = self._chat(params)
        kind = "photos" if field == "photo" else "documents"
        caption, entities = self._format(str(params.get("caption") or ""), params, "caption_")
        if self._length(caption) > CAPTION_LIMIT:
            raise ApiError("Bad Request: message caption is too long")
        file, data, name = self._media(field, kind, params, files)
        msg = self._new_bot_message(chat, params)
        if caption:
            msg["caption"] = caption
        if entities:
            msg["caption_entities"] = entities
        meta = {k: file[k] for k in ("file_id", "file_unique_id", "file_size")}
        if field == "photo":
            width, height = 512, 512
            if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
                width, height = struct.unpack(">II", data[16:24])
            msg["photo"] = [{**meta, "width": width, "height": height}]
        else:
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            msg["document"] = {**meta, "file_name": name, "mime_type": mime}
        return self._remember_sent(msg)

    @staticmethod
    def _commands_key(scope: JSONDict | None, language_code: str | None) -> tuple[str, str]:
        """Storage key of a command list."""
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

    # ----------------------------------------------------------------- Bot API methods

    async def _true(self, p: JSONDict, files: Uploads) -> Any:
        """Methods that just answer ``true`` (close, logOut)."""
        return True

    async def _get_me(self, p: JSONDict, files: Uploads) -> Any:
        """getMe."""
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": True, "can_connect_to_business": False,
                "has_main_web_app": False}  # fmt: skip

    async def _get_updates(self, p: JSONDict, files: Uploads) -> Any:
        """getUpdates: long poll honouring offset, limit, timeout and allowed_updates."""
        if self.webhook_url:
            raise ApiError("Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first", 409)  # fmt: skip
        offset = int(p.get("offset") or 0)
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        if isinstance(p.get("allowed_updates"), list):
            self._allowed_updates = p["allowed_updates"]
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll gets "terminated by other getUpdates"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            allowed = self._allowed_updates
            batch = [u for u in self._updates if not allowed or any(k in u for k in allowed)]
            if batch or self._closing:
                return batch[:limit]
            if generation != self._poll_generation:
                raise ApiError("Conflict: terminated by other getUpdates request; make sure that "
                               "only one bot instance is running", 409)  # fmt: skip
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._update_event.wait(), remaining)

    async def _set_webhook(self, p: JSONDict, files: Uploads) -> Any:
        """setWebhook (polling then answers 409 until deleteWebhook)."""
        self.webhook_url = str(p.get("url") or "")
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, p: JSONDict, files: Uploads) -> Any:
        """deleteWebhook, optionally dropping pending updates."""
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, p: JSONDict, files: Uploads) -> Any:
        """getWebhookInfo."""
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}  # fmt: skip

    async def _set_my_commands(self, p: JSONDict, files: Uploads) -> Any:
        """setMyCommands, stored per (scope, language_code)."""
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError("Bad Request: commands must be a list of at most 100 BotCommand")
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise ApiError("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", "")).strip()) <= 256:
                raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p.get("scope"), p.get("language_code"))
        self._commands[key] = [{"command": c["command"], "description": c["description"]}
                               for c in commands]  # fmt: skip
        return True

    async def _get_my_commands(self, p: JSONDict, files: Uploads) -> Any:
        """getMyCommands for exactly this scope and language."""
        return self.commands(scope=p.get("scope"), language_code=p.get("language_code") or "")

    async def _delete_my_commands(self, p: JSONDict, files: Uploads) -> Any:
        """deleteMyCommands."""
        self._commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True

    async def _send_message(self, p: JSONDict, files: Uploads) -> Any:
        """sendMessage: validate length and formatting, return the new Message."""
        chat = self._chat(p)
        text, entities = self._checked_text(p)
        msg = self._new_bot_message(chat, p)
        msg["text"] = text
        if entities:
            msg["entities"] = entities
        link_preview = p.get("link_preview_options")
        if link_preview:
            msg["link_preview_options"] = link_preview
        return self._remember_sent(msg)

    async def _edit_message_text(self, p: JSONDict, files: Uploads) -> Any:
        """editMessageText: ``true`` for inline messages, else the edited Message."""
        if p.get("inline_message_id"):
            self._checked_text(p)
            return True
        msg = self._editable(p)
        if "text" not in msg:
            raise ApiError("Bad Request: there is no text in the message to edit")
        key = (msg["chat"]["id"], msg["message_id"])
        last = self._last_edit.get(key)
        interval = self._edit_interval
        if interval is not None and last is not None and time.monotonic() - last < interval:
            wait = self._edit_retry_after
            raise ApiError(f"Too Many Requests: retry after {wait}", 429, {"retry_after": wait})
        text, entities = self._checked_text(p)
        markup = p.get("reply_markup")
        markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if (text, entities, markup) == (
            msg["text"],
            msg.get("entities", []),
            msg.get("reply_markup"),
        ):
            raise ApiError(_NOT_MODIFIED)
        edited = {k: v for k, v in msg.items() if k not in ("entities", "reply_markup")}
        edited.update(text=text, edit_date=int(time.time()))
        edited.update({"entities": entities} if entities else {})
        edited.update({"reply_markup": markup} if markup else {})
        self._messages[key] = edited
        self._last_edit[key] = time.monotonic()
        return edited

    async def _edit_message_reply_markup(self, p: JSONDict, files: Uploads) -> Any:
        """editMessageReplyMarkup: replace or remove the inline keyboard."""
        if p.get("inline_message_id"):
            return True
        msg = self._editable(p)
        markup = p.get("reply_markup")
        markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        if markup == msg.get("reply_markup"):
            raise ApiError(_NOT_MODIFIED)
        edited = {k: v for k, v in msg.items() if k != "reply_markup"}
        edited.update({"reply_markup": markup} if markup else {}, edit_date=int(time.time()))
        self._messages[(msg["chat"]["id"], msg["message_id"])] = edited
        return edited

    async def _send_chat_action(self, p: JSONDict, files: Uploads) -> Any:
        """sendChatAction."""
        self._chat(p)
        if p.get("action") not in _CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    async def _send_photo(self, p: JSONDict, files: Uploads) -> Any:
        """sendPhoto (multipart upload, file_id or URL)."""
        return await self._send_media("photo", p, files)

    async def _send_document(self, p: JSONDict, files: Uploads) -> Any:
        """sendDocument (multipart upload, file_id or URL)."""
        return await self._send_media("document", p, files)

    async def _get_file(self, p: JSONDict, files: Uploads) -> Any:
        """getFile: the File with a ``file_path`` downloadable from ``base_file_url``."""
        if p.get("file_id") not in self._files:
            raise ApiError("Bad Request: invalid file_id")
        return self._files[p["file_id"]][0]

    async def _answer_callback_query(self, p: JSONDict, files: Uploads) -> Any:
        """answerCallbackQuery: each pushed query can be answered once."""
        if p.get("callback_query_id") not in self._open_queries:
            raise ApiError(_QUERY_INVALID)
        if len(str(p.get("text") or "")) > 200:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(p["callback_query_id"])
        return True

    async def _answer_inline_query(self, p: JSONDict, files: Uploads) -> Any:
        """answerInlineQuery: each pushed query can be answered once, result ids unique."""
        if p.get("inline_query_id") not in self._open_queries:
            raise ApiError(_QUERY_INVALID)
        results = p.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError("Bad Request: results must be a list of at most 50 InlineQueryResult")
        ids = [r.get("id") for r in results if isinstance(r, dict) and r.get("type")]
        if len(ids) != len(results):
            raise ApiError("Bad Request: can't parse inline query result")
        if len(set(ids)) != len(ids):
            raise ApiError("Bad Request: RESULT_ID_DUPLICATE")
        self._open_queries.discard(p["inline_query_id"])
        return True

    async def _get_chat_member(self, p: JSONDict, files: Uploads) -> Any:
        """getChatMember with the status configured by :meth:`set_chat_member`."""
        chat = self._chat(p)
        user_id = p.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError("Bad Request: invalid user_id specified")
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)
        user = user or {"id": user_id, "is_bot": False, "first_name": "User"}
        status = self._members.get((chat["id"], user_id), "member")
        member: JSONDict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                      "can_restrict_members", "can_change_info", "can_invite_users",
                      "can_pin_messages")  # fmt: skip
            member.update(dict.fromkeys(rights, True), can_be_edited=False, is_anonymous=False,
                          can_promote_members=False, can_post_stories=False,
                          can_edit_stories=False, can_delete_stories=False)  # fmt: skip
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _get_chat(self, p: JSONDict, files: Uploads) -> Any:
        """getChat: a ChatFullInfo built from the known chat."""
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts",
                               "premium_subscription", "gifts_from_channels"), False)  # fmt: skip
        return {**self._chat(p), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}  # fmt: skip
