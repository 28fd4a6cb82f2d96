"""Who may talk to the god: the ``[access]`` section and the one decision every frontend uses.

Entries name people and places by the platform's own ids: a Telegram user or chat id, or its
@username; a Discord user, role, server or channel id. Users are on both platforms (an entry
may start with ``telegram:`` or ``discord:`` to apply on that platform only); chats are
Telegram's, servers, channels and roles Discord's.

The decision, for one message (``decide``):

1. an owner (``owners``) is always allowed, whatever the lists say; the console, whose user
   runs the bot, counts as an owner;
2. anyone matching a block list is refused (user, chat, server, channel, role);
3. if a platform has allow lists, the asker must match one of its "who" lists (users, roles)
   and one of its "where" lists (chats, servers, channels), each only where it has entries
   for that platform; empty allow lists allow everyone.

A refused asker is told once a day (``Gate``, in process memory: nothing about a refused
asker is written to the store); the messages after that go unanswered without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from cachetools import TTLCache

from core.types import Incoming

Decision = Literal["owner", "allowed", "blocked"]
Verdict = Literal["owner", "allowed", "refuse", "quiet"]
Clock = Callable[[], datetime]
DAY_S = 24 * 3600.0


def utc_now() -> datetime:
    """The default clock: now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AccessSettings:
    """The ``[access]`` section: every field is a documented key of config.example.toml."""

    owners: tuple[str, ...] = ()
    allow_users: tuple[str, ...] = ()
    block_users: tuple[str, ...] = ()
    allow_chats: tuple[str, ...] = ()
    block_chats: tuple[str, ...] = ()
    allow_servers: tuple[str, ...] = ()
    block_servers: tuple[str, ...] = ()
    allow_channels: tuple[str, ...] = ()
    block_channels: tuple[str, ...] = ()
    allow_roles: tuple[str, ...] = ()
    block_roles: tuple[str, ...] = ()
    daily_answers: int = 0
    daily_fields: int = 0
    refusal_memory: int = 10_000


Entry = tuple[str | None, str]  # (platform or None for every platform, id or @name lowered)
# chats are Telegram's (a Discord server or channel has its own list); users are both
ONLY_ON = {"chats": "telegram", "servers": "discord", "channels": "discord", "roles": "discord"}


def entry_of(raw: str) -> Entry:
    """``"telegram:@Name"`` → ("telegram", "@name"); ``"123"`` → (None, "123")."""
    text = str(raw).strip()
    platform: str | None = None
    head, colon, rest = text.partition(":")
    if colon and head.lower() in ("telegram", "discord", "console"):
        platform, text = head.lower(), rest.strip()
    return platform, text.lower()


class Lists:
    """One kind of list (users, chats, …) parsed once, asked per platform."""

    def __init__(self, raw: Iterable[str], kind: str) -> None:
        entries = [entry_of(item) for item in raw]
        only = ONLY_ON.get(kind)
        if only is not None:
            entries = [(platform or only, value) for platform, value in entries]
        self.entries = frozenset(entries)
        self.platforms = frozenset(platform for platform, _ in entries)  # None: every one

    def applies(self, platform: str) -> bool:
        """Whether this list has an entry for ``platform``."""
        return None in self.platforms or platform in self.platforms

    def matches(self, platform: str, names: Iterable[str | None]) -> bool:
        """Whether any of ``names`` (ids, @usernames) is listed for ``platform``."""
        for name in names:
            if not name:
                continue
            value = name.lower()
            if (None, value) in self.entries or (platform, value) in self.entries:
                return True
        return False


def _handle(name: str | None) -> str | None:
    return f"@{name.lstrip('@')}" if name else None


class AccessPolicy:
    """The lists of ``AccessSettings``, parsed once; ``decide`` is pure."""

    def __init__(self, settings: AccessSettings) -> None:
        self.settings = settings
        self.owners = Lists(settings.owners, "users")
        kinds = ("users", "chats", "servers", "channels", "roles")
        self.allow = {kind: Lists(getattr(settings, f"allow_{kind}"), kind) for kind in kinds}
        self.block = {kind: Lists(getattr(settings, f"block_{kind}"), kind) for kind in kinds}
        lists = (*self.allow.values(), *self.block.values())
        self.open = not any(listed.entries for listed in lists)  # everyone: nothing to match

    @staticmethod
    def names(message: Incoming) -> dict[str, tuple[str | None, ...]]:
        """What each kind of list is matched against, for one message."""
        if message.platform != "discord":
            return {
                "users": (message.user_id, _handle(message.user_handle)),
                "chats": (message.chat_id, _handle(message.chat_handle)),
            }
        if message.chat_kind != "group":  # a DM: its channel is the chat
            where: dict[str, tuple[str | None, ...]] = {"channels": (message.chat_id,)}
        else:  # a thread counts as itself and as its parent channel
            channels = (message.channel_id, message.thread_id)
            where = {"servers": (message.chat_id,), "channels": channels}
        return {"users": (message.user_id,), "roles": tuple(message.role_ids), **where}

    def is_owner(self, message: Incoming) -> bool:
        """An owner of the bot (the console's user always is)."""
        if message.platform == "console":
            return True
        if not self.owners.entries:
            return False
        return self.owners.matches(message.platform, self.names(message)["users"])

    def decide(self, message: Incoming) -> Decision:
        """Owner, allowed or blocked, by the rules of this module's docstring."""
        if self.is_owner(message):
            return "owner"
        if self.open:
            return "allowed"
        platform = message.platform
        names = self.names(message)
        if any(self.block[kind].matches(platform, names[kind]) for kind in names):
            return "blocked"
        for group in (("users", "roles"), ("chats", "servers", "channels")):
            lists = [kind for kind in group if self.allow[kind].applies(platform)]
            if lists and not any(self.allow[k].matches(platform, names.get(k, ())) for k in lists):
                return "blocked"
        return "allowed"


class Gate:
    """``AccessPolicy`` plus the memory of whom it told today (bounded, in process only)."""

    def __init__(self, settings: AccessSettings, clock: Clock = utc_now) -> None:
        self.policy = AccessPolicy(settings)
        self.clock = clock
        size = max(settings.refusal_memory, 1)
        self._told: TTLCache[tuple[str, str, date], bool] = TTLCache(size, ttl=2 * DAY_S)

    def today(self) -> date:
        """The day by the injected clock, in UTC."""
        return self.clock().astimezone(UTC).date()

    def check(self, message: Incoming) -> Verdict:
        """Owner or allowed; else ``refuse`` the first time today, ``quiet`` after that."""
        decision = self.policy.decide(message)
        if decision != "blocked":
            return decision
        key = (message.platform, message.user_id, self.today())
        if key in self._told:
            return "quiet"
        self._told[key] = True
        return "refuse"

    def is_owner(self, message: Incoming) -> bool:
        """An owner of the bot."""
        return self.policy.is_owner(message)
