"""``/export``: everything stored about one person on one platform, as one JSON document.

The document is written piece by piece into a binary stream: the exchanges are read a page at
a time (``page`` questions with the answers to them, each page its own short read), so a user
with 100 000 exchanges never needs them all in one query result.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.errors import DEFAULT_RETRIES, retrying
from core.storage.models import Chat, IntakeEvent, Message, User

EXPORT_PAGE = 1000
FORMAT = "silentgod-export-1"


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


async def write_export(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    external_id: str,
    out: IO[bytes],
    *,
    page: int = EXPORT_PAGE,
    retries: int = DEFAULT_RETRIES,
) -> int:
    """Write the JSON document about ``external_id`` on ``platform`` to ``out``; returns how
    many of their questions it holds."""
    head = await retrying(
        "read the user", lambda: _user(sessions, platform, external_id), retries=retries
    )
    user_id = head.pop("_row", None)
    out.write(b'{"format": ' + _dump(FORMAT))
    out.write(b', "platform": ' + _dump(platform))
    out.write(b', "exported_at": ' + _dump(datetime.now(UTC).isoformat()))
    out.write(b', "user": ' + _dump(head or {"id": external_id, "stored": False}))
    chats: dict[int, dict[str, Any]] = {}
    count = 0
    out.write(b', "exchanges": [')
    if user_id is not None:
        async for item in _exchanges(sessions, user_id, page, retries, chats):
            out.write((b", " if count else b"") + _dump(item))
            count += 1
    out.write(b'], "chats": ' + _dump(list(chats.values())))
    out.write(b', "raw_updates": [')
    first = True
    async for update in _updates(sessions, platform, external_id, page, retries):
        out.write((b"" if first else b", ") + _dump(update))
        first = False
    out.write(b"]}\n")
    return count


async def _user(
    sessions: async_sessionmaker[AsyncSession], platform: str, external_id: str
) -> dict[str, Any]:
    async with sessions() as session:
        user = await session.scalar(
            select(User).where(User.platform == platform, User.external_id == external_id)
        )
        if user is None:
            return {}
        return {
            "_row": user.id,
            "id": user.external_id,
            "name": user.name,
            "language_code": user.language_code,
            "first_seen": _time(user.created_at),
        }


async def _exchanges(
    sessions: async_sessionmaker[AsyncSession],
    user_id: int,
    page: int,
    retries: int,
    chats: dict[int, dict[str, Any]],
) -> AsyncIterator[dict[str, Any]]:
    """The user's questions with the god's answers, oldest first, a page per read."""
    after = 0
    while True:

        async def read(after: int = after) -> list[dict[str, Any]]:
            async with sessions() as session:
                questions = list(
                    await session.scalars(
                        select(Message)
                        .where(
                            Message.user_id == user_id, Message.role == "user", Message.id > after
                        )
                        .order_by(Message.id)
                        .limit(page)
                    )
                )
                if not questions:
                    return []
                ids = [q.id for q in questions]
                answers: dict[int, list[dict[str, Any]]] = {}
                for answer in await session.scalars(
                    select(Message).where(Message.reply_to_id.in_(ids)).order_by(Message.id)
                ):
                    answers.setdefault(answer.reply_to_id or 0, []).append(
                        {
                            "glyphs": answer.glyphs,
                            "text": answer.text,
                            "language": answer.language,
                            "at": _time(answer.created_at),
                        }
                    )
                unknown = {q.chat_id for q in questions} - chats.keys()
                if unknown:
                    for chat in await session.scalars(select(Chat).where(Chat.id.in_(unknown))):
                        chats[chat.id] = {
                            "id": chat.external_id,
                            "kind": chat.kind,
                            "title": chat.title,
                        }
                return [
                    {
                        "_id": q.id,
                        "chat": chats[q.chat_id]["id"] if q.chat_id in chats else None,
                        "thread": q.thread_external_id,
                        "asked_at": _time(q.created_at),
                        "mode": q.mode,
                        "question": q.text,
                        "heard": q.glyphs,
                        "answers": answers.get(q.id, []),
                    }
                    for q in questions
                ]

        items = await retrying("export the exchanges", read, retries=retries)
        if not items:
            return
        for item in items:
            after = item.pop("_id")
            yield item


async def _updates(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    external_id: str,
    page: int,
    retries: int,
) -> AsyncIterator[dict[str, Any]]:
    """The raw updates the user sent that are still kept, oldest first, a page per read."""
    after = 0
    while True:

        async def read(after: int = after) -> list[tuple[int, dict[str, Any]]]:
            async with sessions() as session:
                rows = await session.scalars(
                    select(IntakeEvent)
                    .where(
                        IntakeEvent.platform == platform,
                        IntakeEvent.user_external_id == external_id,
                        IntakeEvent.id > after,
                    )
                    .order_by(IntakeEvent.id)
                    .limit(page)
                )
                return [(row.id, _update(row)) for row in rows]

        rows = await retrying("export the raw updates", read, retries=retries)
        if not rows:
            return
        after = rows[-1][0]
        for _, update in rows:
            yield update


def _update(row: IntakeEvent) -> dict[str, Any]:
    try:
        payload: object = json.loads(row.payload)
    except ValueError:
        payload = row.payload
    return {
        "id": row.event_id,
        "chat": row.chat_external_id,
        "status": row.status,
        "received_at": _time(row.received_at),
        "settled_at": _time(row.settled_at),
        "payload": payload,
    }
