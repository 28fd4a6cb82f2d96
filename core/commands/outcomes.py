"""Outcomes the commands share: an answer of the god, a bridge reading, a missing argument."""

from __future__ import annotations

from core.commands.model import Invocation, Outcome, Refusal
from core.service import GodService
from core.texts import say
from core.types import BridgeResult, Reply

ANSWERED = ("answer", "silence")


def outcome_of(reply: Reply, *, keep_notice: bool = True) -> Outcome:
    """An answer (glyphs, the translation in translate mode, a notice) or a refusal."""
    if reply.kind in ("delivered", "quiet"):
        return Outcome(send_nothing=True, language=reply.language)
    if reply.kind not in ANSWERED:
        refusal: Refusal = reply.kind  # type: ignore[assignment]
        return Outcome((reply.text or "",), refusal=refusal, private=True, language=reply.language)
    parts = [reply.glyphs]
    if reply.mode == "translate" and reply.text:
        parts.append(reply.text)
    if reply.notice and keep_notice:
        parts.append(f"({reply.notice})")
    return Outcome(
        tuple(parts),
        glyphs=reply.glyphs,
        translate_button=reply.mode == "glyph" and reply.message_id is not None,
        answer_id=reply.message_id,
        language=reply.language,
    )


async def needs_text(service: GodService, invocation: Invocation, example: str) -> Outcome:
    """The command needs an argument: say so, with an example."""
    language = await service.chats.language_for(invocation.message, "")
    return Outcome(
        (say("needs_text", language, example=example),),
        refusal="needs_text",
        private=True,
        language=language,
    )


def bridge_outcome(result: BridgeResult) -> Outcome:
    """What the bridge made of an input, both sides shown."""
    parts: list[str] = []
    if result.direction == "text_to_glyphs":
        parts.append(result.glyphs or "◌")
        if result.concepts:
            parts.append(" · ".join(result.concepts))
    else:
        parts.append(result.text)
    if result.unknown:
        words = ", ".join(result.unknown[:20])
        parts.append(say("unknown_words", result.language, words=words))
    return Outcome(tuple(parts), glyphs=result.glyphs, language=result.language)
