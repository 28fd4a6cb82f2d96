"""The god's worker: one thread owns the model; concurrent jobs are answered in batches.

The event loop never runs torch. Jobs wait in a bounded queue; whenever the model thread is
free, the dispatcher hands it every job that is waiting (up to ``batch_max``), so the batches
grow with the load while a lone question never waits: jobs that arrive while one batch is
decoded form the next. ``batch_wait_ms`` > 0 makes a batch wait that long for company.
A full queue or a user with too many jobs in flight is refused at once (``GodBusy``), a job
that takes too long is abandoned (``GodTimeout``), and a batch that raises is retried one job
at a time so that only the guilty job fails (``GodFailed``).

Jobs have kinds: the god's questions (``GOD``) and whatever else a model needs done in this
thread, registered with ``register`` (the LoRA voice's hearing and speaking). A gathered batch
is split by kind and each kind runs as one batch of its own, in order of arrival, its results
handed back before the next kind starts; the bounds, the per-user cap (a user's jobs of every
kind count together) and the timeout are the same for every kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch

from core.language.oracle import Scene
from core.model.god import Request
from core.settings import BATCH_MAX, BATCH_WAIT_MS

logger = logging.getLogger(__name__)

BatchAnswerer = Callable[[Sequence[Request]], list[Scene]]
# Any kind's batch: payloads in, one result per payload out, in order.
BatchFunction = Callable[[Sequence[Any]], Sequence[Any]]
GOD = "god"
T = TypeVar("T")


class GodBusy(Exception):
    """The queue is full or this user already has too many questions in flight."""


class GodTimeout(Exception):
    """The answer did not come in time."""


class GodFailed(Exception):
    """The model failed on this request."""


@dataclass(slots=True)
class _Job:
    kind: str
    payload: Any
    future: asyncio.Future[Any]
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
    kind_batches: Counter[str] = field(default_factory=Counter)
    kind_largest: Counter[str] = field(default_factory=Counter)


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
        self._kinds: dict[str, BatchFunction] = {}
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
        self.on_batch: Callable[[str, int], None] | None = None  # (kind, size), for metrics

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

    def register(self, kind: str, batch: BatchFunction) -> None:
        """Run jobs of ``kind`` in batches through ``batch``, in the model's thread."""
        if kind == GOD:
            raise ValueError("the god's own kind is given to the constructor")
        self._kinds[kind] = batch

    def _batch_of(self, kind: str) -> BatchFunction:
        # The god's function is looked up at each batch: tests replace it on a live runner.
        return self._answer_batch if kind == GOD else self._kinds[kind]

    def ask(self, request: Request, user_key: str = "") -> Coroutine[Any, Any, Scene]:
        """Answer one question; raises GodBusy, GodTimeout or GodFailed."""
        # The job itself, not a coroutine around it: one frame less on the god's fast path.
        return self.submit(GOD, request, user_key)

    async def submit(self, kind: str, payload: object, user_key: str = "") -> Any:
        """One job of a registered kind; raises GodBusy, GodTimeout or GodFailed."""
        if self._dispatcher is None:
            raise RuntimeError("GodRunner.start() was not awaited")
        if kind != GOD and kind not in self._kinds:
            raise KeyError(f"no batch function registered for {kind!r} jobs")
        if self._closing:
            raise GodBusy("the god is going to sleep")
        if user_key and self._inflight[user_key] >= self.per_user_inflight:
            self.stats.refused += 1
            raise GodBusy("too many jobs in flight for this user")
        job = _Job(kind, payload, asyncio.get_running_loop().create_future())
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
            groups: dict[str, list[_Job]] = {}
            for job in jobs:
                groups.setdefault(job.kind, []).append(job)
            for kind, group in groups.items():
                await self._run(loop, kind, [job for job in group if not job.future.done()])
            self._current = []

    async def _run(self, loop: asyncio.AbstractEventLoop, kind: str, jobs: list[_Job]) -> None:
        """One kind's batch in the model's thread; its results handed out at once."""
        if not jobs:
            return
        batch = self._batch_of(kind)
        payloads = [job.payload for job in jobs]
        try:
            answers = await loop.run_in_executor(self._executor, batch, payloads)
            outcomes: list[Any] = list(answers)
            if len(outcomes) != len(jobs):
                raise RuntimeError(f"{kind} gave {len(outcomes)} results for {len(jobs)} jobs")
        except Exception:
            logger.exception("a %s batch of %d failed; retrying one by one", kind, len(jobs))
            outcomes = [await self._answer_alone(loop, batch, payload) for payload in payloads]
        self.stats.batches += 1
        self.stats.largest_batch = max(self.stats.largest_batch, len(jobs))
        self.stats.kind_batches[kind] += 1
        self.stats.kind_largest[kind] = max(self.stats.kind_largest[kind], len(jobs))
        if self.on_batch is not None:
            self.on_batch(kind, len(jobs))
        for job, outcome in zip(jobs, outcomes, strict=True):
            if job.future.done():
                continue
            if isinstance(outcome, BaseException):
                self.stats.failed += 1
                job.future.set_exception(GodFailed(str(outcome) or type(outcome).__name__))
            else:
                self.stats.answered += 1
                job.future.set_result(outcome)

    async def _answer_alone(
        self, loop: asyncio.AbstractEventLoop, batch: BatchFunction, payload: object
    ) -> Any:
        try:
            return (await loop.run_in_executor(self._executor, batch, [payload]))[0]
        except Exception as error:
            return error
