"""One leader among the processes that share a database: a lock its holder loses by dying.

Some work must be done by one process at a time however many run (Telegram allows one
poller per bot). The lock lives where the processes meet:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) taken on a dedicated
  connection that does nothing else. The server frees it the moment that connection ends —
  a killed process, a lost network — so a follower that keeps trying takes over within one
  try. The leader pings its connection and steps down as soon as the connection is gone,
  because the lock may already be someone else's.
- SQLite: an exclusive ``flock`` on a file beside the database (``<file>-<name>.lock``). A
  SQLite file serves the processes of one host at best, so a second would-be leader is told
  no rather than made to wait (``waits`` is False); the kernel frees the lock with its holder.
- An in-memory database belongs to one process: it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import URL

from core.storage.engine import mask_url, parse_url
from core.storage.locks import sqlite_lock_path

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` (PostgreSQL's bigint)."""
    digest = hashlib.blake2b(f"silentgod:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Leadership:
    """The right to lead ``name`` among the processes on one database."""

    def __init__(self, url: str | URL, name: str, *, ping_s: float = 1.0) -> None:
        self.url = parse_url(url)
        self.name = name
        self.key = lock_key(name)
        self.ping_s = ping_s
        backend = self.url.get_backend_name()
        self.shared = backend == "postgresql"
        self._file_path = sqlite_lock_path(self.url, name) if backend == "sqlite" else None
        self._file: IO[bytes] | None = None
        self._connection: Any = None  # asyncpg.Connection, imported only for PostgreSQL
        self._dropped = asyncio.Event()
        self.leading = False

    @property
    def waits(self) -> bool:
        """Whether a process that does not lead should wait for its turn (else it refuses)."""
        return self.shared

    @property
    def where(self) -> str:
        """The lock as a log line may name it (no password)."""
        return str(self._file_path) if self._file_path else mask_url(self.url)

    async def try_lead(self) -> bool:
        """Take the lock if nobody holds it; never waits for it."""
        if self.leading:
            return True
        if self.shared:
            self.leading = await self._try_advisory()
        elif self._file_path is not None:
            self.leading = self._try_file(self._file_path)
        else:
            self.leading = True
        return self.leading

    async def _connect(self) -> Any:
        import asyncpg

        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._dropped = asyncio.Event()
        dropped = self._dropped
        # named, so that an operator sees in pg_stat_activity which process holds what
        settings = {"application_name": f"silentgod {self.name} pid {os.getpid()}"}
        connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_S, server_settings=settings)
        connection.add_termination_listener(lambda _connection: dropped.set())
        self._connection = connection
        return connection

    async def _try_advisory(self) -> bool:
        try:
            connection = await self._connect()
            return bool(
                await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1)", self.key, timeout=CONNECT_TIMEOUT_S
                )
            )
        except Exception as error:  # asyncpg's, OSError, TimeoutError: they share no base
            logger.debug("%s: the lock at %s cannot be tried: %s", self.name, self.where, error)
            await self._drop_connection()
            return False

    def _try_file(self, path: Path) -> bool:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    async def lost(self) -> None:
        """Return once the lock is lost (its connection ended); never, for a file lock."""
        if not self.shared:
            await asyncio.Event().wait()
        while True:
            connection = self._connection
            if connection is None or connection.is_closed():
                break
            ping = asyncio.ensure_future(connection.fetchval("SELECT 1", timeout=self.ping_s * 3))
            dropped = asyncio.ensure_future(self._dropped.wait())
            try:
                await asyncio.wait({ping, dropped}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                dropped.cancel()
            failed = not ping.done() or ping.cancelled() or ping.exception() is not None
            if failed or self._dropped.is_set():
                ping.cancel()
                break
            await asyncio.sleep(self.ping_s)
        self.leading = False
        await self._drop_connection()
        logger.warning("%s: the lock's connection to %s ended", self.name, self.where)

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.terminate()

    async def release(self) -> None:
        """Give the lock up (closing its connection frees an advisory lock too)."""
        self.leading = False
        if self._connection is not None and not self._connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._connection.close(), CONNECT_TIMEOUT_S)
        await self._drop_connection()
        handle, self._file = self._file, None
        if handle is not None:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
