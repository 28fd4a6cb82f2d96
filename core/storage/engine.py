"""Async engines and sessions for the conversation store.

Any SQLAlchemy async URL works; SQLite (aiosqlite) gets the connection settings that
make it a good multi-reader, single-writer store: WAL, a busy timeout, foreign keys.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

logger = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 5000


def is_sqlite(url: str | URL) -> bool:
    """Whether the URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str | URL) -> None:
    """Create the parent directory of a SQLite database file, if the URL names one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database
    # ":memory:" and "file:" URIs (uri=true) are left alone: a URI may open read-only.
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def configure_sqlite(
    engine: AsyncEngine,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    explicit_begin: bool = False,
) -> None:
    """Apply the store's PRAGMAs to every new connection of a SQLite engine.

    ``explicit_begin`` makes SQLAlchemy's transactions real SQLite transactions (the
    driver otherwise begins only before DML, so DDL would autocommit statement by
    statement); migrations use it so a failed revision leaves nothing behind.
    """
    if engine.dialect.name != "sqlite":
        return
    if busy_timeout_ms < 0:
        raise ValueError("busy_timeout_ms must not be negative")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if explicit_begin:
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first, so that switching to WAL also waits for a lock.
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()

    if explicit_begin:

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")


def create_engine(
    url: str | URL,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    **engine_kwargs: Any,
) -> AsyncEngine:
    """An async engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys."""
    ensure_sqlite_directory(url)
    engine = _create_async_engine(url, **engine_kwargs)
    configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms, foreign_keys=foreign_keys)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose loaded objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
