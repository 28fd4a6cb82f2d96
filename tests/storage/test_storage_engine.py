"""The SQLite connection settings are really in force on every connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from core.storage import SqlStore, StoreError, create_engine, session_factory


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


async def test_foreign_keys_are_enforced(sql_store: SqlStore) -> None:
    chat = await sql_store.ensure_chat("console", "local", "private")
    with pytest.raises(StoreError) as caught:
        await sql_store.add_god_message(chat, 424242, "🜂", None, "glyph", None)
    assert caught.value.kind == "integrity"


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
