"""``[storage] retention_days``: old exchanges go, in bounded batches; new ones stay."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.cli import main
from core.storage import SqlStore
from core.storage.models import Message
from core.storage.retention import cutoff, prune, prune_forever
from tests.storage.helpers import add_answer, add_question

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def _exchange(
    store: SqlStore, chat: int, user: int, text: str, age_days: float, now: datetime = NOW
) -> None:
    question = await add_question(store, chat, user, text)
    answer = await add_answer(store, chat, question, "🜍")
    async with store.sessions.begin() as session:
        await session.execute(
            update(Message)
            .where(Message.id.in_([question, answer]))
            .values(created_at=now - timedelta(days=age_days))
        )


async def _texts(store: SqlStore) -> list[str | None]:
    async with store.sessions() as session:
        rows = await session.execute(
            select(Message.text).where(Message.role == "user").order_by(Message.id)
        )
        return list(rows.scalars())


async def _count(store: SqlStore) -> int:
    async with store.sessions() as session:
        return len((await session.execute(select(Message.id))).all())


async def test_prune_deletes_only_exchanges_older_than_retention(store: SqlStore) -> None:
    chat = await store.ensure_chat("console", "c", "private")
    user = await store.ensure_user("console", "u")
    for n in range(7):
        await _exchange(store, chat.id, user.id, f"old {n}", age_days=40 + n)
    await _exchange(store, chat.id, user.id, "recent", age_days=29)
    await _exchange(store, chat.id, user.id, "today", age_days=0)
    deleted = await prune(store.sessions, cutoff(30, NOW), batch=3)  # three batches
    assert deleted == 14  # seven questions and their seven answers
    assert await _texts(store) == ["recent", "today"]
    assert await _count(store) == 4
    assert await prune(store.sessions, cutoff(30, NOW), batch=3) == 0


async def test_the_periodic_job_prunes_by_the_injected_clock(store: SqlStore) -> None:
    chat = await store.ensure_chat("console", "c", "private")
    user = await store.ensure_user("console", "u")
    await _exchange(store, chat.id, user.id, "a week old", age_days=7)
    await _exchange(store, chat.id, user.id, "fresh", age_days=0.5)
    job = asyncio.create_task(prune_forever(store.sessions, 3, every_s=0.01, clock=lambda: NOW))
    try:
        for _ in range(500):
            if await _texts(store) == ["fresh"]:
                break
            await asyncio.sleep(0.01)
    finally:
        job.cancel()
    assert await _texts(store) == ["fresh"]


async def test_db_prune_on_the_command_line(migrated_db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\nurl = "{migrated_db_url}"\nretention_days = 10\n', encoding="utf-8"
    )
    async with SqlStore.from_url(migrated_db_url) as store:
        chat = await store.ensure_chat("console", "c", "private")
        user = await store.ensure_user("console", "u")
        now = datetime.now(UTC)  # the command line prunes by the real clock
        await _exchange(store, chat.id, user.id, "old", age_days=11, now=now)
        await _exchange(store, chat.id, user.id, "new", age_days=9, now=now)
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            assert await asyncio.to_thread(main, ["db", "prune", "--config", str(config)]) == 0
        finally:
            root.handlers[:] = handlers  # the command line set up its own
        assert await _texts(store) == ["new"]
