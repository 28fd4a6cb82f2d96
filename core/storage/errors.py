"""Driver errors → the store's own ``StoreError``, and the retry of the ones worth retrying.

Every store call runs through :func:`retrying`: a database failure never leaves the store
as a raw ``DBAPIError`` (or the ``OSError`` asyncpg raises when nothing listens), and a
failure that cannot have changed anything (a lost connection before the commit, a
PostgreSQL serialization failure or deadlock, a server that is restarting) is tried again
a bounded number of times on a fresh connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession

from core.storage.records import StoreError

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RETRIES = 3
# The first retry waits this long, each further one twice as long (0.1 + 0.2 + 0.4 s):
# long enough for a pooled connection to be replaced, short enough that a reply waits.
RETRY_BASE_DELAY_S = 0.1

# PostgreSQL SQLSTATEs after which the transaction is known to have been rolled back and
# running it again may succeed.
RETRYABLE_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "57P01",  # admin_shutdown: the server is stopping or restarting
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: the server is starting up
    }
)
# Class 08: connection exceptions (the connection failed or was lost).
RETRYABLE_SQLSTATE_CLASSES = ("08",)


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a driver error (PostgreSQL), if it carries one."""
    for candidate in (getattr(error, "orig", None), error):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def is_retryable(error: BaseException) -> bool:
    """Whether the failed transaction certainly changed nothing and may work when run again."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        code = sqlstate(error)
        return code is not None and (
            code in RETRYABLE_SQLSTATES or code.startswith(RETRYABLE_SQLSTATE_CLASSES)
        )
    # Refused, reset or timed-out connects: nothing was sent.
    return isinstance(error, OSError)


def store_error(action: str, error: BaseException) -> StoreError:
    """Name what went wrong in words a log reader (and the service's reply) can use."""
    detail = describe(getattr(error, "orig", None) or error)
    lowered = detail.lower()
    code = sqlstate(error) or ""
    if isinstance(error, sa_exc.IntegrityError) or code.startswith("23"):
        return StoreError(f"cannot {action}: {detail}", kind="integrity")
    if isinstance(error, sa_exc.TimeoutError):
        return StoreError(f"cannot {action}: no free database connection ({detail})")
    if code in ("40001", "40P01", "55P03") or "locked" in lowered or "busy" in lowered:
        return StoreError(
            f"cannot {action}: the database is locked by another writer ({detail})", kind="locked"
        )
    if code == "25006" or "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return StoreError(
            f"cannot {action}: the database is read-only ({detail})", kind="read_only"
        )
    if code == "42P01" or "no such table" in lowered:
        return StoreError(
            f"cannot {action}: the database is not migrated; run `silentgod db upgrade` ({detail})"
        )
    if isinstance(error, OSError) or (
        isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    ):
        return StoreError(f"cannot {action}: cannot reach the database ({detail})")
    return StoreError(f"cannot {action}: the database is unavailable ({detail})")


def describe(error: object) -> str:
    """One line for a driver error: the first line of its message, else its type."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


async def retrying(
    action: str,
    work: Callable[[], Awaitable[T]],
    *,
    retries: int = DEFAULT_RETRIES,
    base_delay_s: float = RETRY_BASE_DELAY_S,
) -> T:
    """Run ``work`` (one whole transaction), again on a retryable failure; map the rest.

    ``work`` must be safe to run twice whenever it raised: a caller whose commit is not
    idempotent commits through :func:`commit_once`, whose failure is never retried.
    """
    attempt = 0
    while True:
        try:
            return await work()
        except (sa_exc.DBAPIError, sa_exc.TimeoutError, OSError) as error:
            if attempt < retries and is_retryable(error):
                delay = base_delay_s * 2**attempt
                attempt += 1
                logger.info(
                    "retrying (%d of %d) in %.2f s: cannot %s: %s",
                    attempt,
                    retries,
                    delay,
                    action,
                    describe(error),
                )
                await asyncio.sleep(delay)
                continue
            mapped = store_error(action, error)
            logger.warning("%s", mapped)
            raise mapped from error


async def commit_once(session: AsyncSession, action: str) -> None:
    """Commit a transaction that must not run twice: a lost COMMIT may have been applied."""
    try:
        await session.commit()
    except (sa_exc.DBAPIError, OSError) as error:
        if not is_retryable(error) or sqlstate(error) in ("40001", "40P01"):
            # Rolled back for certain (a constraint, a serialization failure): map it as usual,
            # and a retryable one may run again.
            raise
        mapped = StoreError(
            f"cannot {action}: the connection was lost while committing; "
            f"the change may or may not be stored ({store_error(action, error)})"
        )
        logger.warning("%s", mapped)
        raise mapped from error
