"""The one core that every frontend calls: hear, ask the god, answer in the right mode, remember.

Frontends translate a platform's update into an ``Incoming`` and render the ``Reply``; every
rule (modes and their precedence, the admin rule, languages, limits, context, what is stored
when) lives here. Blocking work never runs on the event loop: the god runs in the runner's
thread, the database through aiosqlite, and the bridge in a thread unless the text is short
enough for the bridge to call it cheap (the lexicon bridge: up to 256 characters, ~0.3 ms).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from core.bridge.protocol import Bridge
from core.field.data import FieldPicture, FieldUnavailable
from core.grouping import GroupedCall
from core.language.lexicon import Entry, Lexicon
from core.language.oracle import SILENCE, SILENT, Exchange, Scene
from core.model.god import MAX_QUESTION, God, Request
from core.model.runner import GodBusy, GodFailed, GodRunner, GodTimeout
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    NewMessage,
    StoreError,
    UserRecord,
)
from core.storage.records import Exchange as StoredExchange
from core.storage.repository import ConversationStore
from core.texts import say
from core.types import (
    MODES,
    BridgeResult,
    ChatKind,
    Incoming,
    Language,
    LanguageSetting,
    Mode,
    Reply,
)

logger = logging.getLogger(__name__)

HISTORY_LIMIT = 50
LanguageArgument = TypeVar("LanguageArgument", Language, Language | None)
SettingOutcome = Literal["shown", "set", "refused", "invalid"]


@dataclass(frozen=True, slots=True)
class CoreSettings:
    """The part of the configuration the core needs."""

    default_mode: Mode = "translate"
    language: LanguageSetting = "auto"
    max_message_chars: int = 2000
    context_turns: int = 1


@dataclass(frozen=True, slots=True)
class SettingChange:
    """The result of showing or changing a chat setting."""

    outcome: SettingOutcome
    value: str
    message: str


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One past exchange, for /history."""

    question: str
    heard: str
    glyphs: str
    text: str | None
    mode: Mode


_CONTROL = str.maketrans({code: None for code in (*range(0, 9), 11, 12, *range(14, 32), 127)})


