"""The batching worker: batches, bounds, timeouts and failure isolation."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from core.model.god import Request
from core.model.runner import GodBusy, GodFailed, GodRunner, GodTimeout


class Recorder:
    """A stand-in model: answers each question with itself, remembering batches and threads."""

    def __init__(self, delay: float = 0.0, poison: str | None = None) -> None:
        self.batches: list[int] = []
        self.threads: set[int] = set()
        self.delay = delay
        self.poison = poison

    def __call__(self, requests: Sequence[Request]) -> list[tuple[str, ...]]:
        self.threads.add(threading.get_ident())
        self.batches.append(len(requests))
        if self.delay:
            time.sleep(self.delay)
        if self.poison and any(self.poison in r.question for r in requests):
            raise RuntimeError("poisoned question")
        return [r.question for r in requests]


async def test_concurrent_requests_are_batched_off_the_loop() -> None:
    model = Recorder(delay=0.02)
    async with GodRunner(model, batch_max=64, batch_wait_ms=5) as runner:
        answers = await asyncio.gather(
            *(runner.ask(Request((f"q{i}",)), f"user{i}") for i in range(100))
        )
    assert answers == [(f"q{i}",) for i in range(100)]
    assert max(model.batches) > 1 and len(model.batches) < 100
    assert max(model.batches) <= 64
    assert threading.get_ident() not in model.threads and len(model.threads) == 1


async def test_full_queue_answers_busy_at_once() -> None:
    model = Recorder(delay=0.2)
    async with GodRunner(model, batch_max=1, batch_wait_ms=0, queue_size=2) as runner:
        first = asyncio.create_task(runner.ask(Request(("a",))))
        await asyncio.sleep(0.05)  # the worker is now busy with "a"
        queued = [asyncio.create_task(runner.ask(Request((q,)))) for q in "bc"]
        await asyncio.sleep(0)
        started = time.perf_counter()
        with pytest.raises(GodBusy):
            await runner.ask(Request(("d",)))
        assert time.perf_counter() - started < 0.05
        assert await first == ("a",)
        assert [await q for q in queued] == [("b",), ("c",)]
        assert runner.stats.refused == 1


async def test_one_user_cannot_flood() -> None:
    model = Recorder(delay=0.1)
    async with GodRunner(model, per_user_inflight=2, batch_wait_ms=1) as runner:
        mine = [asyncio.create_task(runner.ask(Request((f"m{i}",)), "greedy")) for i in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(GodBusy):
            await runner.ask(Request(("m3",)), "greedy")
        assert await runner.ask(Request(("other",)), "polite") == ("other",)
        await asyncio.gather(*mine)
        assert await runner.ask(Request(("again",)), "greedy") == ("again",)


async def test_slow_answers_time_out() -> None:
    model = Recorder(delay=0.3)
    async with GodRunner(model, timeout_s=0.05) as runner:
        with pytest.raises(GodTimeout):
            await runner.ask(Request(("slow",)))
        assert runner.stats.timed_out == 1


async def test_a_failing_request_fails_alone() -> None:
    model = Recorder(poison="bad")
    async with GodRunner(model, batch_wait_ms=20) as runner:
        results = await asyncio.gather(
            runner.ask(Request(("good1",))),
            runner.ask(Request(("bad",))),
            runner.ask(Request(("good2",))),
            return_exceptions=True,
        )
        assert results[0] == ("good1",) and results[2] == ("good2",)
        assert isinstance(results[1], GodFailed)
        assert await runner.ask(Request(("after",))) == ("after",), "the worker survives"


async def test_stop_drains_queued_answers() -> None:
    model = Recorder(delay=0.02)
    runner = GodRunner(model, batch_max=2, batch_wait_ms=0)
    await runner.start()
    pending = [asyncio.create_task(runner.ask(Request((f"q{i}",)))) for i in range(6)]
    await asyncio.sleep(0)
    await runner.stop()
    assert [await p for p in pending] == [(f"q{i}",) for i in range(6)]


async def test_jobs_of_other_kinds_share_the_queue_thread_and_bounds() -> None:
    god, echo = Recorder(), Recorder(poison="bad")
    async with GodRunner(god, per_user_inflight=2) as runner:
        runner.register("echo", lambda items: [item.upper() for item in items])
        runner.register("poisoned", lambda items: echo([Request((i,)) for i in items]))
        results = await asyncio.gather(
            *(runner.ask(Request((f"q{i}",))) for i in range(3)),
            *(runner.submit("echo", f"e{i}") for i in range(4)),
            *(runner.submit("poisoned", text) for text in ("ok", "bad", "fine")),
            return_exceptions=True,
        )
        assert results[:7] == [("q0",), ("q1",), ("q2",), "E0", "E1", "E2", "E3"]
        assert results[7] == ("ok",) and results[9] == ("fine",)
        assert isinstance(results[8], GodFailed)
        # One gathered batch: one batch per kind, the failing one retried one by one.
        assert runner.stats.kind_batches == {"god": 1, "echo": 1, "poisoned": 1}
        assert runner.stats.kind_largest == {"god": 3, "echo": 4, "poisoned": 3}
        assert echo.batches == [3, 1, 1, 1]
        assert god.threads == echo.threads and len(god.threads) == 1
        with pytest.raises(KeyError):
            await runner.submit("nobody", 1)
