"""The intake: what the platforms delivered, stored before it is confirmed, until it is settled.

A Telegram update is written here before the ``getUpdates`` offset (or the webhook's HTTP
200) confirms it; a Discord message or interaction before it is answered. Each stays
"pending" until it is settled: handled, refused by a documented limit, dropped (its chat is
gone) or expired (too old to answer). A restart handles what is still pending, so nothing
confirmed is ever lost. Settling is grouped: one transaction per burst, not per update.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.errors import commit_once, retrying
from core.storage.models import Chat, IntakeEvent

logger = logging.getLogger(__name__)

Settled = Literal["handled", "refused", "dropped", "expired"]


@dataclass(frozen=True, slots=True)
class Delivered:
    """One update or event as it arrived."""

    event_id: str
    chat_external_id: str | None
    payload: str
    user_external_id: str | None = None  # the sender, so that /forget all finds it


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """A stored event that was not settled yet."""

    id: int
    event_id: str
    chat_external_id: str | None
    payload: str
    received_at: datetime


class IntakeStore:
    """The intake of one platform's bot (``platform``, ``bot``) on the store's database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platform: str,
        bot: str,
        *,
        retries: int = 3,
    ) -> None:
        self._sessions = sessions
        self.platform = platform
        self.bot = bot
        self.retries = retries

    def _insert(self, dialect: str):  # type: ignore[no-untyped-def]
        module = postgresql if dialect == "postgresql" else sqlite
        return module.insert(IntakeEvent.__table__)

    async def receive(self, events: Sequence[Delivered]) -> list[str]:
        """Store ``events`` in one transaction; returns the ids of those not seen before."""
        if not events:
            return []
        now = datetime.now(UTC)
        rows = [
            {
                "platform": self.platform,
                "bot": self.bot,
                "event_id": e.event_id,
                "chat_external_id": e.chat_external_id,
                "user_external_id": e.user_external_id,
                "payload": e.payload,
                "status": "pending",
                "received_at": now,
            }
            for e in events
        ]
        table = IntakeEvent.__table__

        async def work() -> list[str]:
            async with self._sessions() as session:
                dialect = session.get_bind().dialect.name
                statement = (
                    self._insert(dialect)
                    .on_conflict_do_nothing(index_elements=["platform", "bot", "event_id"])
                    .returning(table.c.event_id)
                )
                result = await session.execute(statement, rows)
                new = list(result.scalars())
                # which rows are new is known only from this answer: never run it twice
                await commit_once(session, "store received updates")
            return new

        return await retrying("store received updates", work, retries=self.retries)

    async def settle(self, event_ids: Sequence[str], status: Settled) -> None:
        """Mark events handled, refused, dropped or expired (pending ones only)."""
        await self._update(
            "settle received updates",
            event_ids,
            IntakeEvent.status == "pending",
            status=status,
        )

    async def forget(self, event_ids: Sequence[str]) -> None:
        """Keep nothing of events whose sender ``[access]`` refused: the payload, sender and
        chat are blanked and the event is settled as refused (its id stays, so that a
        redelivery is still known as seen)."""
        await self._update(
            "forget refused updates",
            event_ids,
            payload="",
            chat_external_id=None,
            user_external_id=None,
            status="refused",
        )

    async def _update(
        self, action: str, event_ids: Sequence[str], *only: ColumnElement[bool], **values: object
    ) -> None:
        """Set ``values`` (and the settling time) on these events of this bot, in one
        transaction, where ``only`` holds too."""
        if not event_ids:
            return
        statement = (
            update(IntakeEvent)
            .where(
                IntakeEvent.platform == self.platform,
                IntakeEvent.bot == self.bot,
                IntakeEvent.event_id.in_(list(event_ids)),
                *only,
            )
            .values(**values, settled_at=datetime.now(UTC))
        )

        async def work() -> None:
            async with self._sessions.begin() as session:
                await session.execute(statement)

        await retrying(action, work, retries=self.retries)

    async def pending(self, limit: int = 10_000) -> list[PendingEvent]:
        """What was received but never settled, oldest first."""
        statement = (
            select(IntakeEvent)
            .where(
                IntakeEvent.platform == self.platform,
                IntakeEvent.bot == self.bot,
                IntakeEvent.status == "pending",
            )
            .order_by(IntakeEvent.id)
            .limit(limit)
        )

        async def work() -> list[PendingEvent]:
            async with self._sessions() as session:
                return [
                    PendingEvent(r.id, r.event_id, r.chat_external_id, r.payload, r.received_at)
                    for r in await session.scalars(statement)
                ]

        return await retrying("read pending updates", work, retries=self.retries)

    async def newest(self) -> str | None:
        """The event id received last, if any."""
        statement = (
            select(IntakeEvent.event_id)
            .where(IntakeEvent.platform == self.platform, IntakeEvent.bot == self.bot)
            .order_by(IntakeEvent.id.desc())
            .limit(1)
        )

        async def work() -> str | None:
            async with self._sessions() as session:
                return await session.scalar(statement)

        return await retrying("read the newest received update", work, retries=self.retries)

    async def chat_gone(self, chat_external_id: str) -> int:
        """The bot was blocked or removed from a chat: mark it, drop its pending events."""
        now = datetime.now(UTC)

        async def work() -> int:
            async with self._sessions.begin() as session:
                await session.execute(
                    update(Chat)
                    .where(Chat.platform == self.platform, Chat.external_id == chat_external_id)
                    .values(status="gone", updated_at=now)
                )
                result = await session.execute(
                    update(IntakeEvent)
                    .where(
                        IntakeEvent.platform == self.platform,
                        IntakeEvent.bot == self.bot,
                        IntakeEvent.chat_external_id == chat_external_id,
                        IntakeEvent.status == "pending",
                    )
                    .values(status="dropped", settled_at=now)
                )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

        dropped = await retrying("mark a chat gone", work, retries=self.retries)
        logger.warning(
            "%s chat %s blocked or removed the bot: %d pending updates dropped",
            self.platform,
            chat_external_id,
            dropped,
        )
        return dropped

    async def chat_moved(self, old_external_id: str, new_external_id: str) -> bool:
        """A group became a supergroup: its settings and history follow it to the new id."""

        async def work() -> bool:
            async with self._sessions.begin() as session:
                taken = await session.scalar(
                    select(Chat.id).where(
                        Chat.platform == self.platform, Chat.external_id == new_external_id
                    )
                )
                if taken is not None:
                    return False
                result = await session.execute(
                    update(Chat)
                    .where(Chat.platform == self.platform, Chat.external_id == old_external_id)
                    .values(external_id=new_external_id, updated_at=datetime.now(UTC))
                )
            return bool(result.rowcount)  # type: ignore[attr-defined]

        return await retrying("move a chat", work, retries=self.retries)
