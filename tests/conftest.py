"""Shared fixtures. Each concern keeps its fixtures in its own clearly marked section."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.storage import SqlStore
from core.storage import migrate as storage_migrate

_OWN_CACHE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """One cache of the lexicon bridge's word indexes for the whole run (and the bots it
    starts), outside the user's own cache folder."""
    if "SILENTGOD_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["SILENTGOD_CACHE_DIR"] = tempfile.mkdtemp(prefix="silentgod-cache-")
        config.stash[_OWN_CACHE] = os.environ["SILENTGOD_CACHE_DIR"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """The run's own cache folder goes with it."""
    folder = config.stash.get(_OWN_CACHE, None)
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


# --- storage: a real SQLite file, migrated by the real migrations ------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's SQLite database lives (its directory does not exist yet)."""
    return tmp_path / "db" / "silentgod.db"


@pytest.fixture
async def migrated_db_url(db_path: Path) -> str:
    """The URL of a temporary SQLite database upgraded to the newest migration."""
    url = f"sqlite+aiosqlite:///{db_path}"
    await storage_migrate.upgrade(url)
    return url


@pytest.fixture
async def sql_store(migrated_db_url: str) -> AsyncIterator[SqlStore]:
    """A SqlStore on the migrated temporary database, closed after the test."""
    store = SqlStore.from_url(migrated_db_url)
    try:
        yield store
    finally:
        await store.close()


# PostgreSQL: a fresh database per test on the server named by SILENTGOD_TEST_POSTGRES_URL
# (.ci/run sets it). Unset: the test is skipped, saying why. Set but the server does not
# answer: the test fails, so a broken CI server is never mistaken for a pass.
POSTGRES_ENV = "SILENTGOD_TEST_POSTGRES_URL"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    from sqlalchemy import pool
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from core.storage import mask_url

    base = os.environ.get(POSTGRES_ENV, "").strip()
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    server = make_url(base).set(drivername="postgresql+asyncpg")
    name = f"silentgod_test_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:
        await admin.dispose()
        pytest.fail(f"{POSTGRES_ENV}={mask_url(server)} is set, but the server fails: {error}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.dispose()


# --- end storage ---------------------------------------------------------------------------


# --- the core: the shipped god, the lexicon bridge, a real store ---------------------------


@pytest.fixture(scope="session")
def shipped_god():
    """The god that ships inside the package, loaded offline."""
    from core.model.god import God

    return God.load()


@pytest.fixture
def core_settings():  # type: ignore[no-untyped-def]
    """The core settings of ``god_service``: no per-user rate limit, so that a test may ask
    as fast as it likes (tests/safety overrides this with the shipped limits)."""
    from core.settings import CoreSettings

    return CoreSettings(default_mode="translate", max_message_chars=2000, rate_per_minute=0)


@pytest.fixture
async def god_service(migrated_db_url: str, shipped_god, core_settings) -> AsyncIterator[object]:
    """A GodService over the shipped god, the lexicon bridge and a migrated SQLite file."""
    from core.bridge.lexicon_bridge import LexiconBridge
    from core.model.runner import GodRunner
    from core.service import GodService
    from core.settings import model_threads

    store = SqlStore.from_url(migrated_db_url)
    runner = GodRunner(
        shipped_god.answer_batch,
        batch_wait_ms=1.0,
        torch_threads=model_threads(core_settings.torch_threads),
    )
    await runner.start()
    service = GodService(
        settings=core_settings,
        store=store,
        runner=runner,
        bridge=LexiconBridge(shipped_god.lexicon),
        lexicon=shipped_god.lexicon,
        god=shipped_god,
    )
    try:
        yield service
    finally:
        await service.close()


# --- end core ------------------------------------------------------------------------------
