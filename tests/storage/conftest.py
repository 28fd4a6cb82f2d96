"""The store's tests run on SQLite and on PostgreSQL: fixtures parametrised over both.

PostgreSQL cases skip, saying why, where ``SILENTGOD_TEST_POSTGRES_URL`` is unset (see
``postgres_url`` in tests/conftest.py); tests of SQLite's own behaviour (PRAGMAs, files)
keep using ``migrated_db_url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.storage import SqlStore, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'db' / 'silentgod.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def migrated_store_url(store_url: str) -> str:
    """``store_url`` upgraded to the newest migration."""
    await migrate.upgrade(store_url)
    return store_url


@pytest.fixture
async def store(migrated_store_url: str) -> AsyncIterator[SqlStore]:
    """A SqlStore on the migrated database, closed after the test."""
    async with SqlStore.from_url(migrated_store_url) as opened:
        yield opened
