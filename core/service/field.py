"""The meaning field: a picture of what the god heard, attended to and answered."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from core.field.data import FieldData, FieldPicture, FieldUnavailable
from core.language.lexicon import Lexicon
from core.language.oracle import Exchange, Scene
from core.language.text import clean_text
from core.model.god import God
from core.model.runner import GodBusy, GodRunner, GodTimeout
from core.service.answering import Answering
from core.service.chats import Chats
from core.service.context import Contexts
from core.settings import CoreSettings
from core.storage.records import StoreError
from core.texts import say
from core.types import Incoming, Language

logger = logging.getLogger(__name__)

DRAWING_NICENESS = 10
PICTURE_GRACE_S = 30.0  # a fresh worker loads torch and the god first


class FieldPainter:
    """Draws the meaning field of one message; read-only, nothing is stored.

    The god answers through the runner like any question; the picture (the observed forward
    pass and ~0.7 s of matplotlib, which would hold the interpreter's lock) is made in worker
    processes of their own that load the god once, at a lower priority. At most
    ``field_concurrency`` pictures are made at once and ``field_queue`` wait; beyond that
    the asker hears that the god is busy. So pictures never hold up other people's answers.
    """

    def __init__(
        self,
        settings: CoreSettings,
        answering: Answering,
        chats: Chats,
        contexts: Contexts,
        runner: GodRunner,
        lexicon: Lexicon,
        god: God | None,
    ) -> None:
        self.settings = settings
        self.answering = answering
        self.chats = chats
        self.contexts = contexts
        self.runner = runner
        self.lexicon = lexicon
        self.god = god
        self._drawing: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(max(1, settings.field_concurrency))
        self._waiting = 0

    def _pool(self) -> ProcessPoolExecutor:
        if self._drawing is None:
            # spawn, not fork: a forked copy of a process holding torch threads can hang
            self._drawing = ProcessPoolExecutor(
                max_workers=max(1, self.settings.field_concurrency),
                mp_context=multiprocessing.get_context("spawn"),
                # a picture may wait; an answer should not: the drawing yields the CPU
                initializer=os.nice,
                initargs=(DRAWING_NICENESS,),
            )
        return self._drawing

    async def _picture(self, question: Scene, context: Exchange | None, answer: Scene,
                       language: Language) -> tuple[FieldData, bytes] | None:  # fmt: skip
        """The numbers and the PNG, or None when too many pictures are made or waiting."""
        from core.field.worker import make_picture

        if self._waiting >= self.settings.field_concurrency + self.settings.field_queue:
            return None
        self._waiting += 1
        try:
            async with self._slots:
                loop = asyncio.get_running_loop()
                work = loop.run_in_executor(
                    self._pool(),
                    make_picture,
                    self.settings.model_dir,
                    question,
                    context,
                    answer,
                    language,
                )
                return await asyncio.wait_for(work, self.runner.timeout_s + PICTURE_GRACE_S)
        finally:
            self._waiting -= 1

    def close(self) -> None:
        """Let the drawing processes go."""
        if self._drawing is not None:
            self._drawing.shutdown(wait=False, cancel_futures=True)

    async def field(self, message: Incoming) -> FieldPicture:
        """The picture of one message: the god answers through the runner like any question;
        the picture (one observed forward pass, then the drawing) is made in the model's own
        thread, never on the event loop. A message without a known concept gets only a caption.
        Raises FieldUnavailable when the service has no god."""
        if self.god is None:
            raise FieldUnavailable("the meaning field needs the god itself (GodService(god=...))")
        text = clean_text(message.text)
        try:
            language = await self.chats.language_for(message, text)
        except StoreError as error:
            logger.warning("store unavailable for the meaning field: %s", error)
            language = self.chats.guess_language(message, text)
        refusal = self.answering.check(text) or self.answering.admit(
            message, self.settings.field_cost
        )
        if refusal is not None:
            return FieldPicture(None, self.answering.refusal_text(refusal, language, text))
        quotas = self.answering.quotas
        charged = None
        if quotas is not None and quotas.limited(message, "field"):
            try:
                user = await self.chats.user(message)
            except StoreError as error:
                logger.warning("meaning field not counted (store unavailable): %s", error)
            else:
                charge, day = await quotas.charge(message, user.id, "field")
                if charge in ("reached", "quiet"):
                    self.answering.metrics.refused(message.platform, "quota")
                if charge == "reached":
                    return FieldPicture(None, quotas.reached_text("field", language))
                if charge == "quiet":
                    return FieldPicture(None, "")
                charged = (user.id, day) if charge == "counted" else None
        try:
            chat = await self.chats.chat(message)
            context = await self.contexts.get(chat, message.thread_id)
        except StoreError as error:
            logger.warning("meaning field without context (store unavailable): %s", error)
            context = None
        thought = await self.answering.think(message, text, language, context)
        if thought.refusal is not None:
            if charged is not None and quotas is not None:
                await quotas.give_back(*charged, "field")
            return FieldPicture(None, self.answering.refusal_text(thought.refusal, language))
        heard = thought.heard
        assert heard is not None
        if not thought.question:
            unknown = f" ({', '.join(heard.unknown[:12])})" if heard.unknown else ""
            return FieldPicture(None, say("field_unheard", language, unknown=unknown))
        try:
            made = await self._picture(thought.question, context, thought.scene, language)
        except (GodBusy, GodTimeout, TimeoutError):
            return FieldPicture(None, say("busy", language))
        except Exception:
            logger.exception("could not draw the meaning field of %r", heard.glyphs)
            return FieldPicture(None, say("error", language))
        if made is None:
            return FieldPicture(None, say("busy", language))
        data, png = made
        glyphs = self.lexicon.glyphs(thought.scene)
        caption = say("field_caption", language, heard=heard.glyphs, glyphs=glyphs)
        return FieldPicture(png, caption, data)