def clean_text(text: str) -> str:
    """Text safe to store and show: lone surrogates become U+FFFD, control characters go."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.translate(_CONTROL).strip()


def script_language(text: str) -> Language | None:
    """ "ru" when Cyrillic letters outnumber Latin ones, "en" for the reverse, else None."""
    cyrillic = sum(1 for c in text if "а" <= c.lower() <= "я" or c in "ёЁ")
    latin = sum(1 for c in text if "a" <= c.lower() <= "z")
    if cyrillic == latin == 0:
        return None
    return "ru" if cyrillic > latin else "en"


def client_language(code: str | None) -> Language | None:
    """The language of a platform client code ("ru", "en-US", "uk"…), if we speak it."""
    if not code:
        return None
    base = code.lower().split("-")[0].split("_")[0]
    if base in ("ru", "uk", "be", "kk"):
        return "ru"
    if base == "en":
        return "en"
    return None


class GodService:
    """Shared by every frontend on one event loop; received through their constructors.

    Chats, users, settings and each chat's last exchange are cached in memory: this
    process is the only writer of settings, and every change goes through it. What the
    cache lacks is loaded for all waiting messages in one transaction, and messages are
    stored the same way (group commit): the store costs a round trip per batch, not per reply.
    """

    def __init__(
        self,
        *,
        settings: CoreSettings,
        store: ConversationStore,
        runner: GodRunner,
        bridge: Bridge,
        lexicon: Lexicon,
        god: God | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.runner = runner
        self.bridge = bridge
        self.lexicon = lexicon
        self.god = god
        self._store_message = GroupedCall(store.add_messages, name="message-writer")
        self._open_conversation = GroupedCall(store.open_conversations, name="conversation-opener")
        self._chats: dict[tuple[str, str], ChatRecord] = {}
        self._users: dict[tuple[str, str], UserRecord] = {}
        self._settings: dict[tuple[str, str, str | None], ChatSettings] = {}
        self._last_exchange: dict[int, Exchange | None] = {}

    async def prepare(self) -> None:
        """Load the bridge's dictionaries now (off the loop), not on the first message."""
        await asyncio.to_thread(self.bridge.prepare)

    # ---------------------------------------------------------------- settings
    async def _chat(self, message: Incoming) -> ChatRecord:
        key = (message.platform, message.chat_id)
        chat = self._chats.get(key)
        if chat is None or chat.kind != message.chat_kind:
            chat = await self.store.ensure_chat(
                message.platform, message.chat_id, message.chat_kind
            )
            self._chats[key] = chat
        return chat

    async def _user(self, message: Incoming) -> UserRecord:
        key = (message.platform, message.user_id)
        user = self._users.get(key)
        if user is None or (message.user_name and user.name != message.user_name):
            user = await self.store.ensure_user(
                message.platform, message.user_id, message.user_name, message.language_hint
            )
            self._users[key] = user
        return user

    async def _chat_settings(self, message: Incoming, channel: bool = True) -> ChatSettings:
        channel_id = message.channel_id if channel else None
        key = (message.platform, message.chat_id, channel_id)
        settings = self._settings.get(key)
        if settings is None:
            settings = await self.store.get_chat_settings(
                message.platform, message.chat_id, channel_id
            )
            self._settings[key] = settings
        return settings

    def _is_known(self, message: Incoming) -> bool:
        chat = self._chats.get((message.platform, message.chat_id))
        user = self._users.get((message.platform, message.user_id))
        return (
            chat is not None
            and chat.kind == message.chat_kind
            and user is not None
            and not (message.user_name and user.name != message.user_name)
            and (message.platform, message.chat_id, message.channel_id) in self._settings
            and (message.platform, message.chat_id, None) in self._settings
            and (chat.id in self._last_exchange or self.settings.context_turns <= 0)
        )

    async def _open(self, message: Incoming) -> None:
        """Make sure the caches know this chat, user, their settings and the last exchange."""
        if self._is_known(message):
            return
        conversation = await self._open_conversation(
            ConversationKey(
                message.platform,
                message.chat_id,
                message.chat_kind,
                message.user_id,
                message.user_name,
                message.language_hint,
                message.channel_id,
            )
        )
        self._remember(message, conversation)

    def _remember(self, message: Incoming, conversation: Conversation) -> None:
        chat, settings = conversation.chat, conversation.settings
        self._chats[(message.platform, message.chat_id)] = chat
        self._users[(message.platform, message.user_id)] = conversation.user
        self._settings[(message.platform, message.chat_id, message.channel_id)] = settings
        self._settings[(message.platform, message.chat_id, None)] = ChatSettings(
            settings.default_mode, None, settings.language
        )
        # An answer given since the load began is newer than what the store returned.
        self._last_exchange.setdefault(chat.id, self._exchange_of(conversation.last_exchange))

    def _forget_settings(self, message: Incoming) -> None:
        for key in [k for k in self._settings if k[:2] == (message.platform, message.chat_id)]:
            del self._settings[key]
        self._chats.pop((message.platform, message.chat_id), None)

    async def effective_mode(self, message: Incoming) -> Mode:
        """Explicit command, else channel override, else chat default, else the config."""
        if message.mode:
            return message.mode
        settings = await self._chat_settings(message)
        return settings.effective_mode(self.settings.default_mode)

    async def language_for(self, message: Incoming, text: str | None = None) -> Language:
        """The reader's language: the chat's setting, else the client, else the script."""
        settings = await self._chat_settings(message, channel=False)
        setting = settings.language if settings.language != "auto" else self.settings.language
        if setting in ("ru", "en"):
            return setting  # type: ignore[return-value]
        return (
            client_language(message.language_hint)
            or script_language(text if text is not None else message.text)
            or "en"
        )

    def may_change_settings(self, message: Incoming) -> bool:
        """Private chats belong to their user; elsewhere only administrators decide."""
        return message.chat_kind == "private" or message.is_admin

    async def mode_setting(
        self,
        message: Incoming,
        value: str | None,
        *,
        scope: Literal["chat", "channel"] = "chat",
    ) -> SettingChange:
        """Show (value None) or set the default mode of the chat or, on Discord, the channel."""
        language = await self.language_for(message, "")
        await self._chat(message)
        if not value:
            mode = await self.effective_mode(
                message if scope == "channel" else _without_channel(message)
            )
            return SettingChange("shown", mode, say("mode_is", language, mode=mode))
        value = value.strip().lower()
        if value not in MODES:
            return SettingChange("invalid", value, say("mode_bad", language, value=value))
        if not self.may_change_settings(message):
            return SettingChange("refused", value, say("admins_only", language))
        self._forget_settings(message)
        if scope == "channel" and message.channel_id:
            await self.store.set_channel_mode(
                message.platform,
                message.chat_id,
                message.channel_id,
                value,  # type: ignore[arg-type]
            )
        else:
            await self.store.set_chat_mode(message.platform, message.chat_id, value)  # type: ignore[arg-type]
        self._forget_settings(message)
        return SettingChange("set", value, say("mode_set", language, mode=value))

    async def language_setting(self, message: Incoming, value: str | None) -> SettingChange:
        """Show (value None) or set the language of the translated voice for this chat."""
        chat = await self._chat(message)
        if not value:
            shown = chat.language
            language = await self.language_for(message, "")
            if shown == "auto":
                shown = f"auto ({language})"
            return SettingChange("shown", chat.language, say("lang_is", language, language=shown))
        value = value.strip().lower()
        language = await self.language_for(message, "")
        if value not in ("ru", "en", "auto"):
            return SettingChange("invalid", value, say("lang_bad", language, value=value))
        if not self.may_change_settings(message):
            return SettingChange("refused", value, say("admins_only", language))
        self._forget_settings(message)
        await self.store.set_chat_language(message.platform, message.chat_id, value)  # type: ignore[arg-type]
        self._forget_settings(message)
        language = await self.language_for(message, "")
        return SettingChange("set", value, say("lang_set", language, language=value))

    # ---------------------------------------------------------------- answering
    def hear(self, text: str, language: Language | None = None) -> BridgeResult:
        """What the god hears of a text (the bridge alone)."""
        return self.bridge.hear(text, language)

    async def _context(self, chat: ChatRecord) -> Exchange | None:
        """The chat's last exchange: from memory, or from the store after a restart."""
        if self.settings.context_turns <= 0:
            return None
        if chat.id in self._last_exchange:
            return self._last_exchange[chat.id]
        exchanges = await self.store.recent_exchanges(chat, None, limit=1)
        context = self._exchange_of(exchanges[-1] if exchanges else None)
        self._last_exchange[chat.id] = context
        return context

    def _exchange_of(self, stored: StoredExchange | None) -> Exchange | None:
        """A stored question and answer as the god's context (None if unanswered)."""
        if stored is None or stored.answer is None:
            return None
        question = self._scene(stored.question.glyphs or "")
        answer = self._scene(stored.answer.glyphs or "")
        return Exchange(question, answer) if question and answer else None

    async def _translate(
        self,
        function: Callable[[str, LanguageArgument, str], Awaitable[BridgeResult]],
        text: str,
        language: LanguageArgument,
        asker: str = "",
    ) -> BridgeResult:
        """The bridge off the loop (a neural bridge's work in the runner, for ``asker``)."""
        return await function(text, language, asker)

    def _scene(self, glyphs: str) -> Scene:
        return tuple(key for key in self.lexicon.keys_of(glyphs) if key is not None)

    async def answer(self, message: Incoming) -> Reply:
        """Answer one message in its effective mode; never raises for bad input."""
        text = clean_text(message.text)
        try:
            await self._open(message)
            language = await self.language_for(message, text)
            mode = await self.effective_mode(message)
        except StoreError as error:
            logger.error("store unavailable while answering: %s", error)
            language = client_language(message.language_hint) or script_language(text) or "en"
            return Reply(
                "error",
                message.mode or self.settings.default_mode,
                "",
                say("store_error", language),
                language=language,
            )
        if not text:
            return Reply("empty", mode, "", say("empty", language), language=language)
        limit = self.settings.max_message_chars
        if len(text) > limit:
            notice = say("too_long", language, length=len(text), limit=limit)
            return Reply("too_long", mode, "", notice, language=language)

        asker = f"{message.platform}:{message.user_id}"
        try:
            heard = await self._translate(
                self.bridge.hear_async, text, language if script_language(text) else None, asker
            )
        except (GodBusy, GodTimeout):
            return Reply("busy", mode, "", say("busy", language), language=language)
        question = tuple(heard.concepts)
        try:
            chat = await self._chat(message)
            user = await self._user(message)
            context = await self._context(chat)
            question_id = await self._store_message(
                NewMessage(chat.id, user.id, "user", text, heard.glyphs, mode, language)
            )
        except StoreError as error:
            logger.error("store unavailable while answering: %s", error)
            return Reply("error", mode, "", say("store_error", language), language=language)

        notice = None
        if heard.unknown:
            notice = say("unknown_words", language, words=", ".join(heard.unknown[:12]))
        if not question:
            scene: Scene = SILENT
        elif len(question) > MAX_QUESTION:
            scene = SILENT
        else:
            try:
                scene = await self.runner.ask(
                    Request(question, context), f"{message.platform}:{message.user_id}"
                )
            except (GodBusy, GodTimeout):
                return Reply(
                    "busy",
                    mode,
                    "",
                    say("busy", language),
                    heard=heard.glyphs,
                    unknown=heard.unknown,
                    language=language,
                )
            except GodFailed as error:
                logger.error("the god failed on %r: %s", heard.glyphs, error)
                return Reply(
                    "error",
                    mode,
                    "",
                    say("error", language),
                    heard=heard.glyphs,
                    unknown=heard.unknown,
                    language=language,
                )

        glyphs = self.lexicon.glyphs(scene)
        try:
            spoken = await self._translate(self.bridge.speak_async, glyphs, language, asker)
        except (GodBusy, GodTimeout):
            return Reply("busy", mode, "", say("busy", language), language=language)
        try:
            answer_id: int | None = await self._store_message(
                NewMessage(chat.id, None, "god", spoken.text, glyphs, mode, language, question_id)
            )
        except StoreError as error:
            logger.error("could not store the god's answer: %s", error)
            answer_id = None
        if question:
            self._last_exchange[chat.id] = Exchange(question, scene)
        if not question:
            unknown = f" ({', '.join(heard.unknown[:12])})" if heard.unknown else ""
            notice = say("unheard", language, unknown=unknown)
        return Reply(
            "silence" if scene == SILENT else "answer",
            mode,
            glyphs,
            spoken.text if mode == "translate" else None,
            heard=heard.glyphs,
            unknown=heard.unknown,
            language=language,
            message_id=answer_id,
            notice=notice,
        )

    async def preview(self, message: Incoming) -> Reply:
        """Answer without context and without storing anything (inline queries, previews)."""
        text = clean_text(message.text)[: self.settings.max_message_chars]
        language = client_language(message.language_hint) or script_language(text) or "en"
        mode = message.mode or self.settings.default_mode
        if not text:
            return Reply("empty", mode, "", say("empty", language), language=language)
        asker = f"{message.platform}:{message.user_id}"
        try:
            heard = await self._translate(self.bridge.hear_async, text, None, asker)
        except (GodBusy, GodTimeout):
            return Reply("busy", mode, "", say("busy", language), language=language)
        scene: Scene = SILENT
        if heard.concepts and len(heard.concepts) <= MAX_QUESTION:
            try:
                scene = await self.runner.ask(
                    Request(tuple(heard.concepts)), f"{message.platform}:{message.user_id}"
                )
            except (GodBusy, GodTimeout):
                return Reply("busy", mode, "", say("busy", language), language=language)
            except GodFailed:
                return Reply("error", mode, "", say("error", language), language=language)
        glyphs = self.lexicon.glyphs(scene)
        try:
            spoken = await self._translate(self.bridge.speak_async, glyphs, language, asker)
        except (GodBusy, GodTimeout):
            return Reply("busy", mode, "", say("busy", language), language=language)
        return Reply(
            "silence" if scene == SILENT else "answer",
            mode,
            glyphs,
            spoken.text,
            heard=heard.glyphs,
            unknown=heard.unknown,
            language=language,
        )

    async def reveal(self, message_id: int, message: Incoming) -> Reply | None:
        """The translation of a stored answer of the god (no second model run when stored)."""
        record = await self.store.get_message(message_id)
        if record is None or record.role != "god":
            return None
        language = await self.language_for(message, record.text or "")
        glyphs = record.glyphs or self.lexicon.glyph(SILENCE)
        if record.text and record.language == language:
            text = record.text
        else:
            asker = f"{message.platform}:{message.user_id}"
            text = (await self._translate(self.bridge.speak_async, glyphs, language, asker)).text
            await self.store.set_translation(message_id, text, language)
        kind = "silence" if glyphs == self.lexicon.glyph(SILENCE) else "answer"
        return Reply(kind, "translate", glyphs, text, language=language, message_id=message_id)

    async def remember_delivery(self, message_id: int, external_message_id: str) -> None:
        """Link a stored answer to the platform's id of the message that carried it."""
        try:
            await self.store.set_external_id(message_id, external_message_id)
        except StoreError as error:
            logger.warning("could not link answer %s: %s", message_id, error)

    async def find_answer(self, message: Incoming, external_message_id: str) -> int | None:
        """The stored answer that a platform message carried, if any."""
        chat = await self._chat(message)
        record = await self.store.find_by_external_id(chat, external_message_id)
        return record.id if record and record.role == "god" else None

    async def speak(self, glyphs: str, message: Incoming) -> BridgeResult:
        """Glyphs to text in the reader's language (the bridge alone)."""
        language = await self.language_for(message, "")
        asker = f"{message.platform}:{message.user_id}"
        return await self._translate(self.bridge.speak_async, glyphs, language, asker)

    async def bridge_text(self, text: str, message: Incoming) -> BridgeResult:
        """The bridge alone, in whichever direction the input asks for."""
        language = await self.language_for(message, text)
        asker = f"{message.platform}:{message.user_id}"
        return await self._translate(self.bridge.translate_async, text, language, asker)

    def lookup(self, query: str) -> list[Entry]:
        """Dictionary look-up by word, key or glyph; inflected words through the bridge."""
        return lookup_entries(self.lexicon, self.bridge, query)

    # ---------------------------------------------------------------- memory
    async def history(self, message: Incoming, count: int = 5) -> list[HistoryItem]:
        """The last ``count`` exchanges of this user in this chat, oldest first."""
        chat = await self._chat(message)
        user = await self._user(message)
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
        chat = await self._chat(message)
        user = await self._user(message)
        self._last_exchange.pop(chat.id, None)
        return await self.store.forget(chat, user)

    async def close(self) -> None:
        """Drain in-flight answers, stop the worker and close the store."""
        await self.runner.stop()
        await self._store_message.close()
        await self._open_conversation.close()
        await self.store.close()

    # ---------------------------------------------------------------- the meaning field
    async def field(self, message: Incoming) -> FieldPicture:
        """The meaning-field picture of one message: what the god heard, attended to, answered.

        Read-only: nothing is stored. The god answers through the runner like any question;
        the picture (one observed forward pass, then the drawing) is made in the model's own
        thread, never on the event loop. No picture of nothing: a message without a known
        concept gets only a caption. Raises FieldUnavailable when the service has no god.
        """
        if self.god is None:
            raise FieldUnavailable("the meaning field needs the god itself (GodService(god=...))")
        from core.field.picture import meaning_field

        god = self.god
        text = clean_text(message.text)
        try:
            language = await self.language_for(message, text)
        except StoreError as error:
            logger.warning("store unavailable for the meaning field: %s", error)
            language = client_language(message.language_hint) or script_language(text) or "en"
        if len(text) > self.settings.max_message_chars:
            limit = self.settings.max_message_chars
            return FieldPicture(None, say("too_long", language, length=len(text), limit=limit))
        asker = f"{message.platform}:{message.user_id}"
        try:
            heard = await self._translate(
                self.bridge.hear_async, text, language if script_language(text) else None, asker
            )
        except (GodBusy, GodTimeout):
            return FieldPicture(None, say("busy", language))
        question = tuple(heard.concepts)
        if not question:
            unknown = f" ({', '.join(heard.unknown[:12])})" if heard.unknown else ""
            return FieldPicture(None, say("field_unheard", language, unknown=unknown))
        try:
            context = await self._context(await self._chat(message))
        except StoreError as error:
            logger.warning("meaning field without context (store unavailable): %s", error)
            context = None
        if len(question) > MAX_QUESTION:
            scene: Scene = SILENT
        else:
            try:
                scene = await self.runner.ask(
                    Request(question, context), f"{message.platform}:{message.user_id}"
                )
            except (GodBusy, GodTimeout):
                return FieldPicture(None, say("busy", language))
            except GodFailed as error:
                logger.error("the god failed on %r for the field: %s", heard.glyphs, error)
                return FieldPicture(None, say("error", language))
        try:
            data, png = await self.runner.call(
                meaning_field, god, question, context, scene, language
            )
        except Exception:
            logger.exception("could not draw the meaning field of %r", heard.glyphs)
            return FieldPicture(None, say("error", language))
        glyphs = self.lexicon.glyphs(scene)
        caption = say("field_caption", language, heard=heard.glyphs, glyphs=glyphs)
        return FieldPicture(png, caption, data)


