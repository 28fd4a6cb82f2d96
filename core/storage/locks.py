"""Locks that let several processes start on one database and migrate it exactly once.

Two processes migrating a fresh database at the same time would both create the same
tables (PostgreSQL: ``UniqueViolation``; SQLite: "database is locked" half-way). So a
migration first takes a lock that outlives no process:

- PostgreSQL: a transaction-level advisory lock, taken as the first statement of the
  migration's transaction. The second process waits on it, then reads the version table
  only after the first one committed, finds the database at head, and does nothing. The
  lock goes with the transaction, so a killed migrator frees it at once.
- SQLite: an exclusive ``flock`` on a file beside the database (``<file>-migrate.lock``),
  held around the whole migration; the kernel frees it when the process dies.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, Connection, make_url

logger = logging.getLogger(__name__)

# The advisory lock's key: any fixed 64-bit number other applications are unlikely to use
# ("silentgod migrate" as bytes, truncated).
MIGRATION_LOCK_KEY = int.from_bytes(b"sgmigrat", "big") & 0x7FFF_FFFF_FFFF_FFFF
# How long a start waits for another process's migration before it gives up (one line).
MIGRATION_LOCK_TIMEOUT_S = 300
_POLL_S = 0.05


class MigrationLockTimeout(TimeoutError):
    """Another process held the migration lock for longer than the timeout."""


def lock_migrations(connection: Connection, timeout_s: float = MIGRATION_LOCK_TIMEOUT_S) -> None:
    """Take the migration lock for the connection's current transaction (PostgreSQL only)."""
    if connection.dialect.name != "postgresql":
        return
    # SET LOCAL: the timeout, like the lock, ends with the transaction.
    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(timeout_s * 1000)}ms'")
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")


def sqlite_lock_path(url: str | URL, name: str = "migrate") -> Path | None:
    """The lock file ``<file>-<name>.lock`` of a SQLite database file; None for other
    databases and in-memory ones."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database:
        return None
    if database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(f"{Path(database).name}-{name}.lock")


@contextlib.contextmanager
def migration_file_lock(
    url: str | URL, timeout_s: float = MIGRATION_LOCK_TIMEOUT_S
) -> Iterator[None]:
    """Hold the SQLite database's migration lock file (a no-op for other databases)."""
    path = sqlite_lock_path(url)
    try:
        import fcntl
    except ImportError:  # not POSIX: rely on SQLite's own locking
        path = None
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file stays: removing it would let a third process lock a new file while the
    # second still waits on the old one.
    with path.open("a+b") as handle:
        deadline = time.monotonic() + timeout_s
        waited = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    logger.info("waiting for another process to finish migrating %s", path)
                    waited = True
                if time.monotonic() >= deadline:
                    raise MigrationLockTimeout(
                        f"another process held {path} for more than {timeout_s:g} s"
                    ) from None
                time.sleep(_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
