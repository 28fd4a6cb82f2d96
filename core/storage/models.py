"""ORM tables of the conversation store: chats, channel overrides, users, messages.

The repository never hands these objects out; it converts them to frozen records.
Every schema change here needs a migration in ``migrations/versions``.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

# Deterministic constraint names: SQLite batch migrations can only drop or alter a
# constraint that has a name, and autogenerate only matches names it can predict.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Column widths; SQLite ignores them, other databases enforce them.
PLATFORM_LEN = 32
EXTERNAL_ID_LEN = 64
NAME_LEN = 255
CODE_LEN = 16


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so an aware value is converted to UTC before it is written
    and the naive value read back is marked as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base whose metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Chat(Base):
    """A Telegram chat, a Discord server (kind "group") or the console."""

    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(PLATFORM_LEN))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_LEN))
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    # None: inherit the configured default mode.
    default_mode: Mapped[str | None] = mapped_column(String(CODE_LEN))
    language: Mapped[str] = mapped_column(String(CODE_LEN), default="auto")
    title: Mapped[str | None] = mapped_column(String(NAME_LEN))
    # "active", or "gone": the bot was blocked or removed (pending work there is dropped)
    status: Mapped[str] = mapped_column(String(CODE_LEN), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelOverride(Base):
    """A mode set for one channel of a chat (a Discord channel of a server)."""

    __tablename__ = "channel_overrides"
    __table_args__ = (UniqueConstraint("chat_id", "channel_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    channel_external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_LEN))
    mode: Mapped[str] = mapped_column(String(CODE_LEN))


class User(Base):
    """A person on one platform."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(PLATFORM_LEN))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_LEN))
    name: Mapped[str | None] = mapped_column(String(NAME_LEN))
    language_code: Mapped[str | None] = mapped_column(String(CODE_LEN))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Message(Base):
    """One side of an exchange: a user's question (role "user") or the god's answer."""

    __tablename__ = "messages"
    __table_args__ = (
        # A user's history in a chat, newest first.
        Index("ix_messages_chat_id_user_id_id", "chat_id", "user_id", "id"),
        # The chat's last exchange (the god's context), newest first.
        Index("ix_messages_chat_id_id", "chat_id", "id"),
        Index("ix_messages_chat_id_external_message_id", "chat_id", "external_message_id"),
        # Deleting a question must find its answers without a full scan (FK check).
        Index("ix_messages_reply_to_id", "reply_to_id"),
        Index("ix_messages_chat_id_thread_external_id_id", "chat_id", "thread_external_id", "id"),
        # Erasing a user (the cascade finds their rows), /stats and pruning (by age).
        Index("ix_messages_user_id", "user_id"),
        Index("ix_messages_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    # None for the god's rows.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(CODE_LEN))
    # The user's text, or the god's answer translated to text.
    text: Mapped[str | None] = mapped_column(Text)
    # User rows: what the god heard. God rows: the god's answer.
    glyphs: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(CODE_LEN))
    language: Mapped[str | None] = mapped_column(String(CODE_LEN))
    # God rows: the question they answer; an answer goes when its question goes.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    # The platform's id of the sent message, for "reveal translation" buttons.
    external_message_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LEN))
    # the conversation inside the chat: a Discord channel or thread, a Telegram forum topic
    thread_external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LEN))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntakeEvent(Base):
    """An update or event as a platform delivered it, stored before it is confirmed.

    ``status`` is "pending" until it was handled ("handled"), refused by a documented limit
    ("refused"), dropped because its chat is gone ("dropped") or too old to answer
    ("expired"); a restart handles what is still pending.
    """

    __tablename__ = "intake"
    __table_args__ = (
        UniqueConstraint("platform", "bot", "event_id"),
        Index("ix_intake_platform_bot_status_id", "platform", "bot", "status", "id"),
        Index("ix_intake_platform_user_external_id", "platform", "user_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(PLATFORM_LEN))
    bot: Mapped[str] = mapped_column(String(EXTERNAL_ID_LEN))
    event_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_LEN))
    chat_external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LEN))
    # the sender, so that /forget all finds their raw updates (None: unknown or no sender)
    user_external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_LEN))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(CODE_LEN), default="pending")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column()


class Usage(Base):
    """How often one user was answered (or drew a picture) on one day, for daily quotas."""

    __tablename__ = "usage"
    __table_args__ = (UniqueConstraint("user_id", "day", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    # "answer" or "field"
    kind: Mapped[str] = mapped_column(String(CODE_LEN))
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
