"""Platform-neutral values that every frontend exchanges with the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["glyph", "translate"]
MODES: tuple[Mode, ...] = ("glyph", "translate")

Language = Literal["ru", "en"]
LanguageSetting = Literal["ru", "en", "auto"]
LANGUAGES: tuple[Language, ...] = ("ru", "en")

ChatKind = Literal["private", "group", "channel"]
Role = Literal["user", "god"]

ReplyKind = Literal[
    "answer",  # the god answered with a scene
    "silence",  # the god heard nothing it knows, or the question has no answer
    "busy",  # the queue is full or this user has too many questions in flight
    "too_long",  # the message exceeds the configured limit
    "empty",  # nothing to answer
    "error",  # the model failed for this request
    "delivered",  # a redelivered message whose answer already went out: nothing to send
    "rate_limited",  # the asker sends too fast: told once per window
    "quiet",  # the asker sends too fast and was told already: nothing to send
    "quota",  # the asker's daily quota ([access] daily_answers) is used up: told once a day
]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message as a frontend hands it to the core."""

    platform: str
    chat_id: str
    user_id: str
    text: str
    chat_kind: ChatKind = "private"
    channel_id: str | None = None
    is_admin: bool = False
    language_hint: str | None = None
    mode: Mode | None = None
    user_name: str | None = None
    external_message_id: str | None = None
    redelivered: bool = False  # handled again after a restart: it may have been answered
    thread_id: str | None = None  # the conversation inside the chat: channel, thread, topic
    user_handle: str | None = None  # Telegram: the sender's @username (without the @)
    chat_handle: str | None = None  # Telegram: the chat's @username, if it has one
    role_ids: tuple[str, ...] = ()  # Discord: the sender's roles in the server


@dataclass(frozen=True, slots=True)
class Reply:
    """What the core answers; frontends only render it."""

    kind: ReplyKind
    mode: Mode
    glyphs: str
    text: str | None = None
    heard: str = ""
    unknown: tuple[str, ...] = ()
    language: Language = "en"
    message_id: int | None = None
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class BridgeResult:
    """A bridge's reading of one text or glyph string, in either direction."""

    glyphs: str
    text: str
    concepts: tuple[str, ...]
    unknown: tuple[str, ...] = ()
    language: Language = "en"
    direction: Literal["text_to_glyphs", "glyphs_to_text"] = "text_to_glyphs"
    extra: dict[str, object] = field(default_factory=dict)
