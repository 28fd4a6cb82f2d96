"""Asking the god: plain messages, /glyph, /translate, the Translate button, inline previews."""

from __future__ import annotations

from dataclasses import replace

from core.commands.model import Alternative, Invocation, Outcome
from core.commands.outcomes import bridge_outcome, needs_text, outcome_of
from core.service import GodService
from core.texts import say
from core.types import Language, Mode


async def answer_in(service: GodService, invocation: Invocation, mode: Mode | None) -> Outcome:
    """The god's answer to the invocation's text, in ``mode`` (None: the chat's own)."""
    reply = await service.answering.answer(replace(invocation.message, mode=mode))
    return outcome_of(reply)


async def ask(service: GodService, invocation: Invocation) -> Outcome:
    """A plain message: answered in the chat's mode."""
    return await answer_in(service, invocation, None)


async def glyph(service: GodService, invocation: Invocation) -> Outcome:
    """/glyph <message>: the silent god's answer."""
    if not invocation.argument:
        return await needs_text(service, invocation, "/glyph 🜂⧖🕯")
    return await answer_in(service, invocation, "glyph")


async def translate(service: GodService, invocation: Invocation) -> Outcome:
    """/translate <message>, or with no text in reply to the god's glyphs: translate those."""
    if invocation.argument:
        return await answer_in(service, invocation, "translate")
    if invocation.replied_message_id is None:
        language = await service.chats.language_for(invocation.message, "")
        text = say("nothing_to_translate", language)
        return Outcome((text,), refusal="needs_text", private=True, language=language)
    return await reveal(service, invocation)


async def reveal(service: GodService, invocation: Invocation) -> Outcome:
    """The translation of the stored answer that a message of this chat carried.

    ``replied_message_id`` names the carrying message; a button's ``answer_id`` must be the
    answer stored for exactly that message in this chat. With neither found, text of the
    message itself (Discord's message menu) goes across the bridge instead.
    """
    message = invocation.message
    carrier = invocation.replied_message_id
    answer_id = await service.memory.find_answer(message, carrier) if carrier else None
    if invocation.answer_id is not None and answer_id != invocation.answer_id:
        answer_id = None
    revealed = await service.memory.reveal(answer_id, message) if answer_id else None
    if revealed is not None:
        return outcome_of(revealed)
    if invocation.answer_id is None and invocation.argument:
        result = await service.dictionary.bridge_text(invocation.argument, message)
        return bridge_outcome(result)
    language = await service.chats.language_for(message, "")
    return Outcome(
        (say("translation_gone", language),), refusal="gone", private=True, language=language
    )


async def inline(service: GodService, invocation: Invocation) -> Outcome:
    """A preview to pick from: the text in glyphs, the god's glyphs, and their meaning."""
    message = invocation.message
    text = invocation.argument
    language: Language = service.chats.guess_language(message, text)
    if not text:
        return Outcome(language=language)
    bridged = await service.dictionary.bridge_text(text, message)
    reply = await service.answering.preview(message)
    offered: list[Alternative] = []
    if bridged.direction == "text_to_glyphs" and bridged.glyphs:
        offered.append(Alternative("bridge", say("inline_glyphs", language), bridged.glyphs))
    elif bridged.direction == "glyphs_to_text" and bridged.text:
        offered.append(Alternative("bridge", say("inline_words", language), bridged.text))
    if reply.glyphs:
        offered.append(Alternative("silent", say("inline_silent", language), reply.glyphs))
        if reply.text:
            voice = f"{reply.glyphs}\n{reply.text}"
            offered.append(Alternative("voice", say("inline_voice", language), voice))
    return Outcome(glyphs=reply.glyphs, language=language, alternatives=tuple(offered))
