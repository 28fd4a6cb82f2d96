"""The meaning field: a picture of what the god heard, attended to and answered."""

from __future__ import annotations

import logging

from core.field.data import FieldPicture, FieldUnavailable
from core.language.lexicon import Lexicon
from core.language.text import clean_text
from core.model.god import God
from core.model.runner import GodRunner
from core.service.answering import Answering
from core.service.chats import Chats
from core.service.context import Contexts
from core.storage.records import StoreError
from core.texts import say
from core.types import Incoming

logger = logging.getLogger(__name__)


class FieldPainter:
    """Draws the meaning field of one message; read-only, nothing is stored."""

    def __init__(
        self,
        answering: Answering,
        chats: Chats,
        contexts: Contexts,
        runner: GodRunner,
        lexicon: Lexicon,
        god: God | None,
    ) -> None:
        self.answering = answering
        self.chats = chats
        self.contexts = contexts
        self.runner = runner
        self.lexicon = lexicon
        self.god = god

    async def field(self, message: Incoming) -> FieldPicture:
        """The picture of one message: the god answers through the runner like any question;
        the picture (one observed forward pass, then the drawing) is made in the model's own
        thread, never on the event loop. A message without a known concept gets only a caption.
        Raises FieldUnavailable when the service has no god."""
        if self.god is None:
            raise FieldUnavailable("the meaning field needs the god itself (GodService(god=...))")
        from core.field.picture import meaning_field

        text = clean_text(message.text)
        try:
            language = await self.chats.language_for(message, text)
        except StoreError as error:
            logger.warning("store unavailable for the meaning field: %s", error)
            language = self.chats.guess_language(message, text)
        refusal = self.answering.check(text)
        if refusal is not None:
            return FieldPicture(None, self.answering.refusal_text(refusal, language, text))
        try:
            chat = await self.chats.chat(message)
            context = await self.contexts.get(chat, message.thread_id)
        except StoreError as error:
            logger.warning("meaning field without context (store unavailable): %s", error)
            context = None
        thought = await self.answering.think(message, text, language, context)
        if thought.refusal is not None:
            return FieldPicture(None, self.answering.refusal_text(thought.refusal, language))
        heard = thought.heard
        assert heard is not None
        if not thought.question:
            unknown = f" ({', '.join(heard.unknown[:12])})" if heard.unknown else ""
            return FieldPicture(None, say("field_unheard", language, unknown=unknown))
        try:
            data, png = await self.runner.call(
                meaning_field, self.god, thought.question, context, thought.scene, language
            )
        except Exception:
            logger.exception("could not draw the meaning field of %r", heard.glyphs)
            return FieldPicture(None, say("error", language))
        glyphs = self.lexicon.glyphs(thought.scene)
        caption = say("field_caption", language, heard=heard.glyphs, glyphs=glyphs)
        return FieldPicture(png, caption, data)
