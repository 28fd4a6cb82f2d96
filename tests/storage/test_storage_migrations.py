"""The real migrations: they match the models, go down and up again, and roll back on failure."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection

from core.storage import SqlStore, create_engine, migrate
from core.storage.models import Base

TABLES = {"chats", "channel_overrides", "users", "messages", "intake"}


def table_names(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name for (name,) in rows} - {"alembic_version"}


async def test_models_and_migrations_agree(migrated_db_url: str) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    engine = create_engine(migrated_db_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(db_path: Path, migrated_db_url: str) -> None:
    assert await migrate.current(migrated_db_url) == migrate.head()
    assert table_names(db_path) == TABLES

    await migrate.downgrade(migrated_db_url, "base")
    assert await migrate.current(migrated_db_url) is None
    assert table_names(db_path) == set()

    await migrate.upgrade(migrated_db_url)
    assert await migrate.current(migrated_db_url) == migrate.head()
    assert table_names(db_path) == TABLES
    async with SqlStore.from_url(migrated_db_url) as store:
        counts = await store.counts()
    assert (counts.chats, counts.users, counts.channel_overrides, counts.messages) == (0, 0, 0, 0)


async def test_upgrade_is_idempotent_and_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "god.db"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate.upgrade(url)
    await migrate.upgrade(url)
    assert path.exists()
    assert await migrate.current(url) == migrate.head()


async def test_concurrent_upgrades_are_serialised(tmp_path: Path) -> None:
    urls = [f"sqlite+aiosqlite:///{tmp_path / f'{i}.db'}" for i in range(3)]
    await asyncio.gather(*(migrate.upgrade(url) for url in urls))
    for url in urls:
        assert await migrate.current(url) == migrate.head()


def test_sync_api_from_plain_code(db_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{db_path}"
    migrate.upgrade_sync(url)
    assert migrate.current_sync(url) == migrate.head()
    migrate.downgrade_sync(url, "base")
    assert migrate.current_sync(url) is None


async def test_sync_api_inside_a_running_loop(db_path: Path) -> None:
    # A blocking call from a coroutine still works (env.py gets a thread of its own).
    url = f"sqlite+aiosqlite:///{db_path}"
    migrate.upgrade_sync(url)
    assert migrate.current_sync(url) == migrate.head()


def test_revisions_do_not_import_application_code() -> None:
    for script in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        assert "import core" not in source and "from core" not in source, script.name


def test_config_needs_no_alembic_ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here
    cfg = migrate.alembic_config("sqlite+aiosqlite:///x.db?password=50%25")
    assert cfg.config_file_name is None
    assert Path(cfg.get_main_option("script_location") or "") == migrate.MIGRATIONS_DIR
    assert cfg.get_main_option("sqlalchemy.url") == "sqlite+aiosqlite:///x.db?password=50%25"


FAILING_REVISION = '''
"""A revision that fails half-way."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("chats") as batch_op:
        batch_op.add_column(sa.Column("extra", sa.String(10)))
    raise RuntimeError("boom")


def downgrade() -> None:
    pass
'''


async def test_failed_migration_leaves_nothing_behind(
    tmp_path: Path, db_path: Path, migrated_db_url: str
) -> None:
    async with SqlStore.from_url(migrated_db_url) as store:
        chat = await store.ensure_chat("console", "local", "private")
        user = await store.ensure_user("console", "me")
        await store.add_user_message(chat, user, "fire", "🜂", "glyph", "en")

    scripts = tmp_path / "scripts"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    failing = FAILING_REVISION.format(down=migrate.head())
    (scripts / "versions" / "9999_failing.py").write_text(failing, encoding="utf-8")
    cfg = migrate.alembic_config(migrated_db_url)
    cfg.set_main_option("script_location", str(scripts))

    with pytest.raises(RuntimeError, match="boom"):
        await asyncio.to_thread(command.upgrade, cfg, "head")

    assert await migrate.current(migrated_db_url) == migrate.head()
    assert table_names(db_path) == TABLES
    with sqlite3.connect(db_path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(chats)")}
        assert "extra" not in columns
        assert conn.execute("SELECT count(*) FROM messages").fetchone() == (1,)
