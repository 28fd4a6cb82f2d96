"""The counts of quotas and /stats, on SQLite and PostgreSQL (``store`` is parametrised)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from core.storage import SqlStore
from core.storage.models import Message
from core.storage.records import NewMessage
from core.storage.stats import StatsStore

TODAY = date(2026, 12, 6)


def stats_of(store: SqlStore) -> StatsStore:
    return StatsStore(store.sessions, retries=store.retries)


async def test_usage_counts_atomically_per_user_day_and_kind(store: SqlStore) -> None:
    alice = await store.ensure_user("telegram", "1", "alice")
    bob = await store.ensure_user("telegram", "2", "bob")
    stats = stats_of(store)
    # 40 increments at once from one event loop (several connections on PostgreSQL): none lost
    counts = await asyncio.gather(
        *(stats.count_usage(alice.id, TODAY, "answer") for _ in range(40))
    )
    assert sorted(counts) == list(range(1, 41))
    assert await stats.count_usage(alice.id, TODAY, "field") == 1
    assert await stats.count_usage(alice.id, TODAY + timedelta(days=1), "answer") == 1
    assert await stats.count_usage(bob.id, TODAY, "answer") == 1
    await stats.uncount_usage(alice.id, TODAY, "answer")
    assert await stats.usage(alice.id, TODAY, "answer") == 39
    assert await stats.usage(bob.id, TODAY - timedelta(days=1), "answer") == 0
    await stats.uncount_usage(bob.id, TODAY - timedelta(days=1), "answer")  # nothing to give
    assert await stats.usage(bob.id, TODAY - timedelta(days=1), "answer") == 0


async def _exchange(
    store: SqlStore, chat_external: str, user_external: str, when: datetime
) -> None:
    chat = await store.ensure_chat("telegram", chat_external, "group")
    user = await store.ensure_user("telegram", user_external)
    [question] = await store.add_messages(
        [NewMessage(chat.id, user.id, "user", "?", "⚗", "glyph", "en")]
    )
    [answer] = await store.add_messages(
        [NewMessage(chat.id, None, "god", "!", "🜂", "glyph", "en", reply_to_id=question)]
    )
    async with store.sessions.begin() as session:
        await session.execute(
            update(Message).where(Message.id.in_([question, answer])).values(created_at=when)
        )


async def test_stats_count_users_chats_answers_and_the_busiest_chats(store: SqlStore) -> None:
    noon = datetime(2026, 12, 6, 12, tzinfo=UTC)
    for chat, n in (("-100", 3), ("-200", 1), ("-300", 2), ("-400", 1), ("-500", 1), ("-600", 5)):
        for i in range(n):
            await _exchange(store, chat, f"u{i}", noon)
    await _exchange(store, "-200", "u0", noon - timedelta(days=3))  # this week, not today
    await _exchange(store, "-700", "u9", noon - timedelta(days=8))  # before the week
    stats = await stats_of(store).stats(TODAY)
    assert (stats.users, stats.chats) == (6, 7)  # u0..u4 and u9
    assert (stats.answers_today, stats.answers_7_days) == (13, 14)
    busiest = [(c.external_id, c.answers) for c in stats.busiest]
    assert busiest == [("-600", 5), ("-100", 3), ("-200", 2), ("-300", 2), ("-400", 1)]
    assert stats.as_json()["busiest"][0] == {
        "platform": "telegram",
        "external_id": "-600",
        "title": None,
        "answers": 5,
    }


async def test_stats_of_an_empty_store(store: SqlStore) -> None:
    stats = await stats_of(store).stats(TODAY)
    assert stats.as_json() == {
        "users": 0,
        "chats": 0,
        "answers_today": 0,
        "answers_7_days": 0,
        "busiest": [],
    }
