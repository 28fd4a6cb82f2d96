"""/export and /forget all in the store: everything of one person, nothing of anyone else's,
deleted in bounded batches (each its own transaction), on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select, update

from core.storage import SqlStore
from core.storage.erasure import erase_user, forget_in_chat
from core.storage.export import write_export
from core.storage.intake import Delivered, IntakeStore
from core.storage.models import IntakeEvent, Message, Usage
from core.storage.retention import prune, prune_updates
from tests.storage.helpers import add_answer, add_question, rows_mentioning

ALICE, BOB = "1001", "2002"
ALICE_NAME, BOB_NAME = "alice_wonder", "bob_builder"


@contextmanager
def commits(store: SqlStore) -> Iterator[list[int]]:
    """Count the transactions committed on the store's engine while the block runs."""
    engine = store.sessions.kw["bind"].sync_engine
    seen: list[int] = []

    def on_commit(connection: object) -> None:
        seen.append(1)

    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", on_commit)


async def _world(store: SqlStore) -> dict[str, int]:
    """Alice asks in a group, her private chat and another group; Bob asks in the group too;
    each sent raw updates that the intake keeps."""
    group = await store.ensure_chat("telegram", "-100", "group", "Seekers")
    private = await store.ensure_chat("telegram", ALICE, "private", ALICE_NAME)
    other = await store.ensure_chat("telegram", "-200", "group", "Others")
    alice = await store.ensure_user("telegram", ALICE, ALICE_NAME, "en")
    bob = await store.ensure_user("telegram", BOB, BOB_NAME, "ru")
    for n in range(7):
        chat = (group, private, other)[n % 3]
        question = await add_question(store, chat.id, alice.id, f"alice asks {n}")
        await add_answer(store, chat.id, question, f"🜂{n}")
    for n in range(3):
        question = await add_question(store, group.id, bob.id, f"bob asks {n}")
        await add_answer(store, group.id, question, f"🜄{n}")
    intake = IntakeStore(store.sessions, "telegram", "4242")
    updates = [
        Delivered(str(n), "-100", json.dumps({"from": {"id": int(who), "username": name}}), who)
        for n, (who, name) in enumerate([(ALICE, ALICE_NAME), (BOB, BOB_NAME)] * 3)
    ]
    await intake.receive(updates)
    async with store.sessions.begin() as session:
        session.add(Usage(user_id=alice.id, day=datetime.now(UTC).date(), kind="answer", count=3))
    return {"alice": alice.id, "bob": bob.id, "group": group.id, "private": private.id}


async def _export(store: SqlStore, who: str, page: int = 2) -> dict:
    out = io.BytesIO()
    await write_export(store.sessions, "telegram", who, out, page=page)
    return json.loads(out.getvalue())


async def test_export_holds_every_message_of_the_user_and_none_of_anyone_else(
    store: SqlStore,
) -> None:
    await _world(store)
    exported = await _export(store, ALICE, page=2)  # four pages of exchanges
    assert exported["user"] == {
        "id": ALICE,
        "name": ALICE_NAME,
        "language_code": "en",
        "first_seen": exported["user"]["first_seen"],
    }
    questions = [e["question"] for e in exported["exchanges"]]
    assert questions == [f"alice asks {n}" for n in range(7)]
    assert [a["glyphs"] for e in exported["exchanges"] for a in e["answers"]] == [
        f"🜂{n}" for n in range(7)
    ]
    assert {c["id"] for c in exported["chats"]} == {"-100", ALICE, "-200"}
    assert {c["title"] for c in exported["chats"]} == {"Seekers", ALICE_NAME, "Others"}
    assert [u["payload"]["from"]["id"] for u in exported["raw_updates"]] == [int(ALICE)] * 3
    document = json.dumps(exported, ensure_ascii=False)
    assert "bob" not in document and BOB not in document and "🜄" not in document

    nobody = await _export(store, "999")
    assert nobody["exchanges"] == [] and nobody["raw_updates"] == []
    assert nobody["user"] == {"id": "999", "stored": False}


async def test_forget_all_leaves_no_row_mentioning_the_user(store: SqlStore) -> None:
    ids = await _world(store)
    assert await rows_mentioning(
        store.sessions, ALICE, ALICE_NAME, "alice"
    )  # the search finds them
    with commits(store) as seen:
        erased = await erase_user(store.sessions, "telegram", ALICE, batch=2)
    assert erased.messages == 7 and erased.updates == 3 and erased.user
    assert len(erased.chats) == 3
    # 7 questions in batches of 2 (4 + an empty look), a private chat's leftovers (1), the
    # updates (2 + 1), the last step (1): many short transactions, none holding everything
    assert len(seen) >= 8
    assert await rows_mentioning(store.sessions, ALICE, ALICE_NAME, "alice") == []
    async with store.sessions() as session:
        assert not list(await session.scalars(select(Usage.id)))
        left = list(await session.scalars(select(Message.text).where(Message.role == "user")))
    assert left == [f"bob asks {n}" for n in range(3)]  # Bob keeps everything of his
    bob = await _export(store, BOB)
    assert len(bob["exchanges"]) == 3 and len(bob["raw_updates"]) == 3
    assert (await store.ensure_chat("telegram", "-100", "group")).id == ids["group"]
    again = await erase_user(store.sessions, "telegram", ALICE)
    assert again.messages == 0 and not again.user


async def test_forget_in_one_chat_goes_in_batches(store: SqlStore) -> None:
    ids = await _world(store)
    with commits(store) as seen:
        forgotten = await forget_in_chat(store.sessions, ids["group"], ids["alice"], batch=1)
    assert forgotten == 3
    assert len(seen) == 4  # one transaction per question, and the last look that finds none
    assert len((await _export(store, ALICE))["exchanges"]) == 4
    store.delete_batch = 1
    assert await store.forget(ids["private"], ids["alice"]) == 2


async def test_pruning_goes_in_batches_and_takes_settled_raw_updates(store: SqlStore) -> None:
    await _world(store)
    old = datetime.now(UTC) - timedelta(days=40)
    intake = IntakeStore(store.sessions, "telegram", "4242")
    await intake.settle(["0", "1", "2", "3"], "handled")
    async with store.sessions.begin() as session:
        await session.execute(update(Message).values(created_at=old))
        await session.execute(
            update(IntakeEvent).where(IntakeEvent.status != "pending").values(settled_at=old)
        )
    before = datetime.now(UTC) - timedelta(days=30)
    with commits(store) as seen:
        deleted = await prune(store.sessions, before, batch=3)
    assert deleted == 20  # ten questions, ten answers
    assert len(seen) >= 20 // 3 + 4 // 3  # batches of three, each its own transaction
    async with store.sessions() as session:
        kept = list(await session.scalars(select(IntakeEvent.event_id).order_by(IntakeEvent.id)))
    assert kept == ["4", "5"]  # still pending: still to be answered
    assert await prune_updates(store.sessions, before) == 0


async def test_export_reads_a_page_at_a_time(store: SqlStore) -> None:
    ids = await _world(store)
    for n in range(7, 25):
        await add_question(store, ids["group"], ids["alice"], f"alice asks {n}")
    engine = store.sessions.kw["bind"].sync_engine
    fetched: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "FROM messages" in statement and "LIMIT" in statement:  # a page of questions
            fetched.append(1)

    event.listen(engine, "after_cursor_execute", count)
    try:
        exported = await _export(store, ALICE, page=5)
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert len(exported["exchanges"]) == 25
    assert len(fetched) == 6  # five pages of five questions, and the look that finds none
