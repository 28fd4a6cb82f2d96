"""Apply the Alembic migrations shipped in the ``migrations`` package, from code.

No alembic.ini is needed: the config is built here, pointing at the installed package.
Alembic's commands are synchronous and ``migrations/env.py`` runs its own event loop, so
the async functions run each command in a worker thread; the ``*_sync`` functions are
for plain synchronous callers (a command line).

A failure of any kind (a bad URL, a missing driver, an unreachable server, a revision
that raises) becomes one ``MigrationError`` line naming the URL with its password masked;
concurrent starts are serialised by the lock that ``migrations/env.py`` takes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection

import migrations
from core.storage.engine import DEFAULT_BUSY_TIMEOUT_MS, create_engine, mask_url
from core.storage.errors import describe
from core.storage.records import StoreError

logger = logging.getLogger(__name__)

T = TypeVar("T")

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


class MigrationError(StoreError):
    """The database could not be migrated; the message is one line, the password masked."""


# Alembic keeps the running migration's context in module globals: one at a time.
_alembic_lock = threading.Lock()


def _url_string(url: str | URL) -> str:
    # str(URL) would mask the password with "***".
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


def alembic_config(url: str | URL, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Config:
    """An Alembic config for ``url`` that needs no alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The config is a ConfigParser: "%" (URL-escaped passwords) must be doubled.
    cfg.set_main_option("sqlalchemy.url", _url_string(url).replace("%", "%%"))
    cfg.attributes["busy_timeout_ms"] = busy_timeout_ms
    return cfg


def head() -> str | None:
    """The newest revision shipped with the package."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def _locked(fn: Callable[..., T], *args: object) -> T:
    with _alembic_lock:
        return fn(*args)


def _blocking(fn: Callable[..., T], *args: object) -> T:
    """Run ``fn`` here, or in a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _locked(fn, *args)
    # env.py starts its own event loop, which cannot nest inside a running one.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="alembic") as executor:
        return executor.submit(_locked, fn, *args).result()


def _migrate(verb: str, url: str | URL, revision: str, busy_timeout_ms: int) -> None:
    """Run Alembic's upgrade or downgrade; any failure becomes one MigrationError line."""
    where = mask_url(url)
    direction = "up" if verb == "upgrade" else "down"
    try:
        # Builds (and drops) an engine first: a bad URL or a missing driver is a StoreError
        # naming the URL, before Alembic has a chance to say it less clearly.
        create_engine(url, busy_timeout_ms=busy_timeout_ms, poolclass=pool.NullPool)
        logger.info("migrating %s %s to %s", where, direction, revision)
        getattr(command, verb)(alembic_config(url, busy_timeout_ms=busy_timeout_ms), revision)
    except MigrationError:
        raise
    except Exception as error:
        detail = describe(getattr(error, "orig", None) or error)
        raise MigrationError(
            f"cannot migrate {where} {direction} to {revision}: {detail}"
        ) from error


def _upgrade(url: str | URL, revision: str, busy_timeout_ms: int) -> None:
    _migrate("upgrade", url, revision, busy_timeout_ms)


def _downgrade(url: str | URL, revision: str, busy_timeout_ms: int) -> None:
    _migrate("downgrade", url, revision, busy_timeout_ms)


async def upgrade(
    url: str | URL, revision: str = "head", *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    await asyncio.to_thread(_locked, _upgrade, url, revision, busy_timeout_ms)


async def downgrade(
    url: str | URL, revision: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> None:
    """Migrate the database at ``url`` down to ``revision`` ("base" empties it)."""
    await asyncio.to_thread(_locked, _downgrade, url, revision, busy_timeout_ms)


async def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at; None when it was never migrated."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(read)
    except Exception as error:
        detail = describe(getattr(error, "orig", None) or error)
        raise MigrationError(f"cannot read the revision of {mask_url(url)}: {detail}") from error
    finally:
        await engine.dispose()


def upgrade_sync(
    url: str | URL, revision: str = "head", *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> None:
    """Blocking :func:`upgrade`, for synchronous callers."""
    _blocking(_upgrade, url, revision, busy_timeout_ms)


def downgrade_sync(
    url: str | URL, revision: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> None:
    """Blocking :func:`downgrade`, for synchronous callers."""
    _blocking(_downgrade, url, revision, busy_timeout_ms)


def current_sync(url: str | URL) -> str | None:
    """Blocking :func:`current`, for synchronous callers."""
    return _blocking(asyncio.run, current(url))
