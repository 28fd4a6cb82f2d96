"""Retention: exchanges older than ``[storage] retention_days`` are deleted, a batch at a time,
and so are the raw updates kept for delivery once they were settled that long ago.

Each batch is its own short transaction (``[storage] delete_batch`` messages and the answers to
them, or as many raw updates), with a pause for the event loop between batches, so pruning a
year of history never holds SQLite's single write lock long enough to stall another chat's
answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.erasure import delete_with_answers, run_in_batches
from core.storage.errors import DEFAULT_RETRIES
from core.storage.models import IntakeEvent, Message

logger = logging.getLogger(__name__)

PRUNE_BATCH = 500  # the default of [storage] delete_batch
PRUNE_EVERY_S = 3600.0


def cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    """The moment before which exchanges are deleted."""
    return (now or datetime.now(UTC)) - timedelta(days=retention_days)


async def prune(
    sessions: async_sessionmaker[AsyncSession],
    before: datetime,
    *,
    batch: int = PRUNE_BATCH,
    retries: int = DEFAULT_RETRIES,
) -> int:
    """Delete every message stored before ``before`` (with the answers to those questions),
    ``batch`` messages per transaction; returns how many messages went."""

    async def one_batch() -> int:
        async with sessions.begin() as session:
            # By id: the oldest rows come first, so the scan stops after ``batch`` matches.
            ids = list(
                (
                    await session.execute(
                        select(Message.id)
                        .where(Message.created_at < before)
                        .order_by(Message.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            answers = await delete_with_answers(session, ids) if ids else 0
        return len(ids) + answers

    total = await run_in_batches("prune old exchanges", one_batch, retries)
    updates = await prune_updates(sessions, before, batch=batch, retries=retries)
    if total or updates:
        logger.info(
            "retention: deleted %d messages and %d settled raw updates from before %s",
            total,
            updates,
            before.isoformat(),
        )
    return total


async def prune_updates(
    sessions: async_sessionmaker[AsyncSession],
    before: datetime,
    *,
    batch: int = PRUNE_BATCH,
    retries: int = DEFAULT_RETRIES,
) -> int:
    """Delete the raw updates settled before ``before`` (pending ones stay: they are still to
    be answered), ``batch`` per transaction; returns how many went."""

    async def one_batch() -> int:
        async with sessions.begin() as session:
            ids = list(
                (
                    await session.execute(
                        select(IntakeEvent.id)
                        .where(IntakeEvent.status != "pending", IntakeEvent.settled_at < before)
                        .order_by(IntakeEvent.id)
                        .limit(batch)
                    )
                ).scalars()
            )
            if ids:
                await session.execute(delete(IntakeEvent).where(IntakeEvent.id.in_(ids)))
        return len(ids)

    return await run_in_batches("prune old raw updates", one_batch, retries)


async def prune_forever(
    sessions: async_sessionmaker[AsyncSession],
    retention_days: int,
    *,
    every_s: float = PRUNE_EVERY_S,
    clock: Callable[[], datetime] | None = None,
    retries: int = DEFAULT_RETRIES,
    batch: int = PRUNE_BATCH,
) -> None:
    """Prune now and then every ``every_s`` seconds until cancelled (``silentgod run``)."""
    while True:
        try:
            before = cutoff(retention_days, clock() if clock else None)
            await prune(sessions, before, batch=batch, retries=retries)
        except Exception as error:  # the store may be down for a while; try again later
            logger.error("retention: pruning failed: %s", error)
        await asyncio.sleep(every_s)
