"""Small helpers of the store's tests: plain SQL counts and one-message writes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import inspect, pool, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage import SqlStore, create_engine
from core.storage.records import ChatRecord, NewMessage, UserRecord
from core.types import Language, Mode

TABLES = {"chats", "channel_overrides", "users", "messages", "intake", "usage"}


async def rows_mentioning(sessions: async_sessionmaker[AsyncSession], *needles: str) -> list[str]:
    """Every row of every table holding one of ``needles`` as a whole id or word, by plain
    SQL: Alice's id 1001 is neither in the group id -1001234567890 nor in a timestamp's
    microseconds (.100121)."""
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?!\w)" for n in needles))
    found: list[str] = []
    async with sessions() as session:
        for table in sorted(TABLES):
            for row in (await session.execute(text(f"SELECT * FROM {table}"))).all():
                line = " ".join(str(value) for value in row)
                if pattern.search(line):
                    found.append(f"{table}: {line[:160]}")
    return found


@dataclass(frozen=True)
class Rows:
    """How many rows each table holds, counted with plain SQL."""

    chats: int
    users: int
    channel_overrides: int
    user_messages: int
    god_messages: int

    @property
    def messages(self) -> int:
        return self.user_messages + self.god_messages


async def count_rows(url: str) -> Rows:
    """Count the rows of every table of the database at ``url``, on its own connection."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:

            async def count(sql: str) -> int:
                return int((await connection.exec_driver_sql(sql)).scalar_one())

            return Rows(
                chats=await count("SELECT count(*) FROM chats"),
                users=await count("SELECT count(*) FROM users"),
                channel_overrides=await count("SELECT count(*) FROM channel_overrides"),
                user_messages=await count("SELECT count(*) FROM messages WHERE role = 'user'"),
                god_messages=await count("SELECT count(*) FROM messages WHERE role = 'god'"),
            )
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    """The application's tables in the database at ``url`` (not Alembic's)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def add_question(
    store: SqlStore,
    chat: ChatRecord | int,
    user: UserRecord | int,
    text: str | None,
    heard: str | None = "🜂",
    mode: Mode = "glyph",
    language: Language | None = "en",
) -> int:
    """Store one user's question through ``add_messages``; its id."""
    chat_id = chat if isinstance(chat, int) else chat.id
    user_id = user if isinstance(user, int) else user.id
    [question] = await store.add_messages(
        [NewMessage(chat_id, user_id, "user", text, heard, mode, language)]
    )
    return question


async def add_answer(
    store: SqlStore,
    chat: ChatRecord | int,
    question: int | None,
    glyphs: str | None,
    text: str | None = None,
    mode: Mode = "glyph",
    language: Language | None = None,
) -> int:
    """Store the god's answer to ``question`` through ``add_messages``; its id."""
    chat_id = chat if isinstance(chat, int) else chat.id
    [answer] = await store.add_messages(
        [NewMessage(chat_id, None, "god", text, glyphs, mode, language, reply_to_id=question)]
    )
    return answer
