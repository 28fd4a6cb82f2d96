"""Plain-text renderings of the core's answers, shared by every frontend."""

from __future__ import annotations

from collections.abc import Sequence

from core.language.lexicon import Entry
from core.service import HistoryItem
from core.texts import say
from core.types import BridgeResult, Language, Reply

LEXICON_SHOWN = 25


def reply_text(reply: Reply) -> str:
    """The message a user sees for a reply (glyphs, and the translation in translate mode)."""
    if reply.kind not in ("answer", "silence"):
        return reply.text or ""
    lines = [reply.glyphs]
    if reply.mode == "translate" and reply.text:
        lines.append(reply.text)
    if reply.notice:
        lines.append(f"({reply.notice})")
    return "\n".join(lines)


def bridge_text(result: BridgeResult) -> str:
    """What the bridge made of an input, both sides shown."""
    lines = []
    if result.direction == "text_to_glyphs":
        lines.append(result.glyphs or "◌")
        if result.concepts:
            lines.append(" · ".join(result.concepts))
    else:
        lines.append(result.text)
    if result.unknown:
        lines.append(say("unknown_words", result.language, words=", ".join(result.unknown[:20])))
    return "\n".join(lines)


def lexicon_text(entries: Sequence[Entry], query: str, language: Language) -> str:
    """Dictionary entries, one per line, or a clear "not found"."""
    if not entries:
        return say("lexicon_none", language, query=query)
    lines = []
    for entry in entries[:LEXICON_SHOWN]:
        words = ", ".join(entry.words(language)[:4])
        other = "en" if language == "ru" else "ru"
        lines.append(
            f"{entry.glyph}  {entry.key} — {words} / {', '.join(entry.words(other)[:2])}"
            f" · {entry.gloss}"
        )
    if len(entries) > LEXICON_SHOWN:
        lines.append(f"… +{len(entries) - LEXICON_SHOWN}")
    return "\n".join(lines)


def history_text(items: Sequence[HistoryItem], language: Language) -> str:
    """The user's last exchanges, oldest first."""
    if not items:
        return say("history_empty", language)
    lines = []
    for index, item in enumerate(items, 1):
        question = item.question if len(item.question) <= 200 else item.question[:199] + "…"
        lines.append(f"{index}. {question}")
        answer = f"   → {item.heard or '◌'} ⇒ {item.glyphs or '…'}"
        if item.text:
            answer += f" — {item.text}"
        lines.append(answer)
    return "\n".join(lines)
