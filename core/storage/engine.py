"""Async engines and sessions for the conversation store.

Any SQLAlchemy async URL works. SQLite (aiosqlite) gets the connection settings that
make it a good multi-reader, single-writer store: WAL, a busy timeout, foreign keys.
PostgreSQL (asyncpg, the ``postgres`` extra) gets a sized pool whose connections are
pinged before use, so a server restart costs one reconnect, not a failed call.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

from core.storage.records import StoreError

logger = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 5000
DEFAULT_POOL_SIZE = 5
# The pip extra that installs each async driver the store knows.
DRIVER_EXTRAS = {"asyncpg": "postgres"}

# user:password@ at the start or after "://", for text that does not parse as a URL.
_PASSWORD_IN_URL = re.compile(r"(^|://)([^:/@\s]*:)[^@\s]*@")


def mask_url(url: str | URL) -> str:
    """The URL as it may be printed or logged: any password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1\2***@", url)


def parse_url(url: str | URL) -> URL:
    """The parsed URL; StoreError (one line, password masked) when it is not a database URL."""
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except sa_exc.ArgumentError:
        raise StoreError(f"{mask_url(url)!r} is not a database URL") from None


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


def _pools_connections(url: URL, engine_kwargs: dict[str, Any]) -> bool:
    """Whether the engine gets SQLAlchemy's default queue pool (which takes a size)."""
    if "poolclass" in engine_kwargs or "pool" in engine_kwargs:
        return False
    database = url.database or ""
    in_memory = url.get_backend_name() == "sqlite" and (
        not database or database == ":memory:" or "mode=memory" in database
    )
    return not in_memory


def create_engine(
    url: str | URL,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    pool_size: int | None = None,
    pool_pre_ping: bool = False,
    **engine_kwargs: Any,
) -> AsyncEngine:
    """An async engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys.

    ``pool_size`` sizes the connection pool (ignored where there is none to size, such as
    an in-memory SQLite database); ``pool_pre_ping`` tests each connection as it leaves
    the pool and replaces a dead one (a server's connections only, not SQLite's). A bad URL
    or a driver that is not installed raises StoreError.
    """
    parsed = parse_url(url)
    ensure_sqlite_directory(parsed)
    if pool_size is not None and _pools_connections(parsed, engine_kwargs):
        engine_kwargs["pool_size"] = pool_size
    # A SQLite file cannot drop a connection; the ping would only cost a thread round trip.
    if pool_pre_ping and parsed.get_backend_name() != "sqlite":
        engine_kwargs["pool_pre_ping"] = True
    try:
        engine = _create_async_engine(parsed, **engine_kwargs)
    except sa_exc.NoSuchModuleError:
        raise StoreError(
            f"{mask_url(parsed)!r}: no SQLAlchemy dialect {parsed.drivername!r}"
        ) from None
    except ImportError as error:
        driver = error.name or parsed.get_driver_name()
        extra = DRIVER_EXTRAS.get(driver)
        hint = f'; install it with pip install -e ".[{extra}]"' if extra else ""
        raise StoreError(f"{mask_url(parsed)!r} needs the driver {driver!r}{hint}") from None
    configure_sqlite(engine, busy_timeout_ms=busy_timeout_ms, foreign_keys=foreign_keys)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose loaded objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
