"""Driver errors become StoreError, and the safe ones are retried: lost connections (a
restarted or killed server backend), serialization failures, a server that is not there."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import pool

from core.storage import SqlStore, StoreError, create_engine, migrate
from core.storage.errors import commit_once, is_retryable, retrying, store_error
from core.storage.records import NewMessage
from tests.conftest import POSTGRES_ENV
from tests.storage.helpers import add_question


async def kill_other_connections(url: str) -> int:
    """Terminate every other backend on the database (what a server restart does to them)."""
    engine = create_engine(url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


async def warm_pool(store: SqlStore) -> None:
    """Leave pooled connections open, as a long-running bot has them."""
    chat = await store.ensure_chat("telegram", "1", "private")
    user = await store.ensure_user("telegram", "1")
    await add_question(store, chat, user, "fire")


@pytest.fixture
async def postgres_store_url(postgres_url: str) -> str:
    await migrate.upgrade(postgres_url)
    return postgres_url


@pytest.mark.parametrize(
    ("pre_ping", "retries"),
    [(True, 0), (False, 1)],
    ids=["pre-ping", "retry"],
)
async def test_killed_connections_cost_a_reconnect_not_a_failure(
    postgres_store_url: str, pre_ping: bool, retries: int
) -> None:
    async with SqlStore.from_url(
        postgres_store_url, pool_pre_ping=pre_ping, retries=retries
    ) as store:
        await warm_pool(store)
        assert await kill_other_connections(postgres_store_url) >= 1
        # Either the ping finds the dead connection at checkout, or the call runs again.
        chat = await store.ensure_chat("telegram", "1", "private")
        user = await store.ensure_user("telegram", "1")
        assert await add_question(store, chat, user, "water") > 0
        assert await kill_other_connections(postgres_store_url) >= 1
        assert len(await store.recent_exchanges(chat)) == 2


async def test_without_ping_or_retry_a_lost_connection_is_a_store_error(
    postgres_store_url: str,
) -> None:
    async with SqlStore.from_url(postgres_store_url, pool_pre_ping=False, retries=0) as store:
        await warm_pool(store)
        await kill_other_connections(postgres_store_url)
        with pytest.raises(StoreError) as caught:
            await store.ensure_chat("telegram", "1", "private")
        assert not isinstance(caught.value, sa_exc.DBAPIError)
        assert isinstance(caught.value.__cause__, sa_exc.DBAPIError)
        assert "cannot reach the database" in str(caught.value)
        # The dead pool was thrown away: the next call connects again.
        assert (await store.ensure_chat("telegram", "1", "private")).external_id == "1"


async def test_a_serialization_failure_is_retried_then_mapped(postgres_url: str) -> None:
    engine = create_engine(postgres_url, poolclass=pool.NullPool)
    calls = 0

    async def conflicting() -> str:
        nonlocal calls
        calls += 1
        async with engine.connect() as connection:
            if calls == 1:
                # A real serialization failure, as the server reports it (SQLSTATE 40001).
                await connection.exec_driver_sql(
                    "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' "
                    "USING ERRCODE = '40001'; END $$"
                )
            return "done"

    try:
        assert await retrying("test", conflicting, base_delay_s=0) == "done"
        assert calls == 2

        calls = 0
        with pytest.raises(StoreError) as caught:
            await retrying("test", conflicting, retries=0)
        assert caught.value.kind == "locked" and calls == 1
        cause = caught.value.__cause__
        assert isinstance(cause, sa_exc.DBAPIError) and is_retryable(cause)
    finally:
        await engine.dispose()


async def test_deadlocks_and_integrity_errors_are_told_apart(postgres_store_url: str) -> None:
    engine = create_engine(postgres_store_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            with pytest.raises(sa_exc.DBAPIError) as deadlock:
                await connection.exec_driver_sql(
                    "DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$"
                )
        async with engine.connect() as connection:
            with pytest.raises(sa_exc.IntegrityError) as integrity:
                await connection.exec_driver_sql(
                    "INSERT INTO messages (chat_id, role, mode, created_at) "
                    "VALUES (424242, 'user', 'glyph', now())"
                )
    finally:
        await engine.dispose()
    assert is_retryable(deadlock.value)
    assert not is_retryable(integrity.value)
    assert store_error("x", integrity.value).kind == "integrity"


async def test_foreign_keys_are_enforced(store: SqlStore) -> None:
    chat = await store.ensure_chat("console", "local", "private")
    with pytest.raises(StoreError) as caught:
        await store.add_messages([NewMessage(chat.id, None, "god", None, "🜂", "glyph", None, 4242)])
    assert caught.value.kind == "integrity"


async def test_an_absent_server_is_a_store_error_after_bounded_retries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1: asyncpg raises a bare ConnectionRefusedError.
    url = "postgresql+asyncpg://god:s3cret@127.0.0.1:1/silentgod"
    caplog.set_level(logging.INFO, logger="core.storage.errors")
    async with SqlStore.from_url(url, retries=2) as store:
        with pytest.raises(StoreError) as caught:
            await store.get_chat_settings("telegram", "1")
    assert "cannot reach the database" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert sum("retrying" in record.getMessage() for record in caplog.records) == 2


async def test_a_commit_that_may_have_happened_is_not_retried() -> None:
    class LostCommit:
        async def commit(self) -> None:
            raise sa_exc.DBAPIError(
                "COMMIT", None, ConnectionResetError("gone"), connection_invalidated=True
            )

    calls = 0

    async def insert_once() -> None:
        nonlocal calls
        calls += 1
        await commit_once(LostCommit(), "store messages")  # type: ignore[arg-type]

    with pytest.raises(StoreError, match="may or may not be stored"):
        await retrying("store messages", insert_once, base_delay_s=0)
    assert calls == 1


# -- a real restart, on a throwaway cluster of its own (the shared server is left alone) ---

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def as_postgres(*command: str) -> list[str]:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


def pg_ctl(data: Path, *args: str) -> None:
    """Run pg_ctl on the cluster; the server it starts writes to a log file, not our pipes."""
    command = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(data.parent / "log"), *args]
    subprocess.run(
        as_postgres(*command),
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def throwaway_cluster() -> Iterator[tuple[Path, int]]:
    """A PostgreSQL cluster of this test's own: its data directory and port."""
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL tests")
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL binaries in {PG_BIN} to start a cluster to restart")
    directory = Path(tempfile.mkdtemp(prefix="silentgod-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = directory / "data"
    initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    subprocess.run(as_postgres(*initdb), check=True, capture_output=True, timeout=120)
    try:
        pg_ctl(data, "-w", "-o", f"-h 127.0.0.1 -p {port} -k {directory} -c fsync=off", "start")
        yield data, port
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            pg_ctl(data, "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize(
    ("pre_ping", "retries"),
    [(True, 0), (False, 3), (False, 0)],
    ids=["pre-ping", "retry", "neither"],
)
async def test_the_first_call_after_a_server_restart(
    throwaway_cluster: tuple[Path, int], pre_ping: bool, retries: int
) -> None:
    data, port = throwaway_cluster
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    await migrate.upgrade(url)
    async with SqlStore.from_url(url, pool_pre_ping=pre_ping, retries=retries) as store:
        await warm_pool(store)
        # Every pooled connection dies with the old server; the options are remembered.
        await asyncio.to_thread(pg_ctl, data, "-m", "fast", "-w", "restart")
        if pre_ping or retries:
            chat = await store.ensure_chat("telegram", "1", "private")  # works at once
        else:
            # Without either, the call fails, but as a StoreError, not a raw DBAPIError.
            with pytest.raises(StoreError, match="cannot reach the database"):
                await store.ensure_chat("telegram", "1", "private")
            chat = await store.ensure_chat("telegram", "1", "private")
        assert len(await store.recent_exchanges(chat)) == 1
