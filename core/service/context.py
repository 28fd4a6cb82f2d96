"""The last exchange of each conversation: what the god's "and then?" (⤳) continues from.

A conversation is a chat, or one thread of it: a Discord channel or thread, a Telegram forum
topic. Context never crosses from one to another (⤳ in #general does not continue what was
asked in #staff).
"""

from __future__ import annotations

from cachetools import LRUCache

from core.language.lexicon import Lexicon
from core.language.oracle import Exchange, Scene
from core.storage.records import ChatRecord
from core.storage.records import Exchange as StoredExchange
from core.storage.repository import ConversationStore

Key = tuple[int, str | None]  # (stored chat id, thread) — None: the chat itself


class Contexts:
    """Each conversation's last answered exchange, in a bounded memory, loaded from the store
    after a restart."""

    def __init__(
        self, store: ConversationStore, lexicon: Lexicon, turns: int, size: int = 10_000
    ) -> None:
        self.store = store
        self.lexicon = lexicon
        self.enabled = turns > 0
        self._last: LRUCache[Key, Exchange | None] = LRUCache(size)

    @property
    def size(self) -> int:
        """Conversations whose context is in memory."""
        return len(self._last)

    def knows(self, chat_id: int, thread: str | None) -> bool:
        """Whether the conversation's context is in memory (or not needed at all)."""
        return not self.enabled or (chat_id, thread) in self._last

    def offer(self, chat_id: int, thread: str | None, stored: StoredExchange | None) -> None:
        """What the store says; an answer given since the load began is newer and wins."""
        if (chat_id, thread) not in self._last:
            self._last[(chat_id, thread)] = self.exchange_of(stored)

    def remember(self, chat_id: int, thread: str | None, exchange: Exchange) -> None:
        """The exchange that just happened."""
        self._last[(chat_id, thread)] = exchange

    def drop(self, chat_id: int) -> None:
        """Forget every context of the chat (its messages were deleted)."""
        for key in [key for key in self._last if key[0] == chat_id]:
            del self._last[key]

    async def get(self, chat: ChatRecord, thread: str | None) -> Exchange | None:
        """The conversation's last exchange: from memory, or from the store after a restart."""
        if not self.enabled:
            return None
        if (chat.id, thread) in self._last:
            return self._last[(chat.id, thread)]
        exchanges = await self.store.recent_exchanges(chat, None, limit=1, thread=thread)
        context = self.exchange_of(exchanges[-1] if exchanges else None)
        self._last[(chat.id, thread)] = context
        return context

    def exchange_of(self, stored: StoredExchange | None) -> Exchange | None:
        """A stored question and answer as the god's context (None if unanswered)."""
        if stored is None or stored.answer is None:
            return None
        question = self.scene(stored.question.glyphs or "")
        answer = self.scene(stored.answer.glyphs or "")
        return Exchange(question, answer) if question and answer else None

    def scene(self, glyphs: str) -> Scene:
        """The concept keys of a glyph string (glyphs outside the lexicon dropped)."""
        return tuple(key for key in self.lexicon.keys_of(glyphs) if key is not None)
