"""The update processor: chats answered concurrently, each chat in order, floods capped."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.telegram.processor import ChatOrderedProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_one_chat_in_order_other_chats_not_stalled() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=16, per_chat_backlog=8)
    done: list[str] = []
    release = asyncio.Event()

    async def slow(name: str) -> None:
        await release.wait()
        done.append(name)

    async def quick(name: str) -> None:
        done.append(name)

    async with processor:
        first = asyncio.create_task(processor.process_update(_update(1, 10), slow("a1")))
        second = asyncio.create_task(processor.process_update(_update(2, 10), quick("a2")))
        other = asyncio.create_task(processor.process_update(_update(3, 20), quick("b1")))
        await asyncio.wait_for(other, 1)
        assert done == ["b1"]  # chat 20 answered while chat 10 is still thinking
        release.set()
        await asyncio.gather(first, second)
    assert done == ["b1", "a1", "a2"]  # chat 10 kept its order
    assert not processor._locks and not processor._waiting  # nothing left behind


async def test_a_flooding_chat_loses_its_surplus() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=64, per_chat_backlog=3)
    release = asyncio.Event()
    handled: list[int] = []

    async def work(index: int) -> None:
        await release.wait()
        handled.append(index)

    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(_update(i, 10), work(i))) for i in range(6)
        ]
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(*tasks)
    assert handled == [0, 1, 2]


async def test_updates_without_a_chat_run_freely() -> None:
    processor = ChatOrderedProcessor()
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    async with processor:
        await processor.process_update(Update(1), work())
    assert ran.is_set()


async def test_updates_owed_after_a_restart_are_no_flood() -> None:
    """What the bot stored before a crash is handled however much of it one chat has."""
    replayed = set(range(6))
    processor = ChatOrderedProcessor(
        max_concurrent_updates=64, per_chat_backlog=3, replayed=replayed.__contains__
    )
    release = asyncio.Event()
    handled: list[int] = []

    async def work(index: int) -> None:
        await release.wait()
        handled.append(index)

    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(_update(i, 10), work(i))) for i in range(6)
        ]
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(*tasks)
    assert handled == list(range(6))
