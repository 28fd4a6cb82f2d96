"""The bridge and the lexicon on their own, no god: /bridge and /lexicon."""

from __future__ import annotations

from core.bridge.protocol import Bridge
from core.language.lexicon import Entry, Lexicon
from core.service.chats import Chats
from core.service.hearing import Hearing, asker_of
from core.types import BridgeResult, Incoming


class Dictionary:
    """Carries text across the bridge and looks words and glyphs up."""

    def __init__(self, chats: Chats, hearing: Hearing, lexicon: Lexicon) -> None:
        self.chats = chats
        self.hearing = hearing
        self.lexicon = lexicon

    async def bridge_text(self, text: str, message: Incoming) -> BridgeResult:
        """The bridge alone, in whichever direction the input asks for."""
        language = await self.chats.language_for(message, text)
        asker = asker_of(message)
        return await self.hearing.translate(text, language, asker)

    def lookup(self, query: str) -> list[Entry]:
        """Dictionary look-up by word, key or glyph; inflected words through the bridge."""
        return lookup_entries(self.lexicon, self.hearing.bridge, query)


def lookup_entries(lexicon: Lexicon, bridge: Bridge, query: str) -> list[Entry]:
    """Exact look-up first (glyph, key, lemma or synonym); else what the bridge hears."""
    found = lexicon.lookup(query)
    if found or not query.strip():
        return found
    heard = bridge.hear(query[:200])
    return list(dict.fromkeys(lexicon.by_key(key) for key in heard.concepts))
