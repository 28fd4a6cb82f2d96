"""What the conversation store hands out: frozen records, never ORM objects, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.errors import SilentGodError
from core.types import ChatKind, Language, LanguageSetting, Mode, Role

StoreErrorKind = Literal["locked", "read_only", "unavailable", "integrity", "not_found"]


class StoreError(SilentGodError, RuntimeError):
    """The database could not do what was asked; the message says why, for a log line.

    ``kind`` lets a caller choose its reply: "locked" (another writer held the database
    past the busy timeout; retrying later may work), "read_only", "unavailable" (cannot
    open, disk full, not migrated, ...), "integrity" (a row refers to one that is gone),
    "not_found" (the chat named does not exist).
    """

    def __init__(self, message: str, *, kind: StoreErrorKind = "unavailable") -> None:
        super().__init__(message)
        self.kind: StoreErrorKind = kind


class UnknownChatError(StoreError, LookupError):
    """A setting was changed for a chat that was never stored (call ``ensure_chat`` first)."""

    def __init__(self, platform: str, external_id: str) -> None:
        super().__init__(f"no stored chat {platform}:{external_id}", kind="not_found")
        self.platform = platform
        self.external_id = external_id


@dataclass(frozen=True, slots=True)
class ChatRecord:
    """A stored chat (a Telegram chat, a Discord server, the console)."""

    id: int
    platform: str
    external_id: str
    kind: ChatKind
    default_mode: Mode | None
    language: LanguageSetting
    title: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A stored user of one platform."""

    id: int
    platform: str
    external_id: str
    name: str | None
    language_code: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One stored message: a user's question or the god's answer."""

    id: int
    chat_id: int
    user_id: int | None
    role: Role
    text: str | None
    glyphs: str | None
    mode: Mode
    language: Language | None
    reply_to_id: int | None
    external_message_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Exchange:
    """A question and the god's answer to it (None while unanswered, or if it failed)."""

    question: MessageRecord
    answer: MessageRecord | None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's stored settings; None means "not set here", so the next level decides."""

    default_mode: Mode | None = None
    channel_mode: Mode | None = None
    language: LanguageSetting = "auto"

    def effective_mode(self, fallback: Mode) -> Mode:
        """The mode in force: the channel's, else the chat's, else ``fallback`` (the config's)."""
        return self.channel_mode or self.default_mode or fallback


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who speaks where: what ``open_conversations`` needs to find or create the rows."""

    platform: str
    chat_external_id: str
    chat_kind: ChatKind
    user_external_id: str
    user_name: str | None = None
    language_code: str | None = None
    channel_external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """Everything the core needs before it answers in a chat it has not seen since starting."""

    chat: ChatRecord
    user: UserRecord
    # The chat's settings with the named channel's override (None without a channel).
    settings: ChatSettings
    # The chat's last question and its answer, if it has been answered.
    last_exchange: Exchange | None


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to store in a batch (``SqlStore.add_messages``)."""

    chat_id: int
    user_id: int | None
    role: Role
    text: str | None
    glyphs: str | None
    mode: Mode
    language: Language | None
    reply_to_id: int | None = None
    external_message_id: str | None = None  # the platform's id of a user's message
    thread: str | None = None  # the conversation inside the chat (channel, thread, topic)
