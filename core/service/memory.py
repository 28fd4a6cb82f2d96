"""What the god remembers of people: their history, forgetting it, and revealing past answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.grouping import GroupedCall
from core.language.lexicon import Lexicon
from core.language.oracle import SILENCE
from core.service.chats import Chats
from core.service.context import Contexts
from core.service.hearing import Hearing, asker_of
from core.storage.records import StoreError
from core.storage.repository import ConversationStore
from core.types import Incoming, Mode, Reply

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One past exchange, for /history."""

    question: str
    heard: str
    glyphs: str
    text: str | None
    mode: Mode


class Memory:
    """History, forgetting, and the link between stored answers and the platforms' messages."""

    def __init__(
        self,
        store: ConversationStore,
        chats: Chats,
        contexts: Contexts,
        hearing: Hearing,
        lexicon: Lexicon,
    ) -> None:
        self.store = store
        self.chats = chats
        self.contexts = contexts
        self.hearing = hearing
        self.lexicon = lexicon
        # replies that went out together are linked in one transaction
        self._link = GroupedCall(store.set_external_ids, name="delivery-linker")

    async def history(self, message: Incoming, count: int = 5) -> list[HistoryItem]:
        """The last ``count`` exchanges of this user in this chat, oldest first."""
        chat = await self.chats.chat(message)
        user = await self.chats.user(message)
        exchanges = await self.store.recent_exchanges(chat, user, limit=count)
        return [
            HistoryItem(
                question=e.question.text or "",
                heard=e.question.glyphs or "",
                glyphs=(e.answer.glyphs or "") if e.answer else "",
                text=e.answer.text if e.answer else None,
                mode=e.question.mode,
            )
            for e in exchanges
        ]

    async def forget(self, message: Incoming) -> int:
        """Delete this user's messages (and the god's answers to them) in this chat."""
        chat = await self.chats.chat(message)
        user = await self.chats.user(message)
        self.contexts.drop(chat.id)
        return await self.store.forget(chat, user)

    async def reveal(self, message_id: int, message: Incoming) -> Reply | None:
        """The translation of a stored answer of the god (no second model run when stored)."""
        record = await self.store.get_message(message_id)
        if record is None or record.role != "god":
            return None
        language = await self.chats.language_for(message, record.text or "")
        glyphs = record.glyphs or self.lexicon.glyph(SILENCE)
        if record.text and record.language == language:
            text = record.text
        else:  # another reader's language: translated afresh, the stored answer stays as it is
            asker = asker_of(message)
            text = (await self.hearing.speak(glyphs, language, asker)).text
        kind = "silence" if glyphs == self.lexicon.glyph(SILENCE) else "answer"
        return Reply(kind, "translate", glyphs, text, language=language, message_id=message_id)

    async def remember_delivery(self, message_id: int, external_message_id: str) -> None:
        """Link a stored answer to the platform's id of the message that carried it."""
        try:
            await self._link((message_id, external_message_id))
        except StoreError as error:
            logger.warning("could not link answer %s: %s", message_id, error)

    async def close(self) -> None:
        """Finish linking what is being linked."""
        await self._link.close()

    async def find_answer(self, message: Incoming, external_message_id: str) -> int | None:
        """The stored answer that a platform message carried, if any."""
        chat = await self.chats.chat(message)
        record = await self.store.find_by_external_id(chat, external_message_id)
        return record.id if record and record.role == "god" else None