def freeze_startup_objects() -> None:
    """Keep what was loaded at start (torch, transformers, lexicon, dictionaries: ~400 000
    objects) out of the garbage collector's full passes, which otherwise stop the event loop
    for ~200 ms each. For the process's owner to call once everything is loaded."""
    gc.collect()
    gc.freeze()


def history_count(argument: str) -> int | None:
    """The n of "/history [n]": 5 by default, 1 to HISTORY_LIMIT; None when it is no such n."""
    if not argument.strip():
        return 5
    try:
        value = int(argument)
    except ValueError:
        return None
    return value if 1 <= value <= HISTORY_LIMIT else None


def lookup_entries(lexicon: Lexicon, bridge: Bridge, query: str) -> list[Entry]:
    """Exact look-up first (glyph, key, lemma or synonym); else what the bridge hears."""
    found = lexicon.lookup(query)
    if found or not query.strip():
        return found
    heard = bridge.hear(query[:200])
    return list(dict.fromkeys(lexicon.by_key(key) for key in heard.concepts))


def _without_channel(message: Incoming) -> Incoming:
    from dataclasses import replace

    return replace(message, channel_id=None)


def chat_kind_of(value: str) -> ChatKind:
    """Normalise a platform chat type into the core's three kinds."""
    if value == "private":
        return "private"
    return "channel" if value == "channel" else "group"
