"""Chats, users and their settings: modes, languages, who may change them, and their cache.

Chats, users and settings are cached in memory, each cache bounded (least recently used
entries go first, ``[core] cache_size``). A chat's settings live under one key, so a change
touches that chat alone. Other processes on the same database may change settings too: a
change made here is announced (``SettingsNotice``; PostgreSQL's NOTIFY) and the others
``forget`` that chat; cached chats, users and settings also expire after ``[core]
settings_ttl_s``, in case a notice is lost (or a user was erased elsewhere). What the cache
lacks is loaded for all waiting messages in one transaction (``open``), so a burst of new
chats costs one round trip.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from cachetools import LRUCache, TTLCache

from core.grouping import GroupedCall
from core.language.text import client_language, script_language
from core.service.context import Contexts
from core.settings import CoreSettings
from core.storage.records import (
    ChatRecord,
    ChatSettings,
    Conversation,
    ConversationKey,
    UserRecord,
)
from core.storage.repository import ConversationStore
from core.texts import say
from core.types import MODES, Incoming, Language, Mode

logger = logging.getLogger(__name__)

SettingOutcome = Literal["shown", "set", "refused", "invalid"]
Scope = Literal["chat", "channel"]


@dataclass(frozen=True, slots=True)
class SettingChange:
    """The result of showing or changing a chat setting."""

    outcome: SettingOutcome
    value: str
    message: str


class SettingsNotice(Protocol):
    """Tells the other processes on the database that a chat's settings changed."""

    async def changed(self, platform: str, chat_id: str) -> None:
        """Announce the change (never raises: a lost notice is caught up by the TTL)."""
        ...


