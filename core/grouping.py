"""Group commit for the event loop: calls that arrive together share one run of a batch function.

A storage round trip costs about the same for one row as for sixty-four, so concurrent chats
that store a message (or open a conversation) at the same moment share one transaction. Each
caller still awaits its own result, which is only handed out once the batch has finished:
a question is committed before the god starts thinking about it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupedCall(Generic[Item, Result]):
    """``await grouped(item)``: items waiting while a batch runs form the next batch."""

    def __init__(
        self,
        run_batch: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        *,
        name: str,
        max_group: int = 256,
    ) -> None:
        if max_group < 1:
            raise ValueError("max_group must be at least 1")
        self._run_batch = run_batch
        self._name = name
        self._max_group = max_group
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight = 0

    async def __call__(self, item: Item) -> Result:
        """Run ``item`` with whatever else is waiting; its own result or the batch's error."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self._name)
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wake.set()
        return await future

    @property
    def waiting(self) -> int:
        """Items not yet handed to the batch function."""
        return len(self._pending)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_group]
                del self._pending[: self._max_group]
                self._in_flight = len(batch)
                try:
                    await self._settle(batch)
                finally:
                    self._in_flight = 0

    async def _settle(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._run_batch([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} items")
        except Exception as error:
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def close(self) -> None:
        """Finish what is queued and in flight, then stop the worker."""
        while (self._pending or self._in_flight) and self._task and not self._task.done():
            await asyncio.sleep(0.001)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
