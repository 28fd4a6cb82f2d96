"""Chats and users found or created, and the core's cold path built on them.

``open_conversations`` finds or creates every chat and user named by the keys, reads the
channels' overrides and each chat's last exchange, with a fixed number of statements
however many keys there are. Every function works inside the caller's session.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from core.storage.models import ChannelOverride, Chat, Message, User
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    Exchange,
    UnknownChatError,
    UserRecord,
)
from core.storage.rows import chat_record, message_record, user_record
from core.types import Mode

logger = logging.getLogger(__name__)

Place = tuple[str, str]


async def insert_new(session: AsyncSession, row: Chat | User) -> bool:
    """Insert and commit ``row``; False (and a clean session) if a unique key says it exists."""
    session.add(row)
    try:
        await session.commit()
    except sa_exc.IntegrityError:
        await session.rollback()
        return False
    return True


async def find_chat(session: AsyncSession, platform: str, external_id: str) -> Chat | None:
    """The chat row, if stored."""
    stmt = select(Chat).where(Chat.platform == platform, Chat.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def find_user(session: AsyncSession, platform: str, external_id: str) -> User | None:
    """The user row, if stored."""
    stmt = select(User).where(User.platform == platform, User.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def chat_id(session: AsyncSession, platform: str, external_id: str) -> int:
    """The stored chat's id; UnknownChatError if it was never stored."""
    stmt = select(Chat.id).where(Chat.platform == platform, Chat.external_id == external_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise UnknownChatError(platform, external_id)
    return found


async def latest_answers(session: AsyncSession, question_ids: list[int]) -> dict[int, Message]:
    """The god's answer to each of the questions; a question answered twice keeps its latest."""
    if not question_ids:
        return {}
    answers = await session.scalars(
        select(Message)
        .where(Message.reply_to_id.in_(question_ids), Message.role == "god")
        .order_by(Message.id)
    )
    return {answer.reply_to_id: answer for answer in answers if answer.reply_to_id is not None}


async def open_conversations(
    session: AsyncSession, keys: Sequence[ConversationKey]
) -> list[Conversation]:
    """The conversations of ``keys``, in their order, inside the session's transaction."""
    chats = await _ensure_chats(session, keys)
    users = await _ensure_users(session, keys)
    overrides = await _channel_modes(session, chats, keys)
    last = await _last_exchanges(session, [chat.id for chat in chats.values()])
    conversations = []
    for key in keys:
        chat = chats[(key.platform, key.chat_external_id)]
        channel_mode = overrides.get((chat.id, key.channel_external_id))
        conversations.append(
            Conversation(
                chat=chat,
                user=users[(key.platform, key.user_external_id)],
                settings=ChatSettings(chat.default_mode, channel_mode, chat.language),
                last_exchange=last.get(chat.id),
            )
        )
    return conversations


async def _find_or_insert(
    session: AsyncSession, model: type[Chat] | type[User], rows: dict[Place, dict]
) -> dict[Place, Any]:
    """The rows of ``model`` keyed by (platform, external id); missing ones inserted first."""
    which = tuple_(model.platform, model.external_id).in_(list(rows))

    async def stored() -> dict[Place, Any]:
        found = await session.scalars(select(model).where(which))
        return {(row.platform, row.external_id): row for row in found}

    found = await stored()
    # Inserted in key order: two transactions inserting overlapping keys then wait for each
    # other in the same order instead of deadlocking (PostgreSQL locks each unique key).
    missing = [rows[place] for place in sorted(rows) if place not in found]
    if not missing:
        return found
    await session.execute(insert(model.__table__), missing)
    return await stored()


async def _ensure_chats(
    session: AsyncSession, keys: Sequence[ConversationKey]
) -> dict[Place, ChatRecord]:
    kinds = {(key.platform, key.chat_external_id): key.chat_kind for key in keys}
    rows = {
        (platform, external_id): {
            "platform": platform,
            "external_id": external_id,
            "kind": kind,
            "language": "auto",
        }
        for (platform, external_id), kind in kinds.items()
    }
    chats: dict[Place, Chat] = await _find_or_insert(session, Chat, rows)
    for place, kind in kinds.items():
        if chats[place].kind != kind:
            chats[place].kind = kind
    await session.flush()
    return {place: chat_record(chat) for place, chat in chats.items()}


async def _ensure_users(
    session: AsyncSession, keys: Sequence[ConversationKey]
) -> dict[Place, UserRecord]:
    # A user named in several keys: the latest given name and language code win.
    latest: dict[Place, tuple[str | None, str | None]] = {}
    for key in keys:
        place = (key.platform, key.user_external_id)
        name, language_code = latest.get(place, (None, None))
        latest[place] = (key.user_name or name, key.language_code or language_code)
    rows = {
        (platform, external_id): {
            "platform": platform,
            "external_id": external_id,
            "name": name,
            "language_code": language_code,
        }
        for (platform, external_id), (name, language_code) in latest.items()
    }
    users: dict[Place, User] = await _find_or_insert(session, User, rows)
    for place, (name, language_code) in latest.items():
        user = users[place]
        if name is not None and user.name != name:
            user.name = name
        if language_code is not None and user.language_code != language_code:
            user.language_code = language_code
    await session.flush()
    return {place: user_record(user) for place, user in users.items()}


async def _channel_modes(
    session: AsyncSession,
    chats: dict[Place, ChatRecord],
    keys: Sequence[ConversationKey],
) -> dict[tuple[int, str | None], Mode]:
    places = {
        (chats[(key.platform, key.chat_external_id)].id, key.channel_external_id)
        for key in keys
        if key.channel_external_id is not None
    }
    if not places:
        return {}
    rows = await session.execute(
        select(
            ChannelOverride.chat_id, ChannelOverride.channel_external_id, ChannelOverride.mode
        ).where(
            tuple_(ChannelOverride.chat_id, ChannelOverride.channel_external_id).in_(list(places))
        )
    )
    return {(chat_id, channel): cast(Mode, mode) for chat_id, channel, mode in rows}


async def _last_exchanges(session: AsyncSession, chat_ids: list[int]) -> dict[int, Exchange]:
    """Each chat's last question with its latest answer, if it was answered."""
    newest = (
        select(Message.id)
        .where(Message.chat_id == Chat.id, Message.role == "user", in_thread(None))
        .order_by(Message.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    question_ids = [
        question_id
        for question_id in await session.scalars(
            select(newest).select_from(Chat).where(Chat.id.in_(chat_ids))
        )
        if question_id is not None
    ]
    if not question_ids:
        return {}
    questions = await session.scalars(select(Message).where(Message.id.in_(question_ids)))
    latest = await latest_answers(session, question_ids)
    return {
        question.chat_id: Exchange(
            question=message_record(question),
            answer=message_record(latest[question.id]),
        )
        for question in questions
        if question.id in latest
    }


def in_thread(thread: str | None) -> ColumnElement[bool]:
    """Messages of one conversation of a chat (None: the chat itself, outside any thread)."""
    column = Message.thread_external_id
    return column.is_(None) if thread is None else column == thread


async def question(session: AsyncSession, chat_id: int, external_id: str) -> Exchange | None:
    """The question a platform message asked in a chat, with the god's latest answer."""
    asked = await session.scalar(
        select(Message)
        .where(
            Message.chat_id == chat_id,
            Message.external_message_id == external_id,
            Message.role == "user",
        )
        .order_by(Message.id)
        .limit(1)
    )
    if asked is None:
        return None
    answer = (await latest_answers(session, [asked.id])).get(asked.id)
    return Exchange(message_record(asked), message_record(answer) if answer else None)
