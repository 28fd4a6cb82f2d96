"""A platform's "typing…" shown beside a slow answer only: one shape for every frontend.

An answer that comes at once needs no indicator, and each indicator is a request that counts
against the platform's rate limits (Telegram's 30 messages a second, Discord's global limit),
so it is shown only once the answer has taken ``after_s`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

Show = Callable[[asyncio.Event], Awaitable[None]]


@contextlib.asynccontextmanager
async def while_slow(show: Show, after_s: float) -> AsyncIterator[None]:
    """Run ``show(done)`` beside the body once the body has run ``after_s`` seconds (0: at
    once); ``done`` is set when the body ends, and ``show`` must then return. A request
    already on its way is never cancelled: it finishes before the body's caller goes on, so
    the indicator cannot outlive the answer."""
    done = asyncio.Event()

    async def delayed() -> None:
        if after_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), after_s)
                return
        await show(done)

    task = asyncio.create_task(delayed())
    try:
        yield
    finally:
        done.set()
        await task
