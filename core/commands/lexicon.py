"""The bridge and the dictionary on their own: /bridge and /lexicon."""

from __future__ import annotations

from collections.abc import Sequence

from core.commands.model import Invocation, Outcome
from core.commands.outcomes import bridge_outcome, needs_text
from core.language.lexicon import Entry
from core.service import GodService
from core.texts import say
from core.types import Language

LEXICON_SHOWN = 25


def entry_lines(entries: Sequence[Entry], query: str, language: Language) -> tuple[str, ...]:
    """Dictionary entries, one per line, or a clear "not found"."""
    if not entries:
        return (say("lexicon_none", language, query=query),)
    other: Language = "en" if language == "ru" else "ru"
    lines = [
        f"{entry.glyph}  {entry.key} — {', '.join(entry.words(language)[:4])} / "
        f"{', '.join(entry.words(other)[:2])} · {entry.gloss}"
        for entry in entries[:LEXICON_SHOWN]
    ]
    if len(entries) > LEXICON_SHOWN:
        lines.append(f"… +{len(entries) - LEXICON_SHOWN}")
    return tuple(lines)


async def bridge(service: GodService, invocation: Invocation) -> Outcome:
    """/bridge <text or glyphs>: the bridge alone, no god."""
    if not invocation.argument:
        return await needs_text(service, invocation, "/bridge fire and time")
    result = await service.dictionary.bridge_text(invocation.argument, invocation.message)
    return bridge_outcome(result)


async def lexicon(service: GodService, invocation: Invocation) -> Outcome:
    """/lexicon <word or glyph>: look the dictionary up, both ways."""
    query = invocation.argument
    if not query:
        return await needs_text(service, invocation, "/lexicon fire")
    language = await service.chats.language_for(invocation.message, query)
    entries = service.dictionary.lookup(query)
    return Outcome(entry_lines(entries, query, language), language=language)
