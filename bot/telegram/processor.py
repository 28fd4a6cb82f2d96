"""Concurrent updates, in order within each chat.

Different chats are answered concurrently, so one busy chat never stalls the others; updates
of one chat are handled one after another, so answers keep the order of the questions (the
"and then?" glyph continues from the answer before it). A chat that floods more than
``per_chat_backlog`` waiting updates loses the surplus, so it can never hold every slot.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Runs updates concurrently across chats and sequentially inside one chat."""

    def __init__(self, max_concurrent_updates: int = 256, per_chat_backlog: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self.per_chat_backlog = per_chat_backlog
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this chat's previous updates, then handle this one."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:  # inline queries and the like belong to no chat: no order to keep
            await coroutine
            return
        key = chat.id
        if self._waiting.get(key, 0) >= self.per_chat_backlog:
            logger.warning("chat %s floods: update %s dropped", key, update.update_id)  # type: ignore[union-attr]
            if inspect.iscoroutine(coroutine):
                coroutine.close()
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""
