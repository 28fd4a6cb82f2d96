"""Concurrent updates, in order within each chat, each settled in the intake once handled.

Different chats are answered concurrently, so one busy chat never stalls the others; updates
of one chat are handled one after another, so answers keep the order of the questions (the
"and then?" glyph continues from the answer before it). A chat that floods more than
``per_chat_backlog`` waiting updates loses the surplus (refused, and told so once), so it can
never hold every slot.

python-telegram-bot takes a global slot *before* it hands an update to the processor; if an
update then waited there for its chat's turn, a few flooding chats would hold every slot and
starve the rest. So PTB's own bound is lifted, and this processor takes one of its own
``max_concurrent_updates`` slots only once the update's chat is free.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from core.storage.intake import Settled

logger = logging.getLogger(__name__)

UNBOUNDED = 1 << 30
Settle = Callable[[int, Settled], Awaitable[None]]
Flooded = Callable[[Update], Awaitable[None]]


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates concurrently across chats and sequentially inside one chat."""

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        per_chat_backlog: int = 32,
        *,
        settle: Settle | None = None,
        flooded: Flooded | None = None,
        replayed: Callable[[int], bool] | None = None,
        stored: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(UNBOUNDED)
        self.slots = max_concurrent_updates
        self.per_chat_backlog = per_chat_backlog
        self._settle = settle
        self._flooded = flooded
        # updates handled again after a restart are a backlog the bot owes, not a flood
        self._replayed = replayed or (lambda update_id: False)
        # an update is handled only once the intake holds it: what a handler stores or sends
        # must never exist for an update a restart would not know it received
        self._stored = stored
        self._semaphore_own: asyncio.Semaphore | None = None
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._told: set[int] = set()

    @property
    def _slots(self) -> asyncio.Semaphore:
        if self._semaphore_own is None:
            self._semaphore_own = asyncio.Semaphore(self.slots)
        return self._semaphore_own

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this chat's previous updates, then for a free slot, then handle this one."""
        update_id = update.update_id if isinstance(update, Update) else None
        chat = update.effective_chat if isinstance(update, Update) else None
        status: Settled = "handled"
        try:
            if chat is None:  # inline queries and the like belong to no chat: no order to keep
                async with self._slots:
                    if self._stored is not None and update_id is not None:
                        await self._stored(update_id)
                    await coroutine
                return
            key = chat.id
            owed = update_id is not None and self._replayed(update_id)
            if self._waiting.get(key, 0) >= self.per_chat_backlog and not owed:
                status = "refused"
                if inspect.iscoroutine(coroutine):
                    coroutine.close()
                if key not in self._told:  # once per flood: the log and the chat
                    self._told.add(key)
                    logger.warning("chat %s floods: updates beyond its backlog refused", key)
                    if self._flooded is not None:
                        await self._flooded(update)  # type: ignore[arg-type]
                return
            lock = self._locks.setdefault(key, asyncio.Lock())
            self._waiting[key] = self._waiting.get(key, 0) + 1
            try:
                async with lock, self._slots:
                    if self._stored is not None and update_id is not None:
                        await self._stored(update_id)
                    await coroutine
            finally:
                self._waiting[key] -= 1
                if not self._waiting[key]:
                    del self._waiting[key]
                    del self._locks[key]
                    self._told.discard(key)
        finally:
            if update_id is not None and self._settle is not None:
                await self._settle(update_id, status)

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""
