"""One leader among processes: PostgreSQL's advisory lock and SQLite's lock file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from core.storage.leadership import Leadership, lock_key


def test_keys_are_stable_signed_64_bit_and_per_name() -> None:
    assert lock_key("telegram-42") == lock_key("telegram-42") != lock_key("telegram-43")
    assert -(1 << 63) <= lock_key("telegram-42") < 1 << 63


async def test_sqlite_has_one_leader_and_a_second_does_not_wait(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'god.db'}"
    first, second = Leadership(url, "telegram-1"), Leadership(url, "telegram-1")
    assert await first.try_lead()
    assert not await second.try_lead()
    assert not second.waits
    assert (tmp_path / "god.db-telegram-1.lock").exists()
    assert await Leadership(url, "telegram-2").try_lead(), "another bot has its own lock"
    await first.release()
    assert await second.try_lead()
    await second.release()


async def test_in_memory_sqlite_always_leads() -> None:
    assert await Leadership("sqlite+aiosqlite:///:memory:", "telegram-1").try_lead()


async def test_postgres_leader_dies_and_a_follower_takes_over(postgres_url: str) -> None:
    first = Leadership(postgres_url, "telegram-1", ping_s=0.2)
    second = Leadership(postgres_url, "telegram-1", ping_s=0.2)
    try:
        assert await first.try_lead()
        assert second.waits and not await second.try_lead()
        assert not await second.try_lead(), "still held"
        # the leader's connection ends as a killed process's would
        pid = first._connection.get_server_pid()
        dsn = postgres_url.replace("postgresql+asyncpg", "postgresql")
        admin = await asyncpg.connect(dsn)
        try:
            await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await asyncio.wait_for(first.lost(), 5)
        assert not first.leading
        assert await second.try_lead()
        assert not await first.try_lead(), "the old leader now follows"
        await second.release()
        assert await first.try_lead()
    finally:
        await first.release()
        await second.release()
