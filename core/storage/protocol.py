"""The seam the inference core talks to: ``ConversationStore``, a ``typing.Protocol``.

``core.storage.store.SqlStore`` is the implementation; a test may pass a plain fake.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    Exchange,
    MessageRecord,
    NewMessage,
    UserRecord,
)
from core.types import ChatKind, LanguageSetting, Mode


@runtime_checkable
class ConversationStore(Protocol):
    """Chats, users, their settings and the stored exchanges with the god."""

    async def ensure_chat(
        self, platform: str, external_id: str, kind: ChatKind, title: str | None = None
    ) -> ChatRecord:
        """The stored chat, created on first sight; kind and a given title are kept current."""
        ...

    async def ensure_user(
        self,
        platform: str,
        external_id: str,
        name: str | None = None,
        language_code: str | None = None,
    ) -> UserRecord:
        """The stored user, created on first sight; a given name/language is kept current."""
        ...

    async def get_chat_settings(
        self, platform: str, chat_external_id: str, channel_external_id: str | None = None
    ) -> ChatSettings:
        """The chat's mode, the channel's override and the language; defaults if unknown."""
        ...

    async def open_conversations(self, keys: Sequence[ConversationKey]) -> list[Conversation]:
        """For each key: its chat and user (created on first sight, kept current), the
        chat's settings with the channel's override, and the chat's last exchange; all in
        one transaction, in the keys' order."""
        ...

    async def set_chat_mode(self, platform: str, chat_external_id: str, mode: Mode | None) -> None:
        """Set the chat's default mode; None goes back to the configured default."""
        ...

    async def set_channel_mode(
        self,
        platform: str,
        chat_external_id: str,
        channel_external_id: str,
        mode: Mode | None,
    ) -> None:
        """Set one channel's mode; None removes the override."""
        ...

    async def set_chat_language(
        self, platform: str, chat_external_id: str, language: LanguageSetting
    ) -> None:
        """Set the language of the chat's translated voice."""
        ...

    async def add_messages(self, messages: Sequence[NewMessage]) -> list[int]:
        """Store many messages in one transaction; their ids in the same order."""
        ...

    async def set_external_ids(self, sent: Sequence[tuple[int, str]]) -> list[bool]:
        """Remember the platform's ids of many sent messages; False where the row is gone."""
        ...

    async def set_external_id(self, message_id: int, external_message_id: str) -> bool:
        """Remember the platform's id of a sent message; False if the row is gone."""
        ...

    async def get_message(self, message_id: int) -> MessageRecord | None:
        """One message by id."""
        ...

    async def find_by_external_id(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> MessageRecord | None:
        """The newest message of the chat with this platform message id."""
        ...

    async def find_question(
        self, chat: ChatRecord | int, external_message_id: str
    ) -> Exchange | None:
        """The question a platform message asked in a chat, with the god's answer if any."""
        ...

    async def recent_exchanges(
        self,
        chat: ChatRecord | int,
        user: UserRecord | int | None = None,
        limit: int = 10,
        *,
        thread: str | Literal["any"] | None = "any",
    ) -> list[Exchange]:
        """The last ``limit`` exchanges of the chat (or of one user in it), oldest first."""
        ...

    async def forget(self, chat: ChatRecord | int, user: UserRecord | int) -> int:
        """Delete a user's questions in a chat and the god's answers; returns how many."""
        ...

    async def close(self) -> None:
        """Release the store's resources."""
        ...
