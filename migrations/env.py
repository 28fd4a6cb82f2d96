"""Alembic environment: an async engine, batch mode for SQLite, the ORM models' metadata.

Every online run holds the migration lock (``core.storage.locks``): an advisory lock on
PostgreSQL, a lock file beside a SQLite database, so processes starting together on one
empty database migrate it once. Run by ``core.storage.migrate`` (config built in code, no
alembic.ini needed) or by the ``alembic`` command line for developers (``alembic revision
--autogenerate``).
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

from core.storage.engine import DEFAULT_BUSY_TIMEOUT_MS, configure_sqlite, ensure_sqlite_directory
from core.storage.locks import lock_migrations, migration_file_lock
from core.storage.models import Base, UTCDateTime

config = context.config

# Only the alembic command line has a config file; the application keeps its logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render application types as plain SQLAlchemy types, so revisions never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit the migration SQL for the configured URL without connecting."""
    _configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    """Run the migrations on one (sync-facing) connection, in one transaction."""
    sqlite = connection.dialect.name == "sqlite"
    # SQLite can roll DDL back once the engine emits a real BEGIN (see configure_sqlite).
    _configure(connection=connection, transactional_ddl=True if sqlite else None)
    with context.begin_transaction():
        # Before the version table is read: a second process waits here, then finds head.
        lock_migrations(connection)
        context.run_migrations()
        if sqlite:
            # Foreign keys are off while tables are rebuilt; prove nothing dangles.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")


async def run_async_migrations() -> None:
    """Build an async engine from the config and run the migrations through it."""
    section = config.get_section(config.config_ini_section, {})
    ensure_sqlite_directory(section["sqlalchemy.url"])
    connectable = async_engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    # Foreign keys must be OFF: a batch migration drops and recreates tables, and with
    # enforcement on, dropping a parent table would cascade-delete its children's rows.
    configure_sqlite(
        connectable,
        busy_timeout_ms=config.attributes.get("busy_timeout_ms", DEFAULT_BUSY_TIMEOUT_MS),
        foreign_keys=False,
        explicit_begin=True,
    )
    try:
        async with connectable.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await connectable.dispose()


def run_migrations_online() -> None:
    """Run the migrations against the database (in this thread's own event loop)."""
    with migration_file_lock(config.get_main_option("sqlalchemy.url") or ""):
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