class Chats:
    """Who speaks where, in which mode and language; settings shown and changed."""

    def __init__(
        self,
        settings: CoreSettings,
        store: ConversationStore,
        contexts: Contexts,
        notice: SettingsNotice | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.contexts = contexts
        self.notice = notice
        self._open_conversation = GroupedCall(store.open_conversations, name="conversation-opener")
        size, ttl = settings.cache_size, settings.settings_ttl_s
        self._chats: LRUCache[tuple[str, str], ChatRecord] = _cache(size, ttl)
        # users expire too: one erased (/forget all) by another process is not kept here
        self._users: LRUCache[tuple[str, str], UserRecord] = _cache(size, ttl)
        # (platform, chat) → {channel or None → settings}
        self._settings: LRUCache[tuple[str, str], dict[str | None, ChatSettings]] = _cache(
            size, ttl
        )

    def cache_sizes(self) -> dict[str, int]:
        """How many entries each cache holds (bounded by ``[core] cache_size``)."""
        return {
            "chats": len(self._chats),
            "users": len(self._users),
            "settings": len(self._settings),
            "contexts": self.contexts.size,
        }

    async def chat(self, message: Incoming) -> ChatRecord:
        """The stored chat the message was said in (created on first sight)."""
        key = (message.platform, message.chat_id)
        chat = self._chats.get(key)
        if chat is None or chat.kind != message.chat_kind:
            chat = await self.store.ensure_chat(
                message.platform, message.chat_id, message.chat_kind
            )
            self._chats[key] = chat
        return chat

    async def user(self, message: Incoming) -> UserRecord:
        """The stored user who said it (created on first sight, name kept current)."""
        key = (message.platform, message.user_id)
        user = self._users.get(key)
        if user is None or (message.user_name and user.name != message.user_name):
            user = await self.store.ensure_user(
                message.platform, message.user_id, message.user_name, message.language_hint
            )
            self._users[key] = user
        return user

    def _cached_settings(self, message: Incoming, channel_id: str | None) -> ChatSettings | None:
        by_channel = self._settings.get((message.platform, message.chat_id))
        return by_channel.get(channel_id) if by_channel is not None else None

    def _cache_settings(
        self, message: Incoming, channel_id: str | None, settings: ChatSettings
    ) -> None:
        key = (message.platform, message.chat_id)
        by_channel = self._settings.get(key)
        if by_channel is None:
            by_channel = self._settings[key] = {}
        by_channel[channel_id] = settings

    async def _chat_settings(self, message: Incoming, channel: bool = True) -> ChatSettings:
        channel_id = message.channel_id if channel else None
        settings = self._cached_settings(message, channel_id)
        if settings is None:
            settings = await self.store.get_chat_settings(
                message.platform, message.chat_id, channel_id
            )
            self._cache_settings(message, channel_id, settings)
        return settings

    def _is_known(self, message: Incoming) -> bool:
        chat = self._chats.get((message.platform, message.chat_id))
        user = self._users.get((message.platform, message.user_id))
        return (
            chat is not None
            and chat.kind == message.chat_kind
            and user is not None
            and not (message.user_name and user.name != message.user_name)
            and self._cached_settings(message, message.channel_id) is not None
            and self._cached_settings(message, None) is not None
            and self.contexts.knows(chat.id, message.thread_id)
        )

    async def open(self, message: Incoming) -> None:
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
        self._cache_settings(message, message.channel_id, settings)
        self._cache_settings(
            message, None, ChatSettings(settings.default_mode, None, settings.language)
        )
        if message.thread_id is None:  # the store's last exchange is the chat's own
            self.contexts.offer(chat.id, None, conversation.last_exchange)

    def forget(self, platform: str, chat_id: str) -> None:
        """A setting of this chat changed: drop this chat's entries, and only those."""
        self._settings.pop((platform, chat_id), None)
        self._chats.pop((platform, chat_id), None)

    def forget_all(self) -> None:
        """Drop every cached chat and setting (changes may have been missed)."""
        self._settings.clear()
        self._chats.clear()

    def forget_user(self, platform: str, user_id: str) -> None:
        """The user was erased: their next message stores them afresh."""
        self._users.pop((platform, user_id), None)

    def _forget_settings(self, message: Incoming) -> None:
        self.forget(message.platform, message.chat_id)

    async def _announce(self, message: Incoming) -> None:
        if self.notice is not None:
            await self.notice.changed(message.platform, message.chat_id)

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
        return self.guess_language(message, text)

    def guess_language(self, message: Incoming, text: str | None = None) -> Language:
        """The reader's language without the store: the client's, else the script, else en."""
        return (
            client_language(message.language_hint)
            or script_language(text if text is not None else message.text)
            or "en"
        )

    @staticmethod
    def may_change_settings(message: Incoming) -> bool:
        """Private chats belong to their user; elsewhere only administrators decide."""
        return message.chat_kind == "private" or message.is_admin

    async def mode_setting(
        self, message: Incoming, value: str | None, *, scope: Scope = "chat"
    ) -> SettingChange:
        """Show (value None) or set the default mode of the chat or, on Discord, the channel."""
        language = await self.language_for(message, "")
        await self.chat(message)
        channel = scope == "channel" and message.channel_id is not None
        if not value:
            mode = await self.effective_mode(message if channel else _without_channel(message))
            shown = "channel_mode_is" if channel else "mode_is"
            return SettingChange("shown", mode, say(shown, language, mode=mode))
        value = value.strip().lower()
        if value not in MODES:
            return SettingChange("invalid", value, say("mode_bad", language, value=value))
        if not self.may_change_settings(message):
            return SettingChange("refused", value, say("admins_only", language))
        self._forget_settings(message)
        if channel:
            await self.store.set_channel_mode(
                message.platform,
                message.chat_id,
                message.channel_id,  # type: ignore[arg-type]
                value,  # type: ignore[arg-type]
            )
        else:
            await self.store.set_chat_mode(message.platform, message.chat_id, value)  # type: ignore[arg-type]
        self._forget_settings(message)
        await self._announce(message)
        done = "channel_mode_set" if channel else "mode_set"
        return SettingChange("set", value, say(done, language, mode=value))

    async def language_setting(self, message: Incoming, value: str | None) -> SettingChange:
        """Show (value None) or set the language of the translated voice for this chat."""
        chat = await self.chat(message)
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
        await self._announce(message)
        language = await self.language_for(message, "")
        return SettingChange("set", value, say("lang_set", language, language=value))

    async def close(self) -> None:
        """Finish the conversations being opened."""
        await self._open_conversation.close()


def _cache(size: int, ttl_s: float) -> LRUCache:  # type: ignore[type-arg]
    """A bounded LRU cache whose entries also expire after ``ttl_s`` (0: never)."""
    return TTLCache(size, ttl_s) if ttl_s > 0 else LRUCache(size)


def _without_channel(message: Incoming) -> Incoming:
    return replace(message, channel_id=None)
