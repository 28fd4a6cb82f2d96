"""ORM rows → the frozen records the store hands out (never the ORM objects themselves)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from core.storage.models import Chat, Message, User
from core.storage.records import ChatRecord, MessageRecord, UserRecord
from core.types import ChatKind, Language, LanguageSetting, Mode, Role


def chat_record(chat: Chat) -> ChatRecord:
    """The frozen record of a chat row."""
    return ChatRecord(
        id=chat.id,
        platform=chat.platform,
        external_id=chat.external_id,
        kind=cast(ChatKind, chat.kind),
        default_mode=cast(Mode | None, chat.default_mode),
        language=cast(LanguageSetting, chat.language),
        title=chat.title,
        created_at=chat.created_at,
        updated_at=chat.updated_at,
    )


def user_record(user: User) -> UserRecord:
    """The frozen record of a user row."""
    return UserRecord(
        id=user.id,
        platform=user.platform,
        external_id=user.external_id,
        name=user.name,
        language_code=user.language_code,
        created_at=user.created_at,
    )


def message_record(message: Message) -> MessageRecord:
    """The frozen record of a message row."""
    return MessageRecord(
        id=message.id,
        chat_id=message.chat_id,
        user_id=message.user_id,
        role=cast(Role, message.role),
        text=message.text,
        glyphs=message.glyphs,
        mode=cast(Mode, message.mode),
        language=cast(Language | None, message.language),
        reply_to_id=message.reply_to_id,
        external_message_id=message.external_message_id,
        created_at=message.created_at,
    )


def check_choice(value: object, allowed: Sequence[object], what: str) -> None:
    """Refuse a value the store does not take (a mode, a kind, a language)."""
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


def row_id(obj: ChatRecord | UserRecord | int) -> int:
    """The id of a stored record, or the id itself."""
    return obj if isinstance(obj, int) else obj.id
