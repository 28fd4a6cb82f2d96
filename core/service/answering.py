"""Answering: hear the message, ask the god, say the answer — the one pipeline.

``think`` is the pipeline itself (clean, check, hear, ask); ``answer`` adds the store (the
question is committed before the god sees it, the answer after), ``preview`` answers without
context or store (inline queries), and the meaning field draws what ``think`` saw.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, cast

from core.grouping import GroupedCall
from core.language.lexicon import Lexicon
from core.language.oracle import SILENCE, SILENT, Exchange, Scene
from core.language.text import clean_text, script_language
from core.model.god import MAX_QUESTION, Request
from core.model.runner import GodBusy, GodFailed, GodRunner, GodTimeout
from core.observe import Metrics
from core.service.admission import Admission
from core.service.chats import Chats
from core.service.context import Contexts
from core.service.hearing import Hearing, asker_of
from core.service.quota import Quotas
from core.settings import CoreSettings
from core.storage.records import MessageRecord, NewMessage, StoreError
from core.storage.repository import ConversationStore
from core.texts import say
from core.types import BridgeResult, Incoming, Language, Mode, Reply, ReplyKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Thought:
    """What the god made of one message: what it heard, and its answer or why there is none."""

    text: str
    language: Language
    heard: BridgeResult | None = None
    context: Exchange | None = None
    scene: Scene = SILENT
    refusal: ReplyKind | None = None
    notice: str | None = None

    @property
    def question(self) -> Scene:
        """The concepts the god was asked about."""
        return tuple(self.heard.concepts) if self.heard else ()


class Answering:
    """Hears, asks the god through the runner, speaks, and keeps the conversation."""

    def __init__(
        self,
        settings: CoreSettings,
        store: ConversationStore,
        chats: Chats,
        contexts: Contexts,
        hearing: Hearing,
        runner: GodRunner,
        lexicon: Lexicon,
        admission: Admission,
    ) -> None:
        self.settings = settings
        self.admission = admission
        self.store = store
        self.chats = chats
        self.contexts = contexts
        self.hearing = hearing
        self.runner = runner
        self.lexicon = lexicon
        self._store_message = GroupedCall(store.add_messages, name="message-writer")
        self.metrics = Metrics()
        self.quotas: Quotas | None = None  # set by the service: [access] daily_answers

    def refusal_text(
        self, kind: ReplyKind | Literal["store_error"], language: Language, text: str = ""
    ) -> str:
        """What the user is told when there is no answer ("" when nothing is said at all)."""
        if kind in ("quiet", "delivered"):
            return ""
        if kind == "too_long":
            limit = self.settings.max_message_chars
            return say("too_long", language, length=len(text), limit=limit)
        if kind == "quota" and self.quotas is not None:
            return self.quotas.reached_text("answer", language)
        return say(kind, language)

    def admit(self, message: Incoming, cost: float = 1.0) -> ReplyKind | None:
        """None when the asker may have an answer now; else how to refuse (once a window)."""
        verdict = self.admission.admit(asker_of(message), cost)
        if verdict == "admitted":
            return None
        logger.info("%s refused: asking too fast", asker_of(message))
        return "rate_limited" if verdict == "slow_down" else "quiet"

    def check(self, text: str) -> ReplyKind | None:
        """Why a cleaned text cannot be asked at all (empty, too long), if it cannot."""
        if not text:
            return "empty"
        if len(text) > self.settings.max_message_chars:
            return "too_long"
        return None

    async def think(
        self,
        message: Incoming,
        text: str,
        language: Language,
        context: Exchange | None,
        *,
        before_asking: Callable[[BridgeResult], Awaitable[None]] | None = None,
    ) -> Thought:
        """Hear ``text`` and ask the god about what was heard (silence when nothing was)."""
        asker = asker_of(message)
        try:
            heard = await self.hearing.hear(
                text, language if script_language(text) else None, asker
            )
        except (GodBusy, GodTimeout):  # the voice hears in the god's worker
            return Thought(text, language, refusal="busy")
        question = tuple(heard.concepts)
        notice = None
        if heard.unknown:
            notice = say("unknown_words", language, words=", ".join(heard.unknown[:12]))
        if not question:
            unknown = f" ({', '.join(heard.unknown[:12])})" if heard.unknown else ""
            notice = say("unheard", language, unknown=unknown)
            return Thought(text, language, heard, context, SILENT, notice=notice)
        if len(question) > MAX_QUESTION:
            return Thought(text, language, heard, context, SILENT, notice=notice)
        if before_asking is not None:
            await before_asking(heard)
        try:
            scene = await self.runner.ask(Request(question, context), asker)
        except (GodBusy, GodTimeout):
            return Thought(text, language, heard, context, refusal="busy")
        except GodFailed as error:
            logger.error("the god failed on %r: %s", heard.glyphs, error)
            return Thought(text, language, heard, context, refusal="error")
        return Thought(text, language, heard, context, scene, notice=notice)

    async def answer(self, message: Incoming) -> Reply:
        """Answer one message in its effective mode, remembered; never raises for bad input."""
        started = time.perf_counter()
        reply = await self._answer(message)
        elapsed = time.perf_counter() - started
        self.metrics.replied(message.platform, reply.mode, reply.kind, elapsed)
        return reply

    async def _answer(self, message: Incoming) -> Reply:
        text = clean_text(message.text)
        try:
            await self.chats.open(message)
            language = await self.chats.language_for(message, text)
            mode = await self.chats.effective_mode(message)
        except StoreError as error:
            logger.error("store unavailable while answering: %s", error)
            language = self.chats.guess_language(message, text)
            mode = message.mode or self.settings.default_mode
            return self._refused("store_error", mode, language)
        refusal = self.check(text) or self.admit(message)
        if refusal is not None:
            return self._refused(refusal, mode, language, text)
        try:
            chat = await self.chats.chat(message)
            user = await self.chats.user(message)
            context = await self.contexts.get(chat, message.thread_id)
        except StoreError as error:
            logger.error("store unavailable while answering: %s", error)
            return self._refused("store_error", mode, language)

        question_id: list[int] = []
        if message.redelivered and message.external_message_id:
            try:
                earlier = await self.store.find_question(chat, message.external_message_id)
            except StoreError as error:
                logger.error("store unavailable while answering: %s", error)
                return self._refused("store_error", mode, language)
            if earlier is not None and earlier.answer is not None:
                return self._earlier_answer(earlier.answer, language)
            if earlier is not None:
                question_id.append(earlier.question.id)
        charged = None
        # (a question asked before a restart and never answered was counted then)
        if self.quotas is not None and not question_id:
            charge, day = await self.quotas.charge(message, user.id, "answer")
            if charge in ("reached", "quiet"):
                return self._refused("quota" if charge == "reached" else "quiet", mode, language)
            charged = day if charge == "counted" else None

        async def give_back() -> None:
            if charged is not None and self.quotas is not None:
                await self.quotas.give_back(user.id, charged, "answer")

        async def store_question(heard: BridgeResult) -> None:
            if question_id:  # asked before a restart, never answered: answer that question
                return
            question_id.append(
                await self._store_message(
                    NewMessage(
                        chat.id,
                        user.id,
                        "user",
                        text,
                        heard.glyphs,
                        mode,
                        language,
                        external_message_id=message.external_message_id,
                        thread=message.thread_id,
                    )
                )
            )

        try:
            thought = await self.think(
                message, text, language, context, before_asking=store_question
            )
            if not question_id and thought.heard is not None:  # silence: nothing was asked
                await store_question(thought.heard)
        except StoreError as error:
            logger.error("store unavailable while answering: %s", error)
            await give_back()
            return self._refused("store_error", mode, language)
        if thought.refusal is not None:
            await give_back()
            return self._refused(thought.refusal, mode, language, heard=thought.heard)
        heard = thought.heard
        assert heard is not None
        glyphs = self.lexicon.glyphs(thought.scene)
        try:
            spoken = await self.hearing.speak(glyphs, language, asker_of(message))
        except (GodBusy, GodTimeout):
            await give_back()
            return self._refused("busy", mode, language, heard=heard)
        try:
            answer_id: int | None = await self._store_message(
                NewMessage(
                    chat.id,
                    None,
                    "god",
                    spoken.text,
                    glyphs,
                    mode,
                    language,
                    question_id[0],
                    thread=message.thread_id,
                )
            )
        except StoreError as error:
            logger.error("could not store the god's answer: %s", error)
            self.metrics.store_error()
            answer_id = None
        if thought.question:
            exchange = Exchange(thought.question, thought.scene)
            self.contexts.remember(chat.id, message.thread_id, exchange)
        return Reply(
            "silence" if thought.scene == SILENT else "answer",
            mode,
            glyphs,
            spoken.text if mode == "translate" else None,
            heard=heard.glyphs,
            unknown=heard.unknown,
            language=language,
            message_id=answer_id,
            notice=thought.notice,
        )

    async def preview(self, message: Incoming) -> Reply:
        """Answer without context and without storing anything (inline queries, previews)."""
        text = clean_text(message.text)[: self.settings.max_message_chars]
        language = self.chats.guess_language(message, text)
        mode = message.mode or self.settings.default_mode
        refusal = self.check(text) or self.admit(message)
        if refusal is not None:
            return self._refused(refusal, mode, language, text)
        thought = await self.think(message, text, language, None)
        if thought.refusal is not None:
            return self._refused(thought.refusal, mode, language)
        glyphs = self.lexicon.glyphs(thought.scene)
        try:
            spoken = await self.hearing.speak(glyphs, language, asker_of(message))
        except (GodBusy, GodTimeout):
            return self._refused("busy", mode, language)
        heard = thought.heard
        assert heard is not None
        return Reply(
            "silence" if thought.scene == SILENT else "answer",
            mode,
            glyphs,
            spoken.text,
            heard=heard.glyphs,
            unknown=heard.unknown,
            language=language,
        )

    def _earlier_answer(self, answer: MessageRecord, language: Language) -> Reply:
        """The god's stored answer to a redelivered question: sent again only if it never
        went out (its platform id was never recorded)."""
        if answer.external_message_id is not None:
            return Reply("delivered", answer.mode, answer.glyphs or "", language=language)
        glyphs = answer.glyphs or ""
        return Reply(
            "silence" if glyphs == self.lexicon.glyph(SILENCE) else "answer",
            answer.mode,
            glyphs,
            answer.text if answer.mode == "translate" else None,
            language=cast(Language, answer.language or language),
            message_id=answer.id,
        )

    def _refused(
        self,
        kind: ReplyKind | Literal["store_error"],
        mode: Mode,
        language: Language,
        text: str = "",
        heard: BridgeResult | None = None,
    ) -> Reply:
        if kind == "store_error":
            self.metrics.store_error()
        return Reply(
            "error" if kind == "store_error" else kind,
            mode,
            "",
            self.refusal_text(kind, language, text),
            heard=heard.glyphs if heard else "",
            unknown=heard.unknown if heard else (),
            language=language,
        )

    async def close(self) -> None:
        """Finish storing what is being stored."""
        await self._store_message.close()
