"""The last exchange of each conversation: what the god's "and then?" (⤳) continues from."""

from __future__ import annotations

from core.language.lexicon import Lexicon
from core.language.oracle import Exchange, Scene
from core.storage.records import ChatRecord
from core.storage.records import Exchange as StoredExchange
from core.storage.repository import ConversationStore


class Contexts:
    """Each chat's last answered exchange, in memory, loaded from the store after a restart."""

    def __init__(self, store: ConversationStore, lexicon: Lexicon, turns: int) -> None:
        self.store = store
        self.lexicon = lexicon
        self.enabled = turns > 0
        self._last: dict[int, Exchange | None] = {}

    def knows(self, chat_id: int) -> bool:
        """Whether the chat's context is in memory (or not needed at all)."""
        return not self.enabled or chat_id in self._last

    def offer(self, chat_id: int, stored: StoredExchange | None) -> None:
        """What the store says; an answer given since the load began is newer and wins."""
        self._last.setdefault(chat_id, self.exchange_of(stored))

    def remember(self, chat_id: int, exchange: Exchange) -> None:
        """The exchange that just happened."""
        self._last[chat_id] = exchange

    def drop(self, chat_id: int) -> None:
        """Forget the chat's context (its messages were deleted)."""
        self._last.pop(chat_id, None)

    async def get(self, chat: ChatRecord) -> Exchange | None:
        """The chat's last exchange: from memory, or from the store after a restart."""
        if not self.enabled:
            return None
        if chat.id in self._last:
            return self._last[chat.id]
        exchanges = await self.store.recent_exchanges(chat, None, limit=1)
        context = self.exchange_of(exchanges[-1] if exchanges else None)
        self._last[chat.id] = context
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
