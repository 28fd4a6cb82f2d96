"""Erasing people: ``/forget`` (one chat) and ``/forget all`` (everything on a platform).

Every bulk delete runs in batches of ``[storage] delete_batch`` questions (with the god's
answers to them), each batch its own short transaction with a pause for the event loop in
between, so erasing a user with 100 000 exchanges never holds SQLite's single write lock long
enough to stall another chat's answer (one transaction for all of them held it for seconds),
and pauses between batches as long as each took, so that waiting writers get their turn.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.errors import DEFAULT_RETRIES, retrying
from core.storage.models import Chat, IntakeEvent, Message, Usage, User

logger = logging.getLogger(__name__)

DELETE_BATCH = 500
MAX_PAUSE_S = 1.0


@dataclass(frozen=True, slots=True)
class Erased:
    """What ``/forget all`` deleted."""

    messages: int = 0  # the user's questions (the god's answers to them went too)
    chats: tuple[int, ...] = ()  # the stored ids of the chats the user asked in
    updates: int = 0  # raw updates the user sent, kept for delivery
    user: bool = False  # the user's own row (id, name, language)


def _check(batch: int) -> None:
    if batch < 1:
        raise ValueError("delete_batch must be at least 1")


async def delete_questions(
    sessions: async_sessionmaker[AsyncSession],
    where: ColumnElement[bool],
    *,
    batch: int = DELETE_BATCH,
    retries: int = DEFAULT_RETRIES,
    action: str = "forget messages",
) -> int:
    """Delete the questions matching ``where`` and the god's answers to them, ``batch``
    questions per transaction; returns how many questions went (answers not counted)."""
    _check(batch)

    async def one_batch() -> int:
        async with sessions.begin() as session:
            ids = list(
                await session.scalars(
                    select(Message.id)
                    .where(where, Message.role == "user")
                    .order_by(Message.id)
                    .limit(batch)
                )
            )
            if ids:
                await delete_with_answers(session, ids)
            return len(ids)

    return await run_in_batches(action, one_batch, retries)


async def delete_with_answers(session: AsyncSession, ids: list[int]) -> int:
    """Delete the messages ``ids`` and the god's answers to them; returns how many answers
    went (answers first, explicitly: the database may not enforce ON DELETE CASCADE)."""
    answers = await session.execute(
        delete(Message)
        .where(Message.reply_to_id.in_(ids), Message.id.not_in(ids))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Message).where(Message.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return int(answers.rowcount or 0)  # type: ignore[attr-defined]


async def run_in_batches(action: str, one_batch: Callable[[], Awaitable[int]], retries: int) -> int:
    """Run ``one_batch`` (each its own transaction) until it finds nothing more."""
    total = 0
    while True:
        started = time.perf_counter()
        done = await retrying(action, one_batch, retries=retries)
        if not done:
            return total
        total += done
        await yield_write_lock(time.perf_counter() - started)


async def yield_write_lock(held_s: float) -> None:
    """Leave the database to others for as long as the last batch held it.

    SQLite's write lock is not handed out in turn: a writer that found it taken sleeps in its
    busy handler (up to 100 ms at a time) and would keep missing the moment between two
    batches. Pausing as long as each batch took leaves every waiter half of the time, so its
    next try finds the lock free; a bulk delete takes twice as long instead of starving chats.
    """
    await asyncio.sleep(min(held_s, MAX_PAUSE_S))


async def forget_in_chat(
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    user_id: int,
    *,
    batch: int = DELETE_BATCH,
    retries: int = DEFAULT_RETRIES,
) -> int:
    """``/forget``: a user's questions in one chat and the god's answers, in batches."""
    where = (Message.chat_id == chat_id) & (Message.user_id == user_id)
    return await delete_questions(sessions, where, batch=batch, retries=retries)


async def erase_user(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    external_id: str,
    *,
    batch: int = DELETE_BATCH,
    retries: int = DEFAULT_RETRIES,
) -> Erased:
    """``/forget all``: everything stored about one person on one platform, in batches: their
    questions and the answers to them in every chat, their private chats, the raw updates they
    sent, their daily counts and, last, their user row."""
    _check(batch)

    async def find() -> tuple[int | None, list[int]]:
        async with sessions() as session:
            user_id = await session.scalar(
                select(User.id).where(User.platform == platform, User.external_id == external_id)
            )
            if user_id is None:
                return None, []
            asked = exists().where(Message.chat_id == Chat.id, Message.user_id == user_id)
            private = await session.scalars(
                select(Chat.id).where(
                    Chat.platform == platform,
                    Chat.kind == "private",
                    asked | (Chat.external_id == external_id),
                )
            )
            return user_id, list(private)

    user_id, private_chats = await retrying("find what to erase", find, retries=retries)
    asked_in: tuple[int, ...] = ()
    messages = 0
    if user_id is not None:
        asked_in = await _count_chats(sessions, user_id, retries)
        for chat_id in asked_in:  # chat by chat: the (chat, user, id) index finds each batch
            where = (Message.chat_id == chat_id) & (Message.user_id == user_id)
            messages += await delete_questions(
                sessions, where, batch=batch, retries=retries, action="erase"
            )
        # what is left in the user's private chats (answers to nobody), then the chats
        for chat_id in private_chats:
            messages += await delete_questions(
                sessions, Message.chat_id == chat_id, batch=batch, retries=retries, action="erase"
            )
    updates = await _delete_updates(sessions, platform, external_id, batch, retries)
    updates += await _delete_mentions(sessions, platform, external_id, batch, retries)

    async def last() -> bool:
        async with sessions.begin() as session:
            if private_chats:
                await session.execute(
                    delete(Message)
                    .where(Message.chat_id.in_(private_chats))
                    .execution_options(synchronize_session=False)
                )
                await session.execute(delete(Chat).where(Chat.id.in_(private_chats)))
            if user_id is None:
                return False
            # a question asked while the batches ran (one in a chat new to the user goes with
            # the user row: ON DELETE CASCADE), and the day's counts
            if asked_in:
                await session.execute(
                    delete(Message)
                    .where(Message.chat_id.in_(asked_in), Message.user_id == user_id)
                    .execution_options(synchronize_session=False)
                )
            await session.execute(delete(Usage).where(Usage.user_id == user_id))
            result = await session.execute(delete(User).where(User.id == user_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    gone = await retrying("erase the user", last, retries=retries)
    erased = Erased(messages=messages, chats=asked_in, updates=updates, user=gone)
    logger.info(
        "erased %s user %s: %d messages, %d chats, %d raw updates",
        platform,
        user_id,
        erased.messages,
        len(erased.chats),
        erased.updates,
    )
    return erased


async def _count_chats(
    sessions: async_sessionmaker[AsyncSession], user_id: int, retries: int
) -> tuple[int, ...]:
    async def work() -> tuple[int, ...]:
        async with sessions() as session:
            rows = await session.scalars(
                select(Message.chat_id).where(Message.user_id == user_id).distinct()
            )
            return tuple(rows)

    return await retrying("count the user's chats", work, retries=retries)


async def _delete_updates(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    external_id: str,
    batch: int,
    retries: int,
) -> int:
    """The raw updates a user sent (found by ``intake.user_external_id``), in batches."""

    async def one_batch() -> int:
        async with sessions.begin() as session:
            ids = list(
                await session.scalars(
                    select(IntakeEvent.id)
                    .where(
                        IntakeEvent.platform == platform,
                        IntakeEvent.user_external_id == external_id,
                    )
                    .limit(batch)
                )
            )
            if ids:
                await session.execute(delete(IntakeEvent).where(IntakeEvent.id.in_(ids)))
            return len(ids)

    return await run_in_batches("erase raw updates", one_batch, retries)


async def _delete_mentions(
    sessions: async_sessionmaker[AsyncSession],
    platform: str,
    external_id: str,
    batch: int,
    retries: int,
) -> int:
    """Settled raw updates of others that carry the user's id (a reply quoting them, a press
    of their button), a page of ``batch`` at a time; pending ones stay until delivered."""
    whole = re.compile(rf"(?<![\w-]){re.escape(external_id)}(?!\w)")
    seen = [0, 0]  # the last id looked at, how many went

    async def one_page() -> int:
        async with sessions.begin() as session:
            rows = (
                await session.execute(
                    select(IntakeEvent.id, IntakeEvent.payload)
                    .where(
                        IntakeEvent.platform == platform,
                        IntakeEvent.status != "pending",
                        IntakeEvent.id > seen[0],
                        IntakeEvent.payload.contains(external_id, autoescape=True),
                    )
                    .order_by(IntakeEvent.id)
                    .limit(batch)
                )
            ).all()
            ids = [row_id for row_id, payload in rows if whole.search(payload)]
            if ids:
                await session.execute(delete(IntakeEvent).where(IntakeEvent.id.in_(ids)))
        if rows:  # committed: the next page starts after this one
            seen[0] = rows[-1][0]
            seen[1] += len(ids)
        return len(rows)

    await run_in_batches("erase raw updates that mention the user", one_page, retries)
    return seen[1]
