"""A locked, read-only, unmigrated, unreachable or crashed database gives StoreError (never
a driver exception) or survives intact; PostgreSQL's lost connections are retried."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from core.storage import SqlStore, StoreError
from tests.storage.helpers import add_answer, add_question


async def seed(url: str) -> None:
    async with SqlStore.from_url(url) as store:
        chat = await store.ensure_chat("telegram", "1", "private")
        user = await store.ensure_user("telegram", "1")
        question = await add_question(store, chat, user, "fire")
        await add_answer(store, chat, question, "⟁")


async def test_read_only_database_gives_store_error(db_path: Path, migrated_db_url: str) -> None:
    await seed(migrated_db_url)
    read_only = f"sqlite+aiosqlite:///file:{db_path}?mode=ro&uri=true"
    async with SqlStore.from_url(read_only) as store:
        chat = await store.ensure_chat("telegram", "1", "private")  # exists: reading is fine
        user = await store.ensure_user("telegram", "1")
        assert len(await store.recent_exchanges(chat)) == 1

        with pytest.raises(StoreError) as caught:
            await add_question(store, chat, user, "water")
        assert caught.value.kind == "read_only"
        assert "read-only" in str(caught.value)
        with pytest.raises(StoreError):
            await store.ensure_chat("telegram", "2", "private")
        with pytest.raises(StoreError):
            await store.forget(chat, user)
        # The store keeps working for reads after the failures.
        [exchange] = await store.recent_exchanges(chat)
        assert exchange.answer is not None


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
async def test_read_only_file_gives_store_error(db_path: Path, migrated_db_url: str) -> None:
    await seed(migrated_db_url)
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        async with SqlStore.from_url(migrated_db_url) as store:
            with pytest.raises(StoreError):
                await store.ensure_chat("telegram", "2", "private")
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)


async def test_locked_database_gives_store_error(db_path: Path, migrated_db_url: str) -> None:
    await seed(migrated_db_url)
    async with SqlStore.from_url(migrated_db_url, busy_timeout_ms=50) as store:
        chat = await store.ensure_chat("telegram", "1", "private")
        user = await store.ensure_user("telegram", "1")
        holder = sqlite3.connect(db_path, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
            with pytest.raises(StoreError) as caught:
                await add_question(store, chat, user, "water")
            assert caught.value.kind == "locked"
            with pytest.raises(StoreError):
                await store.set_chat_mode("telegram", "1", "glyph")
            # WAL: readers are not blocked by the writer.
            assert len(await store.recent_exchanges(chat)) == 1
        finally:
            holder.rollback()
            holder.close()
        # Once the lock is gone the same store writes again.
        assert await add_question(store, chat, user, "water") > 0


async def test_unmigrated_database_gives_store_error(store_url: str) -> None:
    async with SqlStore.from_url(store_url) as store:
        with pytest.raises(StoreError, match="not migrated"):
            await store.ensure_chat("telegram", "1", "private")


CHILD = """
import asyncio, sys
from core.storage import SqlStore
from core.storage.records import NewMessage

async def main(url):
    store = SqlStore.from_url(url)
    chat = await store.ensure_chat("console", "crash", "private")
    user = await store.ensure_user("console", "writer")
    payload = "🜂⧖🕯 " * 500
    while True:
        [question] = await store.add_messages(
            [NewMessage(chat.id, user.id, "user", payload, "🜂⧖🕯", "glyph", "en")]
        )
        print(question, flush=True)  # printed only after the commit returned
        [answer] = await store.add_messages(
            [NewMessage(chat.id, None, "god", payload, "⟁☰☉⚭", "glyph", "en", question)]
        )
        print(answer, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_killed_writer_leaves_a_sound_database(db_path: Path, migrated_db_url: str) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        migrated_db_url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    committed: list[int] = []
    try:
        async with asyncio.timeout(30):
            while len(committed) < 300:
                line = await child.stdout.readline()
                if not line:
                    error = (await child.stderr.read()).decode()
                    pytest.fail(f"the writer died on its own: {error}")
                committed.append(int(line))
    finally:
        child.kill()  # SIGKILL, mid-write: no cleanup, no final commit
        await child.wait()
    # Lines already in the pipe were printed after their commits too.
    committed += [int(line) for line in (await child.stdout.read()).split()]
    assert child.returncode == -9
    # The kill left committed pages in the WAL, not yet checkpointed: recovery must read them.
    assert db_path.with_name(db_path.name + "-wal").stat().st_size > 0

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = {row_id for (row_id,) in conn.execute("SELECT id FROM messages")}
    assert set(committed) <= stored

    async with SqlStore.from_url(migrated_db_url) as store:
        chat = await store.ensure_chat("console", "crash", "private")
        user = await store.ensure_user("console", "writer")
        history = await store.recent_exchanges(chat, limit=len(committed))
        assert len(history) >= len(committed) // 2
        assert await add_question(store, chat, user, "after") > max(stored)
