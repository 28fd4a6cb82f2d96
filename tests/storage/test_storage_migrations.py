"""The real migrations, on SQLite and PostgreSQL: they match the models, go down and up
again, keep the data of a database they upgrade, roll back on failure, fail in one line."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, pool
from sqlalchemy.engine import Connection

from core.storage import SqlStore, create_engine, migrate
from core.storage.migrate import MigrationError
from core.storage.models import Base
from tests.storage.helpers import TABLES, add_answer, add_question, count_rows, table_names


async def columns(url: str, table: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(lambda sync: inspect(sync).get_columns(table))
    finally:
        await engine.dispose()
    return {column["name"] for column in found}


async def seed(url: str) -> tuple[int, int]:
    """One chat, one user, one answered question; the question's and the answer's ids."""
    async with SqlStore.from_url(url) as store:
        chat = await store.ensure_chat("console", "local", "private")
        user = await store.ensure_user("console", "me")
        await store.set_channel_mode("console", "local", "c1", "glyph")
        question = await add_question(store, chat, user, "fire")
        return question, await add_answer(store, chat, question, "⟁")


def scripts_with(tmp_path: Path, source: str) -> Path:
    """A copy of the shipped migrations plus one more revision (``source``)."""
    scripts = tmp_path / "scripts"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_extra.py").write_text(
        source.format(down=migrate.head()), encoding="utf-8"
    )
    return scripts


async def test_models_and_migrations_agree(migrated_store_url: str) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    engine = create_engine(migrated_store_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade(migrated_store_url: str) -> None:
    url = migrated_store_url
    assert await migrate.current(url) == migrate.head()
    assert await table_names(url) == TABLES
    await seed(url)

    await migrate.downgrade(url, "base")
    assert await migrate.current(url) is None
    assert await table_names(url) == set()

    await migrate.upgrade(url)
    assert await migrate.current(url) == migrate.head()
    assert await table_names(url) == TABLES
    counts = await count_rows(url)
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
    tmp_path: Path, migrated_store_url: str
) -> None:
    url = migrated_store_url
    await seed(url)
    cfg = migrate.alembic_config(url)
    cfg.set_main_option("script_location", str(scripts_with(tmp_path, FAILING_REVISION)))

    with pytest.raises(RuntimeError, match="boom"):
        await asyncio.to_thread(command.upgrade, cfg, "head")

    assert await migrate.current(url) == migrate.head()
    assert await table_names(url) == TABLES
    assert "extra" not in await columns(url, "chats")
    assert (await count_rows(url)).messages == 2


async def test_a_failed_migration_is_one_line(
    tmp_path: Path, migrated_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = migrate.head()
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts_with(tmp_path, FAILING_REVISION))
    with pytest.raises(MigrationError) as caught:
        await migrate.upgrade(migrated_store_url)
    message = str(caught.value)
    assert "\n" not in message and message.endswith("up to head: boom")
    assert await migrate.current(migrated_store_url) == shipped  # the failed one left nothing


async def test_an_unreachable_database_is_one_line_without_the_password() -> None:
    # Port 1: nothing listens there; asyncpg raises a bare OSError.
    url = "postgresql+asyncpg://god:s3cret@127.0.0.1:1/silentgod"
    with pytest.raises(MigrationError) as caught:
        await migrate.upgrade(url)
    message = str(caught.value)
    assert "\n" not in message and "s3cret" not in message
    assert message.startswith("cannot migrate postgresql+asyncpg://god:***@127.0.0.1:1/silentgod")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("no database here", "is not a database URL"),
        ("postgresql+nosuchdriver://god:s3cret@localhost/db", "no SQLAlchemy dialect"),
    ],
)
async def test_a_bad_url_is_one_line(url: str, words: str) -> None:
    with pytest.raises(MigrationError) as caught:
        await migrate.upgrade(url)
    assert words in str(caught.value) and "s3cret" not in str(caught.value)


ADDING_REVISION = '''
"""A revision that adds a column and an index to tables that hold rows."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("tokens", sa.Integer(), nullable=True))
        batch_op.create_index("ix_messages_tokens", ["tokens"])
    with op.batch_alter_table("chats") as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch_op:
        batch_op.drop_column("topic")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_tokens")
        batch_op.drop_column("tokens")
'''


async def test_upgrading_a_database_that_holds_data_keeps_it(
    tmp_path: Path, migrated_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = migrated_store_url
    question, answer = await seed(url)
    before = await count_rows(url)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts_with(tmp_path, ADDING_REVISION))

    # SQLite rebuilds both tables (batch mode): no row, and no answer's link, may be lost.
    await migrate.upgrade(url)
    assert await migrate.current(url) == "9999"
    assert {"tokens"} <= await columns(url, "messages")
    assert await count_rows(url) == before
    async with SqlStore.from_url(url) as store:
        chat = await store.ensure_chat("console", "local", "private")
        [exchange] = await store.recent_exchanges(chat)
        assert exchange.question.id == question
        assert exchange.answer is not None and exchange.answer.id == answer
        assert (await store.get_chat_settings("console", "local", "c1")).channel_mode == "glyph"

    await migrate.downgrade(url, "0001")
    assert "tokens" not in await columns(url, "messages")
    assert await count_rows(url) == before
