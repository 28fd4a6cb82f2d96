"""The intake on both databases: received once, settled once, pending until settled."""

from __future__ import annotations

from core.storage import SqlStore
from core.storage.intake import Delivered, IntakeStore
from tests.storage.helpers import add_question


def intake(store: SqlStore, bot: str = "42") -> IntakeStore:
    return IntakeStore(store.sessions, "telegram", bot, retries=store.retries)


async def test_received_once_and_pending_until_settled(store: SqlStore) -> None:
    updates = intake(store)
    first = [Delivered(str(i), "7", f'{{"update_id": {i}}}') for i in (1, 2, 3)]
    assert await updates.receive(first) == ["1", "2", "3"]
    again = [Delivered("3", "7", "{}"), Delivered("4", "8", "{}")]
    assert await updates.receive(again) == ["4"], "a redelivered update is recognised"
    assert await intake(store, bot="43").receive([Delivered("1", "7", "{}")]) == ["1"]
    await updates.settle(["1", "2"], "handled")
    await updates.settle(["2"], "refused")  # settled once: the first word stands
    pending = await updates.pending()
    assert [p.event_id for p in pending] == ["3", "4"]
    assert pending[0].payload == '{"update_id": 3}' and pending[0].chat_external_id == "7"
    assert await updates.newest() == "4"


async def test_a_gone_chat_drops_its_pending_updates(store: SqlStore) -> None:
    updates = intake(store)
    await store.ensure_chat("telegram", "7", "group")
    await updates.receive([Delivered("1", "7", "{}"), Delivered("2", "8", "{}")])
    assert await updates.chat_gone("7") == 1
    assert [p.event_id for p in await updates.pending()] == ["2"]


async def test_a_moved_chat_keeps_its_history(store: SqlStore) -> None:
    updates = intake(store)
    chat = await store.ensure_chat("telegram", "-42", "group")
    user = await store.ensure_user("telegram", "1", "alice")
    await add_question(store, chat, user, "fire")
    assert await updates.chat_moved("-42", "-10042")
    moved = await store.ensure_chat("telegram", "-10042", "group")
    assert moved.id == chat.id
    assert len(await store.recent_exchanges(moved)) == 1
    assert not await updates.chat_moved("-10042", "-10042"), "the new id is taken"
