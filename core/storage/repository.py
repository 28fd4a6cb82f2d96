"""The conversation store's front door: the seam, its SQL implementation and ``open_store``.

The pieces live in their own modules (``protocol``, ``store``, ``conversations``,
``errors``); this one keeps the import path the core and the command line use.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL

from core.storage import migrate
from core.storage.engine import DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_POOL_SIZE
from core.storage.erasure import DELETE_BATCH
from core.storage.errors import DEFAULT_RETRIES
from core.storage.protocol import ConversationStore
from core.storage.store import SqlStore

logger = logging.getLogger(__name__)

__all__ = ["ConversationStore", "SqlStore", "open_store"]


async def open_store(
    url: str | URL,
    *,
    upgrade: bool = True,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    pool_size: int = DEFAULT_POOL_SIZE,
    pool_pre_ping: bool = True,
    retries: int = DEFAULT_RETRIES,
    delete_batch: int = DELETE_BATCH,
) -> SqlStore:
    """Migrate the database at ``url`` (unless ``upgrade`` is False) and open a store on it.

    Every failure (a bad URL, a missing driver, an unreachable server, a failed
    migration) raises StoreError with a one-line message; a password is never shown.
    """
    if upgrade:
        await migrate.upgrade(url, busy_timeout_ms=busy_timeout_ms)
    return SqlStore.from_url(
        url,
        busy_timeout_ms=busy_timeout_ms,
        pool_size=pool_size,
        pool_pre_ping=pool_pre_ping,
        retries=retries,
        delete_batch=delete_batch,
    )
