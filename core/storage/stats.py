"""What the owners' /stats and the daily quotas read and write: counts over the whole store.

``count_usage`` is one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, the
same statement on SQLite and PostgreSQL), so two processes answering one user never lose a
count. The counts of /stats are plain aggregates; they scan the messages of the last week,
which is fine for a command an owner runs now and then.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.storage.errors import commit_once, retrying
from core.storage.models import Chat, Message, Usage, User

BUSIEST = 5


@dataclass(frozen=True, slots=True)
class BusyChat:
    """One chat and how many answers the god gave there in the last 7 days."""

    platform: str
    external_id: str
    title: str | None
    answers: int


@dataclass(frozen=True, slots=True)
class StoreStats:
    """The store's side of /stats (the process adds latency and queue depth)."""

    users: int
    chats: int
    answers_today: int
    answers_7_days: int
    busiest: tuple[BusyChat, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values."""
        data = asdict(self)
        data["busiest"] = [asdict(chat) for chat in self.busiest]
        return data


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class StatsStore:
    """Usage counts and /stats over the store's sessions."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, retries: int = 3) -> None:
        self._sessions = sessions
        self.retries = retries

    async def count_usage(self, user_id: int, day: date, kind: str, delta: int = 1) -> int:
        """Add ``delta`` to the user's count of ``kind`` on ``day``; the count afterwards."""
        table = Usage.__table__

        async def work() -> int:
            async with self._sessions() as session:
                dialect = session.get_bind().dialect.name
                module = postgresql if dialect == "postgresql" else sqlite
                statement = (
                    module.insert(table)
                    .values(user_id=user_id, day=day, kind=kind, count=delta)
                    .on_conflict_do_update(
                        index_elements=["user_id", "day", "kind"],
                        set_={"count": table.c.count + delta},
                    )
                    .returning(table.c.count)
                )
                count = int((await session.execute(statement)).scalar_one())
                # an increment must never be applied twice by a retry after an unknown commit
                await commit_once(session, "count usage")
            return count

        return await retrying("count usage", work, retries=self.retries)

    async def uncount_usage(self, user_id: int, day: date, kind: str) -> None:
        """Give one back (the answer that was counted failed)."""
        statement = (
            update(Usage)
            .where(Usage.user_id == user_id, Usage.day == day, Usage.kind == kind, Usage.count > 0)
            .values(count=Usage.count - 1)
        )

        async def work() -> None:
            async with self._sessions() as session:
                await session.execute(statement)
                await commit_once(session, "give usage back")

        await retrying("give usage back", work, retries=self.retries)

    async def usage(self, user_id: int, day: date, kind: str) -> int:
        """The user's count of ``kind`` on ``day`` (0 when none)."""
        statement = select(Usage.count).where(
            Usage.user_id == user_id, Usage.day == day, Usage.kind == kind
        )

        async def work() -> int:
            async with self._sessions() as session:
                return int(await session.scalar(statement) or 0)

        return await retrying("read usage", work, retries=self.retries)

    async def stats(self, today: date) -> StoreStats:
        """Users, chats, the god's answers today and in the 7 days up to today, busiest chats."""
        since_today = day_start(today)
        since_week = since_today - timedelta(days=6)
        answers = select(func.count(Message.id)).where(Message.role == "god")
        busiest = (
            select(Chat.platform, Chat.external_id, Chat.title, func.count(Message.id))
            .join(Message, Message.chat_id == Chat.id)
            .where(Message.role == "god", Message.created_at >= since_week)
            .group_by(Chat.id, Chat.platform, Chat.external_id, Chat.title)
            .order_by(func.count(Message.id).desc(), Chat.id)
            .limit(BUSIEST)
        )

        async def work() -> StoreStats:
            async with self._sessions() as session:
                users = await session.scalar(select(func.count(User.id)))
                chats = await session.scalar(select(func.count(Chat.id)))
                today_count = await session.scalar(answers.where(Message.created_at >= since_today))
                week_count = await session.scalar(answers.where(Message.created_at >= since_week))
                rows = (await session.execute(busiest)).all()
            return StoreStats(
                int(users or 0),
                int(chats or 0),
                int(today_count or 0),
                int(week_count or 0),
                tuple(BusyChat(r[0], r[1], r[2], int(r[3])) for r in rows),
            )

        return await retrying("read stats", work, retries=self.retries)
