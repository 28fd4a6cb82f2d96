"""The god's worker: one thread owns the model; concurrent questions are answered in batches.

The event loop never runs torch. Requests wait in a bounded queue; whenever the model thread
is free, the dispatcher hands it every request that is waiting (up to ``batch_max``), so the
batches grow with the load while a lone question never waits: questions that arrive while one
batch is decoded form the next. ``batch_wait_ms`` > 0 makes a batch wait that long for company.
A full queue or a user with too many questions in flight is refused at once (``GodBusy``), a
request that takes too long is abandoned (``GodTimeout``), and a batch that raises is retried
one request at a time so that only the guilty request fails (``GodFailed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import torch

from core.language.oracle import Scene
from core.model.god import Request
from core.settings import BATCH_MAX, BATCH_WAIT_MS

logger = logging.getLogger(__name__)

BatchAnswerer = Callable[[Sequence[Request]], list[Scene]]
T = TypeVar("T")


class GodBusy(Exception):
    """The queue is full or this user already has too many questions in flight."""


class GodTimeout(Exception):
    """The answer did not come in time."""


class GodFailed(Exception):
    """The model failed on this request."""


@dataclass(slots=True)
class _Job:
    request: Request
    future: asyncio.Future[Scene]
    enqueued: float = field(default_factory=time.perf_counter)


@dataclass(slots=True)
class RunnerStats:
    """Counters for diagnostics and benchmarks."""

    batches: int = 0
    answered: int = 0
    failed: int = 0
    refused: int = 0
    timed_out: int = 0
    largest_batch: int = 0


class GodRunner:
    """Batches questions from every frontend into the one thread that owns the model."""

    def __init__(
        self,
        answer_batch: BatchAnswerer,
        *,
        batch_max: int = BATCH_MAX,
        batch_wait_ms: float = BATCH_WAIT_MS,
        queue_size: int = 512,
        per_user_inflight: int = 4,
        timeout_s: float = 15.0,
        torch_threads: int = 0,
    ) -> None:
        self._answer_batch = answer_batch
        self.batch_max = batch_max
        self.batch_wait = batch_wait_ms / 1000
        self.per_user_inflight = per_user_inflight
        self.timeout_s = timeout_s
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=queue_size)
        self._inflight: Counter[str] = Counter()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="god")
        self._torch_threads = torch_threads
        self._dispatcher: asyncio.Task[None] | None = None
        self._current: list[_Job] = []
        self._closing = False
        self.stats = RunnerStats()

    async def start(self) -> None:
        """Start the dispatcher on the running loop."""
        if self._dispatcher is None:
            if self._torch_threads:
                self._executor.submit(torch.set_num_threads, self._torch_threads).result()
            self._dispatcher = asyncio.create_task(self._dispatch(), name="god-dispatcher")

    async def stop(self, drain_timeout_s: float = 10.0) -> None:
        """Answer what is queued (up to a timeout), then stop the worker."""
        if self._dispatcher is None:
            return
        self._closing = True
        deadline = time.perf_counter() + drain_timeout_s
        while (not self._queue.empty() or self._current) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        self._dispatcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._dispatcher
        self._dispatcher = None
        leftovers = list(self._current)
        while not self._queue.empty():
            leftovers.append(self._queue.get_nowait())
        for job in leftovers:
            if not job.future.done():
                job.future.set_exception(GodBusy("the god is going to sleep"))
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> GodRunner:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    async def ask(self, request: Request, user_key: str = "") -> Scene:
        """Answer one question; raises GodBusy, GodTimeout or GodFailed."""
        if self._dispatcher is None:
            raise RuntimeError("GodRunner.start() was not awaited")
        if self._closing:
            raise GodBusy("the god is going to sleep")
        if user_key and self._inflight[user_key] >= self.per_user_inflight:
            self.stats.refused += 1
            raise GodBusy("too many questions in flight for this user")
        job = _Job(request, asyncio.get_running_loop().create_future())
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            self.stats.refused += 1
            raise GodBusy("the queue is full") from None
        if user_key:
            self._inflight[user_key] += 1
        try:
            return await asyncio.wait_for(asyncio.shield(job.future), self.timeout_s)
        except TimeoutError:
            self.stats.timed_out += 1
            job.future.cancel()
            raise GodTimeout(f"no answer within {self.timeout_s:g} s") from None
        finally:
            if user_key:
                self._inflight[user_key] -= 1
                if self._inflight[user_key] <= 0:
                    del self._inflight[user_key]

    async def call(self, function: Callable[..., T], *args: object) -> T:
        """Run other blocking model work (e.g. the meaning field) in the model's own thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: function(*args))

    async def _gather(self) -> list[_Job]:
        jobs = [await self._queue.get()]
        self._current = jobs  # visible to stop() while the batch is still gathering
        deadline = asyncio.get_running_loop().time() + self.batch_wait
        while len(jobs) < self.batch_max:
            if not self._queue.empty():
                jobs.append(self._queue.get_nowait())
                continue
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                jobs.append(await asyncio.wait_for(self._queue.get(), remaining))
            except TimeoutError:
                break
        jobs[:] = [job for job in jobs if not job.future.done()]
        return jobs

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            jobs = await self._gather()
            if not jobs:
                self._current = []
                continue
            requests = [job.request for job in jobs]
            try:
                answers = await loop.run_in_executor(self._executor, self._answer_batch, requests)
                outcomes: list[Scene | BaseException] = list(answers)
            except Exception:
                logger.exception("a batch of %d failed; retrying one by one", len(jobs))
                outcomes = [await self._answer_alone(loop, r) for r in requests]
            self.stats.batches += 1
            self.stats.largest_batch = max(self.stats.largest_batch, len(jobs))
            for job, outcome in zip(jobs, outcomes, strict=True):
                if job.future.done():
                    continue
                if isinstance(outcome, BaseException):
                    self.stats.failed += 1
                    job.future.set_exception(GodFailed(str(outcome) or type(outcome).__name__))
                else:
                    self.stats.answered += 1
                    job.future.set_result(outcome)
            self._current = []

    async def _answer_alone(
        self, loop: asyncio.AbstractEventLoop, request: Request
    ) -> Scene | BaseException:
        try:
            return (await loop.run_in_executor(self._executor, self._answer_batch, [request]))[0]
        except Exception as error:
            return error
