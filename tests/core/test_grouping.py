"""Group commit: calls that arrive together share one run of the batch function."""

from __future__ import annotations

import asyncio

import pytest

from core.grouping import GroupedCall


async def test_concurrent_calls_share_a_batch_and_get_their_own_results() -> None:
    batches: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0.01)
        return [item * 2 for item in items]

    grouped = GroupedCall(double, name="double")
    results = await asyncio.gather(*(grouped(i) for i in range(50)))
    await grouped.close()

    assert results == [i * 2 for i in range(50)]
    assert sum(len(batch) for batch in batches) == 50
    assert len(batches) <= 2  # the first caller may start alone; everyone else shares


async def test_items_arriving_during_a_batch_form_the_next_one() -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    batches: list[list[str]] = []

    async def slow(items: list[str]) -> list[str]:
        batches.append(items)
        started.set()
        await release.wait()
        return [item.upper() for item in items]

    grouped = GroupedCall(slow, name="slow")
    first = asyncio.create_task(grouped("a"))
    await started.wait()
    later = [asyncio.create_task(grouped(x)) for x in "bcd"]
    await asyncio.sleep(0)
    assert grouped.waiting == 3
    release.set()
    assert await first == "A"
    assert [await task for task in later] == ["B", "C", "D"]
    assert batches == [["a"], ["b", "c", "d"]]
    await grouped.close()


async def test_max_group_splits_big_waves() -> None:
    sizes: list[int] = []

    async def count(items: list[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0)
        return items

    grouped = GroupedCall(count, name="count", max_group=4)
    assert await asyncio.gather(*(grouped(i) for i in range(10))) == list(range(10))
    assert max(sizes) <= 4 and sum(sizes) == 10
    await grouped.close()


async def test_a_failing_batch_fails_its_callers_and_the_next_batch_still_runs() -> None:
    async def picky(items: list[int]) -> list[int]:
        if 13 in items:
            raise RuntimeError("unlucky batch")
        return items

    grouped = GroupedCall(picky, name="picky")
    outcomes = await asyncio.gather(grouped(13), grouped(1), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await grouped(2) == 2  # the worker survived
    await grouped.close()


async def test_a_batch_with_the_wrong_number_of_results_is_an_error() -> None:
    async def lossy(items: list[int]) -> list[int]:
        return items[:-1]

    grouped = GroupedCall(lossy, name="lossy")
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        await grouped(1)
    await grouped.close()


async def test_close_lets_waiting_items_finish() -> None:
    async def echo(items: list[int]) -> list[int]:
        await asyncio.sleep(0.005)
        return items

    grouped = GroupedCall(echo, name="echo")
    tasks = [asyncio.create_task(grouped(i)) for i in range(5)]
    await asyncio.sleep(0)
    await grouped.close()
    assert [await task for task in tasks] == list(range(5))
