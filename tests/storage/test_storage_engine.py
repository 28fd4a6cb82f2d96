"""The connection settings are really in force: SQLite's PRAGMAs on every connection, the
pool's size and pre-ping; a bad URL or a missing driver is one clear error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.storage import StoreError, create_engine, mask_url, session_factory


async def pragma(url: str, name: str, **engine_kwargs: object) -> object:
    engine = create_engine(url, **engine_kwargs)
    try:
        async with engine.connect() as connection:
            return (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
    finally:
        await engine.dispose()


async def test_wal_busy_timeout_foreign_keys_synchronous(migrated_db_url: str) -> None:
    assert await pragma(migrated_db_url, "journal_mode") == "wal"
    assert await pragma(migrated_db_url, "busy_timeout") == 5000
    assert await pragma(migrated_db_url, "foreign_keys") == 1
    assert await pragma(migrated_db_url, "synchronous") == 1  # NORMAL


async def test_busy_timeout_is_configurable(migrated_db_url: str) -> None:
    assert await pragma(migrated_db_url, "busy_timeout", busy_timeout_ms=250) == 250


async def test_every_pooled_connection_gets_the_pragmas(migrated_db_url: str) -> None:
    engine = create_engine(migrated_db_url)
    try:
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                result = await connection.exec_driver_sql("PRAGMA foreign_keys")
                assert result.scalar_one() == 1
    finally:
        await engine.dispose()


async def test_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "god.db"
    assert await pragma(f"sqlite+aiosqlite:///{path}", "journal_mode") == "wal"
    assert path.exists()


async def test_in_memory_database_works() -> None:
    assert await pragma("sqlite+aiosqlite://", "foreign_keys") == 1


async def test_session_factory_keeps_objects_after_commit(migrated_db_url: str) -> None:
    engine = create_engine(migrated_db_url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
            await session.commit()
        assert sessions.kw["expire_on_commit"] is False
    finally:
        await engine.dispose()


async def test_pool_settings_reach_the_pool(store_url: str) -> None:
    engine = create_engine(store_url, pool_size=3, pool_pre_ping=True)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        assert engine.sync_engine.pool.size() == 3  # type: ignore[attr-defined]
        # A server's connections are pinged; a SQLite file's cannot go stale.
        assert engine.sync_engine.pool._pre_ping == store_url.startswith("postgresql")
    finally:
        await engine.dispose()


def test_an_in_memory_database_has_no_pool_to_size() -> None:
    create_engine("sqlite+aiosqlite://", pool_size=3)  # StaticPool: the size does not apply


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "asyncpg", None)  # as if it were not installed
    with pytest.raises(StoreError) as caught:
        create_engine("postgresql+asyncpg://god:s3cret@localhost/silentgod")
    message = str(caught.value)
    assert "asyncpg" in message and 'pip install -e ".[postgres]"' in message
    assert "s3cret" not in message and "***" in message


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        (
            "postgresql+asyncpg://god:s3cret@db:5432/silentgod",
            "postgresql+asyncpg://god:***@db:5432/silentgod",
        ),
        ("sqlite+aiosqlite:///silentgod.db", "sqlite+aiosqlite:///silentgod.db"),
        ("not a url://god:s3cret@db", "not a url://god:***@db"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked
