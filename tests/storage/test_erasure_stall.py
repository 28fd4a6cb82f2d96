"""``/forget all`` of a user with 100 000 exchanges never stalls another chat on the same
SQLite file: the erasure goes in ``[storage] delete_batch`` batches with a pause after each, so
another chat's answer waits for the write lock one batch at most (tens of milliseconds), not
for the whole erasure (seconds in one transaction: it then waited 3-5 s or was refused).

What is bounded is the wait of the other chat's writes (its ``INSERT INTO messages``, where
SQLite makes a writer wait for the lock): the whole answer also runs the god, whose time on a
loaded machine says nothing about the lock."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event, func, insert, select

from core.service import GodService
from core.storage.models import Message
from core.types import Incoming

EXCHANGES = 100_000
# a batch of 500 holds the lock ~50 ms (at worst ~250 ms on a loaded machine); one transaction
# for all of them holds it for the whole erasure, 3-6 s
STALL_BOUND_S = 1.0
VICTIM = Incoming("telegram", "victim", "victim", "", user_name="victim")


def _other(n: int) -> Incoming:
    return Incoming("telegram", "bystander", "bystander", "🜂⧖🕯" if n % 2 else "⚗⟁🔥")


async def fill(service: GodService, exchanges: int = EXCHANGES) -> None:
    """``exchanges`` questions of the victim with an answer each, in two bulk inserts."""
    store = service.store
    chat = await store.ensure_chat("telegram", "victim", "private")
    user = await store.ensure_user("telegram", "victim", "victim")
    now = datetime.now(UTC)
    async with store.sessions.begin() as session:  # type: ignore[attr-defined]
        first = (await session.scalar(select(func.max(Message.id)))) or 0
        table = Message.__table__
        common = {"chat_id": chat.id, "mode": "glyph", "created_at": now}
        questions = [
            {**common, "id": first + 1 + 2 * n, "user_id": user.id, "role": "user",
             "text": f"question {n}", "glyphs": "🜂⧖🕯"}
            for n in range(exchanges)
        ]  # fmt: skip
        answers = [
            {**common, "id": first + 2 + 2 * n, "user_id": None, "role": "god",
             "text": "fire and time", "glyphs": "⟁☰☉⚭", "reply_to_id": first + 1 + 2 * n}
            for n in range(exchanges)
        ]  # fmt: skip
        await session.execute(insert(table), questions)
        await session.execute(insert(table), answers)


@dataclass
class Stall:
    """How the other chat fared while the victim was erased."""

    erase_s: float = 0.0  # how long the erasure took
    slowest_answer_s: float = 0.0  # the other chat's slowest answer, the god's time included
    slowest_write_s: float = 0.0  # the other chat's longest wait to store a message
    answered: int = 0
    refused: int = 0  # answers that failed (the store gave up waiting)


async def measure_stall(service: GodService) -> Stall:
    """Erase the victim while a bystander in another chat asks one question after another."""
    await service.answering.answer(_other(0))  # the bystander's chat and user exist
    stall = Stall()
    engine = service.store.sessions.kw["bind"].sync_engine  # type: ignore[attr-defined]
    started_at: dict[int, float] = {}

    def before(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.startswith("INSERT INTO messages"):
            started_at[id(cursor)] = time.perf_counter()

    def after(conn: object, cursor: object, statement: str, *args: object) -> None:
        if (began := started_at.pop(id(cursor), None)) is not None:
            stall.slowest_write_s = max(stall.slowest_write_s, time.perf_counter() - began)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        erasing = asyncio.create_task(service.privacy.erase(VICTIM))
        started = time.perf_counter()
        while not erasing.done():
            asked = time.perf_counter()
            reply = await service.answering.answer(_other(stall.answered))
            stall.slowest_answer_s = max(stall.slowest_answer_s, time.perf_counter() - asked)
            stall.answered += 1
            stall.refused += reply.kind not in ("answer", "silence")
        erased = await erasing
        stall.erase_s = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert erased.messages == EXCHANGES
    return stall


async def test_forget_all_of_100000_exchanges_never_stalls_another_chat(
    god_service: GodService,
) -> None:
    await fill(god_service)
    stall = await measure_stall(god_service)
    assert stall.refused == 0, stall
    assert stall.answered >= 5, stall  # the bystander was answered all along
    assert stall.slowest_write_s < STALL_BOUND_S, stall
    history = await god_service.store.recent_exchanges(
        await god_service.chats.chat(_other(0)), limit=5
    )
    assert len(history) == 5  # the bystander's exchanges are all still there
