"""A fake Discord (REST API v10 and gateway) on 127.0.0.1 that a real discord.py bot talks to.

One aiohttp server serves both halves: REST under ``/api/v10`` and the gateway websocket at
``/``. Point discord.py at it, log in, connect, then drive the bot with gateway dispatches and
assert on the recorded REST requests::

    async with FakeDiscord() as fake:  # started and installed into discord.py
        bot = commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.1)
        await bot.login(fake.token)
        task = asyncio.create_task(bot.connect())
        await bot.wait_until_ready()
        ref = await fake.send_interaction("glyph", {"message": "hello"})
        assert (await ref.callback()).json["type"] == 5
        followup = await ref.followup()

The fake behaves like Discord where a bot would notice: exact ``application/json`` answers,
429s in the shape discord.py retries, form errors (50035) for over-long content or invalid
command names, the 3 second window to acknowledge an interaction, message content hidden
from bots without the message content intent, and the bot's own messages echoed back as
``MESSAGE_CREATE``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import math
import re
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntFlag
from typing import Any, TypeVar

import discord.gateway
import discord.http
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

from tests.fakes import discord_spec
from tests.fakes.violations import SpecViolationError

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
T = TypeVar("T")

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000
MAX_CONTENT = 2000
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
ALL_PERMISSIONS = (1 << 53) - 1


class Perm(IntFlag):
    """Discord permission bits used by the fake world."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38


EVERYONE_PERMISSIONS = (
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.SEND_MESSAGES_IN_THREADS
)


class Intent(IntFlag):
    """Gateway intent bits the fake honours."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15


class InteractionType:
    """Interaction types (``type`` of an INTERACTION_CREATE)."""

    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    APPLICATION_COMMAND_AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    """Interaction callback types (``type`` in POST /interactions/{id}/{token}/callback)."""

    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


EPHEMERAL = 1 << 6
LOADING = 1 << 7


def _now_iso() -> str:
    """Current UTC time as Discord's ISO 8601 timestamp."""
    return datetime.now(UTC).isoformat()


# ---------------------------------------------------------------------------------------------
# The world


@dataclass
class User:
    """A Discord user (the bot itself is one, with ``bot=True``)."""

    id: str
    username: str
    bot: bool = False
    global_name: str | None = None
    locale: str = "en-US"

    @property
    def mention(self) -> str:
        """The ``<@id>`` mention string."""
        return f"<@{self.id}>"

    def payload(self) -> JSONDict:
        """The user object as the API sends it."""
        return {
            "id": self.id,
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Role:
    """A guild role with its permission bitfield."""

    id: str
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def payload(self) -> JSONDict:
        """The role object as the API sends it."""
        return {
            "id": self.id,
            "name": self.name,
            "permissions": str(int(self.permissions)),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Channel:
    """A guild text channel (type 0) or a DM channel (type 1)."""

    id: str
    name: str
    type: int = 0
    guild_id: str | None = None
    position: int = 0
    recipients: list[User] = field(default_factory=list)

    @property
    def mention(self) -> str:
        """The ``<#id>`` mention string."""
        return f"<#{self.id}>"

    def payload(self) -> JSONDict:
        """The channel object as the API sends it."""
        if self.type == 1:
            recipients = [u.payload() for u in self.recipients]
            return {"id": self.id, "type": 1, "last_message_id": None, "recipients": recipients}
        return {
            "id": self.id,
            "type": self.type,
            "guild_id": self.guild_id,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "last_message_id": None,
        }


@dataclass
class Member:
    """A user's membership in a guild: role ids and nickname."""

    user: User
    roles: list[str] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=_now_iso)

    def payload(self, *, with_user: bool = True) -> JSONDict:
        """The guild member object as the API sends it."""
        data: JSONDict = {
            "roles": list(self.roles),
            "nick": self.nick,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclass
class Guild:
    """A guild: roles (``@everyone`` has the guild's id), text channels and members."""

    id: str
    name: str
    owner_id: str
    preferred_locale: str = "en-US"
    roles: dict[str, Role] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The ``@everyone`` role."""
        return self.roles[self.id]

    def permissions_for(self, user_id: str) -> int:
        """Guild-level permissions of a member: owner and administrators get everything."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        perms = int(self.everyone.permissions)
        for role_id in member.roles if member else []:
            perms |= int(self.roles[role_id].permissions)
        return ALL_PERMISSIONS if perms & Perm.ADMINISTRATOR else perms

    def payload(self, *, joined_at: str, with_members: bool = True) -> JSONDict:
        """The guild object as GUILD_CREATE (or GET /guilds/{id}) sends it."""
        data: JSONDict = {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "owner_id": self.owner_id,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "system_channel_id": None,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
        }
        if with_members:
            data.update(
                joined_at=joined_at,
                large=False,
                unavailable=False,
                member_count=len(self.members),
                members=[m.payload() for m in self.members.values()],
                channels=[c.payload() for c in self.channels.values()],
                threads=[],
                presences=[],
                voice_states=[],
                stage_instances=[],
                guild_scheduled_events=[],
                soundboard_sounds=[],
            )
        return data


# ---------------------------------------------------------------------------------------------
# What the fake records


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request (``files[n]``), bytes kept."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST request as the fake received it, with the answer it gave."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    headers: dict[str, str]
    at: float
    status: int = 0
    response: Any = None

    @property
    def ok(self) -> bool:
        """Whether the fake answered 2xx."""
        return 200 <= self.status < 300


@dataclass(eq=False)
class InteractionRef:
    """An interaction the fake dispatched; awaits its callback and webhook requests."""

    id: str
    token: str
    application_id: str
    type: int
    channel_id: str
    guild_id: str | None
    user_id: str
    fake: FakeDiscord = field(repr=False)
    created: float = field(default_factory=time.monotonic, repr=False)
    acked_type: int | None = None
    ephemeral: bool = False
    original_message_id: str | None = None
    source_message_id: str | None = None
    choices: list[JSONDict] | None = None  # what an autocomplete callback offered

    @property
    def loading(self) -> bool:
        """Whether the original response is still the deferred "thinking" message."""
        msg = self.fake.messages.get(self.original_message_id or "")
        return bool(msg and msg["flags"] & LOADING)

    async def callback(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait for the interaction callback (POST /interactions/{id}/{token}/callback)."""
        path = rf"/interactions/{self.id}/{re.escape(self.token)}/callback"
        return await self.fake.wait_for("POST", path, timeout=timeout)

    async def followup(self, timeout: float = 5.0, *, index: int = 0) -> RecordedRequest:
        """Wait for the ``index``-th successful follow-up (POST /webhooks/{app}/{token})."""
        path = rf"/webhooks/{self.application_id}/{re.escape(self.token)}"

        def nth() -> RecordedRequest | None:
            found = [r for r in self.fake.requests("POST", path) if r.ok]
            return found[index] if len(found) > index else None

        return await self.fake.wait_until(nth, timeout, f"follow-up #{index} of {self}")

    async def original_edit(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait for an edit of the original response (PATCH …/messages/@original)."""
        path = rf"/webhooks/{self.application_id}/{re.escape(self.token)}/messages/@original"
        return await self.fake.wait_for("PATCH", path, timeout=timeout)

    async def offered(self, timeout: float = 5.0) -> list[JSONDict]:
        """Wait for an autocomplete callback (type 8) and return the choices it offered."""
        callback = await self.callback(timeout)
        if not callback.ok or self.choices is None:
            raise AssertionError(f"{self} was not answered with choices: {callback.status}")
        return self.choices

    def webhook_requests(self) -> list[RecordedRequest]:
        """Every request made with this interaction's token so far."""
        return [r for r in self.fake.log if self.token in r.path]


class ApiError(Exception):
    """An error answer in Discord's JSON shape."""

    def __init__(
        self, status: int, code: int, message: str, errors: JSONDict | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> JSONDict:
        """The JSON error body."""
        body: JSONDict = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body

    @classmethod
    def form(cls, problems: list[tuple[str, str, str]]) -> ApiError:
        """A 400 "Invalid Form Body" (50035) from ``(dotted.path, code, message)`` problems."""
        errors: JSONDict = {}
        for path, code, message in problems:
            node = errors
            for key in filter(None, path.split(".")):
                node = node.setdefault(key, {})
            node.setdefault("_errors", []).append({"code": code, "message": message})
        return cls(400, 50035, "Invalid Form Body", errors)


@dataclass
class _Fault:
    """A scripted failure for the next matching request(s)."""

    method: str
    pattern: re.Pattern[str]
    status: int
    retry_after: float
    is_global: bool
    body: JSONDict | None
    times: int


# ---------------------------------------------------------------------------------------------
# Gateway plumbing


class _Socket:
    """One gateway websocket; serialises sends so zlib-stream frames stay in order."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        self.ws = ws
        self.compress = compress
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._lock = asyncio.Lock()

    async def send(self, payload: JSONDict | str) -> None:
        """Send one gateway payload (one zlib-stream chunk ending in Z_SYNC_FLUSH, or text)."""
        text = payload if isinstance(payload, str) else json.dumps(payload)
        async with self._lock:
            if self.ws.closed:
                return
            if self._zlib is None:
                await self.ws.send_str(text)
            else:
                chunk = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(chunk)


@dataclass(eq=False)
class GatewaySession:
    """An identified gateway session; survives a RESUME onto a new socket."""

    session_id: str
    identify: JSONDict
    socket: _Socket | None = field(repr=False)
    compression: str | None = None
    seq: int = 0
    backlog: list[tuple[int, str]] = field(default_factory=list, repr=False)

    @property
    def intents(self) -> int:
        """The intents sent in IDENTIFY."""
        return int(self.identify.get("intents", 0))

    @property
    def connected(self) -> bool:
        """Whether a live socket carries this session."""
        return self.socket is not None and not self.socket.ws.closed

    async def dispatch(self, event: str, data: JSONDict) -> None:
        """Send one op 0 DISPATCH with the next sequence number."""
        self.seq += 1
        text = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        self.backlog = [*self.backlog[-499:], (self.seq, text)]
        if self.socket is not None:
            await self.socket.send(text)


# ---------------------------------------------------------------------------------------------
# The server

Handler = Callable[..., Awaitable[tuple[int, Any]]]


class FakeDiscord:
    """Fake Discord REST v10 + gateway on a random free port of 127.0.0.1."""

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        auto_install: bool = True,
        heartbeat_interval_ms: int = 41_250,
        ack_timeout: float | None = 3.0,
        echo_bot_messages: bool = True,
    ) -> None:
        self.token = token
        self.auto_install = auto_install
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.ack_timeout = ack_timeout
        self.echo_bot_messages = echo_bot_messages
        self.log: list[RecordedRequest] = []
        # Requests that broke Discord's spec: each was refused with a 400 (50035), and the
        # fake's exit raises SpecViolationError unless a test took them (take_violations()).
        self.violations: list[discord_spec.Violation] = []
        self.gateway_frames: list[JSONDict] = []
        self.sessions: list[GatewaySession] = []
        self.users: dict[str, User] = {}
        self.guilds: dict[str, Guild] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, JSONDict] = {}
        self.global_commands: list[JSONDict] = []
        self.guild_commands: dict[str, list[JSONDict]] = {}
        self.interactions: dict[str, InteractionRef] = {}
        self._faults: list[_Fault] = []
        self._cdn: dict[str, tuple[str, bytes]] = {}
        self._sockets: set[_Socket] = set()
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._cond: asyncio.Condition | None = None
        self._saved: tuple[str, yarl.URL] | None = None
        self._routes = self._route_table()
        self._build_default_world()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        """Start serving on 127.0.0.1 (random port)."""
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._handle_gateway)
        app.router.add_get("/attachments/{tail:.*}", self._handle_cdn)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._handle_rest)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close every gateway socket (1001 going away) and stop serving."""
        for sock in list(self._sockets):
            await sock.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        if self.auto_install:
            self.install()
        return self

    async def __aexit__(self, exc_type: object, *exc_info: object) -> None:
        """Stop; fail if a request broke Discord's spec (see ``violations``)."""
        self.uninstall()
        await self.stop()
        if exc_type is None and self.violations:
            raise SpecViolationError("Discord HTTP API", self.take_violations())

    @property
    def port(self) -> int:
        """The TCP port the fake listens on."""
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """REST base for ``discord.http.Route.BASE``: ``http://127.0.0.1:PORT/api/v10``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Gateway URL for ``DiscordWebSocket.DEFAULT_GATEWAY``: ``ws://127.0.0.1:PORT/``."""
        return f"ws://127.0.0.1:{self._port}/"

    def install(self) -> contextlib.AbstractContextManager[FakeDiscord]:
        """Point discord.py at this fake now; the returned context manager undoes it on exit."""
        if self._saved is None:
            gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
            self._saved = (discord.http.Route.BASE, gateway)
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        return self._installed()

    def uninstall(self) -> None:
        """Restore discord.py's real REST base and gateway URL."""
        if self._saved is not None:
            base, gateway = self._saved
            discord.http.Route.BASE = base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
            self._saved = None

    @contextlib.contextmanager
    def _installed(self) -> Iterator[FakeDiscord]:
        """Context manager returned by :meth:`install`."""
        try:
            yield self
        finally:
            self.uninstall()

    # -- the world --------------------------------------------------------------------------

    def snowflake(self) -> str:
        """A fresh, increasing snowflake id (timestamp in the high bits, like Discord's)."""
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._counter) & 0x3FFFFF))

    def _build_default_world(self) -> None:
        """One bot, one guild with admin/moderator roles, two text channels, four humans."""
        self.bot_user = self.add_user("SilentGod", bot=True)
        self.application_id = self.bot_user.id
        self.owner = self.add_user("owner")
        self.admin = self.add_user("admin")
        self.moderator = self.add_user("moderator")
        self.user = self.add_user("user")
        self.guild = self.add_guild("Test Guild", owner=self.owner)
        self.admin_role = self.add_role(self.guild, "Admin", Perm.MANAGE_GUILD, position=3)
        self.moderator_role = self.add_role(
            self.guild, "Moderator", Perm.MANAGE_CHANNELS | Perm.MANAGE_MESSAGES, position=2
        )
        self.bot_role = self.add_role(
            self.guild, "SilentGod", EVERYONE_PERMISSIONS, position=1, managed=True
        )
        self.guild.members[self.bot_user.id].roles.append(self.bot_role.id)
        self.add_member(self.guild, self.admin, roles=[self.admin_role])
        self.add_member(self.guild, self.moderator, roles=[self.moderator_role])
        self.add_member(self.guild, self.user)
        self.channel = self.add_text_channel(self.guild, "general")
        self.other_channel = self.add_text_channel(self.guild, "random")

    def add_user(self, username: str, *, bot: bool = False, locale: str = "en-US") -> User:
        """Create a user."""
        user = User(self.snowflake(), username, bot=bot, locale=locale)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        owner: User,
        locale: str = "en-US",
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """Create a guild with ``@everyone``, its owner and the bot as members; ``shard``
        (id, count) picks an id whose events Discord routes to that shard."""
        guild_id = int(self.snowflake())
        if shard is not None:
            ms = guild_id >> 22
            ms += (shard[0] - ms) % shard[1]
            guild_id = (ms << 22) | (guild_id & 0x3FFFFF)
        guild = Guild(str(guild_id), name, owner.id, preferred_locale=locale)
        guild.roles[guild.id] = Role(guild.id, "@everyone", EVERYONE_PERMISSIONS)
        self.guilds[guild.id] = guild
        self.add_member(guild, owner)
        self.add_member(guild, self.bot_user)
        return guild

    def add_role(
        self, guild: Guild, name: str, permissions: int, *, position: int = 1, managed: bool = False
    ) -> Role:
        """Create a role with a permission bitfield."""
        role = Role(self.snowflake(), name, int(permissions), position=position, managed=managed)
        guild.roles[role.id] = role
        return role

    def add_text_channel(self, guild: Guild, name: str) -> Channel:
        """Create a guild text channel."""
        channel = Channel(self.snowflake(), name, guild_id=guild.id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def add_member(self, guild: Guild, user: User, *, roles: Sequence[Role] = ()) -> Member:
        """Add a user to a guild with roles."""
        member = Member(user, [r.id for r in roles])
        guild.members[user.id] = member
        return member

    def dm_channel(self, user: User) -> Channel:
        """The DM channel between the bot and ``user`` (created on first use)."""
        for channel in self.channels.values():
            if channel.type == 1 and channel.recipients[0].id == user.id:
                return channel
        channel = Channel(self.snowflake(), "", type=1, recipients=[user])
        self.channels[channel.id] = channel
        return channel

    def _user(self, ref: User | str) -> User:
        """Resolve a user or user id."""
        return ref if isinstance(ref, User) else self.users[str(ref)]

    def _channel(self, ref: Channel | str | int) -> Channel:
        """Resolve a channel or channel id (404 Unknown Channel when missing)."""
        if isinstance(ref, Channel):
            return ref
        try:
            return self.channels[str(ref)]
        except KeyError:
            raise ApiError(404, 10003, "Unknown Channel") from None

    # -- recorded requests ------------------------------------------------------------------

    def requests(
        self, method: str | None = None, path_pattern: str | re.Pattern[str] | None = None
    ) -> list[RecordedRequest]:
        """Recorded REST requests, optionally filtered by method and a path regex (fullmatch)."""
        return [r for r in self.log if self._matches(r, method, path_pattern)]

    def mark(self) -> int:
        """Current length of the request log, for ``wait_for(..., since=mark)``."""
        return len(self.log)

    async def wait_for(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> RecordedRequest:
        """First recorded request (log index >= ``since``) that matches, waiting if needed."""

        def find() -> RecordedRequest | None:
            for r in self.log[since:]:
                if self._matches(r, method, path_pattern) and (predicate is None or predicate(r)):
                    return r
            return None

        return await self.wait_until(find, timeout, f"{method} {path_pattern}")

    async def wait_until(self, check: Callable[[], T], timeout: float, what: str) -> T:
        """Wait until ``check()`` is truthy and return it (re-checked on every recorded event)."""
        assert self._cond is not None, "FakeDiscord is not started"
        async with self._cond:
            try:
                async with asyncio.timeout(timeout):
                    while not (found := check()):
                        await self._cond.wait()
                    return found
            except TimeoutError:
                seen = "\n  ".join(f"{r.method} {r.path} -> {r.status}" for r in self.log[-15:])
                raise TimeoutError(
                    f"timed out waiting for {what}; last requests:\n  {seen}"
                ) from None

    async def _notify(self) -> None:
        """Wake every waiter so it re-checks."""
        if self._cond is not None:
            async with self._cond:
                self._cond.notify_all()

    @staticmethod
    def _matches(
        r: RecordedRequest, method: str | None, pattern: str | re.Pattern[str] | None
    ) -> bool:
        """Method equal (case-insensitive) and path fullmatching the regex."""
        if method is not None and r.method != method.upper():
            return False
        return pattern is None or re.fullmatch(pattern, r.path) is not None

    def sent_messages(self, channel: Channel | str | None = None) -> list[JSONDict]:
        """Messages the bot created (channel sends, interaction responses, follow-ups)."""
        channel_id = channel.id if isinstance(channel, Channel) else channel
        return [
            m
            for m in self.messages.values()
            if m["author"]["id"] == self.bot_user.id
            and (channel_id is None or m["channel_id"] == str(channel_id))
        ]

    def commands(self, guild: Guild | str | None = None) -> list[JSONDict]:
        """Application commands as last stored: global, or for one guild."""
        if guild is None:
            return self.global_commands
        return self.guild_commands.get(guild.id if isinstance(guild, Guild) else str(guild), [])

    def command(self, name: str, guild: Guild | str | None = None, *, type: int = 1) -> JSONDict:
        """One stored application command by name (KeyError when it was never synced)."""
        for cmd in self.commands(guild):
            if cmd["name"] == name and cmd.get("type", 1) == type:
                return cmd
        raise KeyError(name)

    # -- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int = 429,
        retry_after: float = 0.5,
        *,
        times: int = 1,
        is_global: bool = False,
        body: JSONDict | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with ``status`` instead of handling them.

        429 comes in the shape discord.py retries (``Via`` header, JSON ``retry_after`` and
        ``global``, X-RateLimit headers); 500/502/504 are retried by discord.py after 1+2n s;
        anything else raises in the bot (403 Forbidden, 404 NotFound, HTTPException).
        """
        pattern = re.compile(path_pattern)
        self._faults.append(
            _Fault(method.upper(), pattern, status, retry_after, is_global, body, times)
        )

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        """Consume one use of the first fault matching this request."""
        for fault in self._faults:
            if fault.method == method and fault.pattern.fullmatch(path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _fault_response(self, fault: _Fault, bucket: str) -> web.Response:
        """The HTTP answer for a scripted fault."""
        if fault.status != 429:
            body = fault.body or {"message": f"{fault.status}: Injected failure", "code": 0}
            return self._json(fault.status, body)
        body = fault.body or {
            "message": "You are being rate limited.",
            "retry_after": fault.retry_after,
            "global": fault.is_global,
        }
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(fault.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": "global" if fault.is_global else "user",
        }
        if fault.is_global:
            headers["X-RateLimit-Global"] = "true"
        return self._json(429, body, headers)

    # -- HTTP plumbing ----------------------------------------------------------------------

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        """A JSON answer whose Content-Type is exactly ``application/json`` (no charset)."""
        all_headers = {**(headers or {})}
        if status == 204 or body is None:
            return web.Response(status=204 if body is None else status, headers=all_headers)
        all_headers["Content-Type"] = "application/json"
        return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)

    @staticmethod
    def _ratelimit_headers(bucket: str) -> dict[str, str]:
        """Generous X-RateLimit headers for a successful answer."""
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket,
        }

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
        """JSON body, or multipart ``payload_json`` plus ``files[n]`` parts."""
        ctype = request.content_type
        if ctype == "multipart/form-data":
            payload: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = bytes(await part.read())
                if part.name == "payload_json":
                    payload = json.loads(data)
                elif part.filename is not None:
                    part_type = part.headers.get("Content-Type", "application/octet-stream")
                    files.append(UploadedFile(part.name or "", part.filename, part_type, data))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    def _route_table(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        """(method, path regex, handler) for every endpoint the fake implements."""
        app = r"/applications/(?P<app_id>\d+)"
        cmds = app + r"(?:/guilds/(?P<guild_id>\d+))?/commands"
        chan = r"/channels/(?P<channel_id>\d+)"
        msg = chan + r"/messages/(?P<message_id>\d+)"
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        hook_msg = hook + r"/messages/(?P<message_id>@original|\d+)"
        callback = r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback"
        guild = r"/guilds/(?P<guild_id>\d+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self._r_get_me),
            ("POST", r"/users/@me/channels", self._r_create_dm),
            ("GET", r"/users/(?P<user_id>\d+)", self._r_get_user),
            ("GET", r"/oauth2/applications/@me", self._r_application),
            ("GET", r"/applications/@me", self._r_application),
            ("GET", r"/gateway", self._r_gateway),
            ("GET", r"/gateway/bot", self._r_gateway),
            ("GET", cmds, self._r_list_commands),
            ("PUT", cmds, self._r_overwrite_commands),
            ("POST", cmds, self._r_upsert_command),
            ("GET", cmds + r"/(?P<command_id>\d+)", self._r_get_command),
            ("PATCH", cmds + r"/(?P<command_id>\d+)", self._r_edit_command),
            ("DELETE", cmds + r"/(?P<command_id>\d+)", self._r_delete_command),
            ("GET", chan, self._r_get_channel),
            ("GET", chan + r"/messages", self._r_history),
            ("POST", chan + r"/messages", self._r_create_message),
            ("POST", chan + r"/typing", self._r_no_content),
            ("GET", msg, self._r_get_message),
            ("PATCH", msg, self._r_edit_message),
            ("DELETE", msg, self._r_delete_message),
            ("PUT", msg + r"/reactions/(?P<emoji>[^/]+)/@me", self._r_no_content),
            ("DELETE", msg + r"/reactions/(?P<emoji>[^/]+)/@me", self._r_no_content),
            ("GET", guild, self._r_get_guild),
            ("GET", guild + r"/channels", self._r_guild_channels),
            ("GET", guild + r"/roles", self._r_guild_roles),
            ("GET", guild + r"/members/(?P<user_id>\d+)", self._r_get_member),
            ("POST", callback, self._r_callback),
            ("POST", hook, self._r_followup),
            ("GET", hook_msg, self._r_get_webhook_message),
            ("PATCH", hook_msg, self._r_edit_webhook_message),
            ("DELETE", hook_msg, self._r_delete_webhook_message),
        ]  # fmt: skip
        return [(m, re.compile(p), h) for m, p, h in table]

    def _route(self, method: str, path: str) -> tuple[Handler, dict[str, str], str]:
        """Find the handler, its path parameters and a rate-limit bucket name."""
        path_known = False
        for index, (m, pattern, handler) in enumerate(self._routes):
            match = pattern.fullmatch(path)
            if match:
                path_known = True
                if m == method:
                    params = {k: v for k, v in match.groupdict().items()}
                    return handler, params, f"fakebucket{index:02d}"
        if path_known:
            raise ApiError(405, 0, "405: Method Not Allowed")
        raise ApiError(404, 0, "404: Not Found")

    async def _handle_rest(self, request: web.Request) -> web.StreamResponse:
        """Record, maybe fail, then route one REST request."""
        path = request.path[len(API_PREFIX) :] or "/"
        body, files = await self._read_body(request)
        rec = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            headers=dict(request.headers),
            at=time.monotonic(),
        )
        try:
            handler, params, bucket = self._route(request.method, path)
            self._check_spec(request.method, path, body, params)
            fault = self._take_fault(request.method, path)
            if fault is not None:
                response = self._fault_response(fault, bucket)
            else:
                self._check_auth(request, path)
                status, answer = await handler(rec, **params)
                response = self._json(status, answer, self._ratelimit_headers(bucket))
        except ApiError as exc:
            response = self._json(exc.status, exc.body())
        rec.status = response.status
        rec.response = json.loads(response.body) if response.body else None  # a snapshot
        self.log.append(rec)
        log.debug("%s %s -> %s", rec.method, rec.path, rec.status)
        await self._notify()
        return response

    def _check_spec(self, method: str, path: str, body: Any, params: dict[str, str]) -> None:
        """Refuse (50035) and remember a request that Discord's specification does not allow."""
        ref = self.interactions.get(params.get("interaction_id") or "")
        found = discord_spec.check(method, path, body, interaction_type=ref and ref.type)
        if not found:
            return
        self.violations.extend(found)
        if not found[0].code:
            raise ApiError(404, 0, "404: Not Found")
        raise ApiError.form([(v.field, v.code, v.problem) for v in found])

    def take_violations(self) -> list[discord_spec.Violation]:
        """The spec violations recorded so far, forgotten (for tests that cause them)."""
        found, self.violations = self.violations, []
        return found

    async def _handle_unknown(self, request: web.Request) -> web.StreamResponse:
        """Anything outside /api/v10 and the gateway."""
        return self._json(404, {"message": "404: Not Found", "code": 0})

    async def _handle_cdn(self, request: web.Request) -> web.StreamResponse:
        """Serve the bytes of uploaded attachments at their ``url``."""
        try:
            content_type, data = self._cdn[request.path]
        except KeyError:
            return self._json(404, {"message": "404: Not Found", "code": 0})
        return web.Response(body=data, headers={"Content-Type": content_type})

    def _check_auth(self, request: web.Request, path: str) -> None:
        """Bot-token auth except on interaction callbacks and webhooks (token in the URL)."""
        if path.startswith(("/interactions/", "/webhooks/")):
            return
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise ApiError(401, 0, "401: Unauthorized")

    # -- REST: identity, gateway, users, guilds ---------------------------------------------

    async def _r_get_me(self, rq: RecordedRequest) -> tuple[int, Any]:
        """GET /users/@me."""
        return 200, {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def _r_get_user(self, rq: RecordedRequest, user_id: str) -> tuple[int, Any]:
        """GET /users/{id}."""
        if user_id not in self.users:
            raise ApiError(404, 10013, "Unknown User")
        return 200, self.users[user_id].payload()

    async def _r_create_dm(self, rq: RecordedRequest) -> tuple[int, Any]:
        """POST /users/@me/channels {recipient_id}."""
        recipient = str((rq.json or {}).get("recipient_id", ""))
        if recipient not in self.users:
            raise ApiError.form([("recipient_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.")])
        return 200, self.dm_channel(self.users[recipient]).payload()

    async def _r_application(self, rq: RecordedRequest) -> tuple[int, Any]:
        """GET /oauth2/applications/@me."""
        return 200, {
            "id": self.application_id,
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "bot": self.bot_user.payload(),
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "approximate_guild_count": len(self.guilds),
        }

    async def _r_gateway(self, rq: RecordedRequest) -> tuple[int, Any]:
        """GET /gateway and /gateway/bot."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url.rstrip("/"), "shards": 1, "session_start_limit": limit}

    def _guild(self, guild_id: str) -> Guild:
        """A guild by id (404 Unknown Guild)."""
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise ApiError(404, 10004, "Unknown Guild") from None

    async def _r_get_guild(self, rq: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        """GET /guilds/{id}."""
        guild = self._guild(guild_id)
        data = guild.payload(joined_at=_now_iso(), with_members=False)
        if rq.query.get("with_counts") in ("true", "1"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return 200, data

    async def _r_guild_channels(self, rq: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        """GET /guilds/{id}/channels."""
        return 200, [c.payload() for c in self._guild(guild_id).channels.values()]

    async def _r_guild_roles(self, rq: RecordedRequest, guild_id: str) -> tuple[int, Any]:
        """GET /guilds/{id}/roles."""
        return 200, [r.payload() for r in self._guild(guild_id).roles.values()]

    async def _r_get_member(
        self, rq: RecordedRequest, guild_id: str, user_id: str
    ) -> tuple[int, Any]:
        """GET /guilds/{id}/members/{user_id}."""
        member = self._guild(guild_id).members.get(user_id)
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return 200, member.payload()

    async def _r_get_channel(self, rq: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """GET /channels/{id}."""
        return 200, self._channel(channel_id).payload()

    async def _r_no_content(self, rq: RecordedRequest, **params: str) -> tuple[int, Any]:
        """Endpoints that only answer 204 (typing, reactions)."""
        if "channel_id" in params:
            self._channel(params["channel_id"])
        return 204, None

    # -- REST: application commands ---------------------------------------------------------

    def _command_list(self, app_id: str, guild_id: str | None) -> list[JSONDict]:
        """The stored command list for the application (global or one guild)."""
        if app_id != self.application_id:
            raise ApiError(404, 10002, "Unknown Application")
        if guild_id is None:
            return self.global_commands
        self._guild(guild_id)
        return self.guild_commands.setdefault(guild_id, [])

    def _stored_command(
        self, payload: JSONDict, guild_id: str | None, old: JSONDict | None
    ) -> JSONDict:
        """A command as Discord stores it: the bot's payload plus ids and defaults."""
        cmd: JSONDict = {
            "type": 1,
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **payload,
        }
        cmd["id"] = old["id"] if old else self.snowflake()
        cmd["application_id"] = self.application_id
        cmd["version"] = self.snowflake()
        if guild_id is not None:
            cmd["guild_id"] = guild_id
        if cmd["type"] != 1:
            cmd["description"] = ""
        return cmd

    async def _r_list_commands(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None
    ) -> tuple[int, Any]:
        """GET /applications/{app}[/guilds/{g}]/commands."""
        return 200, self._command_list(app_id, guild_id)

    async def _r_overwrite_commands(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None
    ) -> tuple[int, Any]:
        """PUT …/commands: bulk overwrite; ids survive for the same (name, type)."""
        current = self._command_list(app_id, guild_id)
        payload = rq.json if isinstance(rq.json, list) else []  # checked by discord_spec
        old = {(c["name"], c.get("type", 1)): c for c in current}
        stored = [
            self._stored_command(p, guild_id, old.get((p["name"], p.get("type", 1))))
            for p in payload
        ]
        current[:] = stored
        return 200, stored

    async def _r_upsert_command(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None
    ) -> tuple[int, Any]:
        """POST …/commands: create or replace one command by (name, type)."""
        current = self._command_list(app_id, guild_id)  # the body: checked by discord_spec
        key = (rq.json["name"], rq.json.get("type", 1))
        old = next((c for c in current if (c["name"], c.get("type", 1)) == key), None)
        cmd = self._stored_command(rq.json, guild_id, old)
        if old is None:
            current.append(cmd)
            return 201, cmd
        current[current.index(old)] = cmd
        return 200, cmd

    def _find_command(self, app_id: str, guild_id: str | None, command_id: str) -> JSONDict:
        """One stored command by id (404 Unknown application command)."""
        for cmd in self._command_list(app_id, guild_id):
            if cmd["id"] == command_id:
                return cmd
        raise ApiError(404, 10063, "Unknown application command")

    async def _r_get_command(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None, command_id: str
    ) -> tuple[int, Any]:
        """GET …/commands/{id}."""
        return 200, self._find_command(app_id, guild_id, command_id)

    async def _r_edit_command(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None, command_id: str
    ) -> tuple[int, Any]:
        """PATCH …/commands/{id}."""
        cmd = self._find_command(app_id, guild_id, command_id)  # body: checked by discord_spec
        cmd.update(rq.json or {})
        return 200, cmd

    async def _r_delete_command(
        self, rq: RecordedRequest, app_id: str, guild_id: str | None, command_id: str
    ) -> tuple[int, Any]:
        """DELETE …/commands/{id}."""
        current = self._command_list(app_id, guild_id)
        current.remove(self._find_command(app_id, guild_id, command_id))
        return 204, None

    # -- REST: messages ---------------------------------------------------------------------

    def _attachments(
        self, channel_id: str, body: JSONDict, files: list[UploadedFile], keep: list[JSONDict]
    ) -> list[JSONDict]:
        """Attachment objects for uploaded ``files[n]`` (bytes served at their url) + kept ones."""
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        result = [a for a in keep if a["id"] in described] if "attachments" in body else keep
        for upload in files:
            index = upload.field.removeprefix("files[").removesuffix("]")
            meta = described.get(index, {})
            attachment_id = self.snowflake()
            filename = meta.get("filename") or upload.filename
            url_path = f"/attachments/{channel_id}/{attachment_id}/{filename}"
            self._cdn[url_path] = (upload.content_type, upload.data)
            attachment = {
                "id": attachment_id,
                "filename": filename,
                "size": len(upload.data),
                "url": self.base_url + url_path,
                "proxy_url": self.base_url + url_path,
                "content_type": upload.content_type,
            }
            if meta.get("description"):
                attachment["description"] = meta["description"]
            result.append(attachment)
        return result

    def _mentions(
        self, content: str, guild_id: str | None, extra: Sequence[User] = ()
    ) -> list[JSONDict]:
        """User objects (with partial member in guilds) for ``<@id>`` in content plus ``extra``."""
        ids = dict.fromkeys([*re.findall(r"<@!?(\d+)>", content), *(u.id for u in extra)])
        result = []
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None:
                continue
            data = user.payload()
            member = self.guilds[guild_id].members.get(user_id) if guild_id else None
            if member is not None:
                data["member"] = member.payload(with_user=False)
            result.append(data)
        return result

    def _new_message(
        self,
        channel: Channel,
        author: User,
        body: JSONDict,
        files: Sequence[UploadedFile] = (),
        *,
        extra: JSONDict | None = None,
    ) -> JSONDict:
        """Build and store a message object (not yet dispatched)."""
        content = body.get("content") or ""
        message: JSONDict = {
            "id": self.snowflake(),
            "channel_id": channel.id,
            "author": author.payload(),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": self._mentions(content, channel.guild_id),
            "mention_roles": [],
            "attachments": self._attachments(channel.id, body, list(files), []),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(body.get("flags") or 0),
            **(extra or {}),
        }
        if channel.guild_id is not None:
            message["guild_id"] = channel.guild_id
        if body.get("poll"):
            message["poll"] = body["poll"]
        reference = body.get("message_reference")
        if reference:
            referenced = self.messages.get(str(reference.get("message_id")))
            if referenced is None and reference.get("fail_if_not_exists", True):
                raise ApiError.form(
                    [
                        (
                            "message_reference",
                            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                            "Unknown message",
                        )
                    ]
                )
            if referenced is not None:
                message["type"] = 19
                message["message_reference"] = {
                    "type": 0,
                    "message_id": referenced["id"],
                    "channel_id": referenced["channel_id"],
                    "guild_id": referenced.get("guild_id"),
                }
                message["referenced_message"] = {
                    k: v for k, v in referenced.items() if k != "referenced_message"
                }
        self.messages[message["id"]] = message
        return message

    def _message(self, channel_id: str, message_id: str) -> JSONDict:
        """A stored message in a channel (404 Unknown Message)."""
        self._channel(channel_id)
        message = self.messages.get(message_id)
        if message is None or message["channel_id"] != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    def _update_message(self, message: JSONDict, body: JSONDict, files: list[UploadedFile]) -> None:
        """Apply an edit body (content, embeds, components, attachments, flags)."""
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "flags" in body and body["flags"] is not None:
            message["flags"] = (message["flags"] & (EPHEMERAL | LOADING)) | int(body["flags"])
        if "attachments" in body or files:
            message["attachments"] = self._attachments(
                message["channel_id"], body, files, message["attachments"]
            )
        message["mentions"] = self._mentions(message["content"], message.get("guild_id"))
        message["edited_timestamp"] = _now_iso()

    async def _r_history(self, rq: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """GET /channels/{id}/messages (newest first, ``limit``)."""
        self._channel(channel_id)
        limit = int(rq.query.get("limit", 50))
        found = [m for m in self.messages.values() if m["channel_id"] == channel_id]
        found = [m for m in found if not m["flags"] & EPHEMERAL]
        return 200, list(reversed(found))[:limit]

    async def _r_create_message(self, rq: RecordedRequest, channel_id: str) -> tuple[int, Any]:
        """POST /channels/{id}/messages (JSON or multipart)."""
        channel = self._channel(channel_id)
        body = rq.json or {}
        _validate_message(body, rq.files, creating=True)
        body = {**body, "flags": int(body.get("flags") or 0) & ~EPHEMERAL}
        message = self._new_message(channel, self.bot_user, body, rq.files)
        await self._echo("MESSAGE_CREATE", message)
        return 200, message

    async def _r_get_message(
        self, rq: RecordedRequest, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """GET /channels/{id}/messages/{mid}."""
        return 200, self._message(channel_id, message_id)

    async def _r_edit_message(
        self, rq: RecordedRequest, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """PATCH /channels/{id}/messages/{mid} (only the bot's own messages)."""
        message = self._message(channel_id, message_id)
        if message["author"]["id"] != self.bot_user.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = rq.json or {}
        _validate_message(body, rq.files, creating=False)
        self._update_message(message, body, rq.files)
        await self._echo("MESSAGE_UPDATE", message)
        return 200, message

    async def _r_delete_message(
        self, rq: RecordedRequest, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """DELETE /channels/{id}/messages/{mid}."""
        message = self._message(channel_id, message_id)
        del self.messages[message_id]
        event = {"id": message_id, "channel_id": channel_id}
        if message.get("guild_id"):
            event["guild_id"] = message["guild_id"]
        await self._broadcast("MESSAGE_DELETE", event)
        return 204, None

    async def _echo(self, event: str, message: JSONDict) -> None:
        """Dispatch the bot's own message back over the gateway, as Discord does."""
        if self.echo_bot_messages and not message["flags"] & EPHEMERAL:
            await self._broadcast(event, message)

    # -- REST: interactions and webhooks ----------------------------------------------------

    def _interaction(self, interaction_id: str, token: str) -> InteractionRef:
        """An interaction by id and token (404 Unknown interaction)."""
        ref = self.interactions.get(interaction_id)
        if ref is None or ref.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return ref

    def _interaction_by_token(self, app_id: str, token: str) -> InteractionRef:
        """The interaction owning a webhook token (404 Unknown Webhook before it is acked)."""
        for ref in self.interactions.values():
            if ref.token == token and app_id == ref.application_id and ref.acked_type:
                return ref
        raise ApiError(404, 10015, "Unknown Webhook")

    async def _r_callback(
        self, rq: RecordedRequest, interaction_id: str, token: str
    ) -> tuple[int, Any]:
        """POST /interactions/{id}/{token}/callback: the initial response."""
        ref = self._interaction(interaction_id, token)
        if ref.acked_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if self.ack_timeout is not None and time.monotonic() - ref.created > self.ack_timeout:
            raise ApiError(404, 10062, "Unknown interaction")
        body = rq.json or {}
        kind = body.get("type")
        allowed = {
            InteractionType.APPLICATION_COMMAND: {4, 5, 9},
            InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE: {8},
            InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
        }[ref.type]
        if kind not in allowed:
            raise ApiError.form([("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")])
        data = body.get("data") or {}
        if kind in (4, 7):
            _validate_message(data, rq.files, creating=kind == 4)
        ref.acked_type = kind
        if kind == CallbackType.AUTOCOMPLETE_RESULT:
            ref.choices = list(data.get("choices") or [])
        ref.ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        message: JSONDict | None = None
        if kind in (CallbackType.CHANNEL_MESSAGE, CallbackType.DEFERRED_CHANNEL_MESSAGE):
            flags = int(data.get("flags") or 0) | (LOADING if kind == 5 else 0)
            meta = {"id": ref.id, "type": ref.type, "user": self.users[ref.user_id].payload()}
            message = self._new_message(
                self._channel(ref.channel_id),
                self.bot_user,
                {**data, "flags": flags} if kind == 4 else {"flags": flags},
                rq.files,
                extra={"webhook_id": ref.application_id, "interaction_metadata": meta},
            )
            ref.original_message_id = message["id"]
            await self._echo("MESSAGE_CREATE", message)
        elif kind == CallbackType.UPDATE_MESSAGE and ref.source_message_id in self.messages:
            message = self.messages[ref.source_message_id]
            self._update_message(message, data, rq.files)
            ref.original_message_id = ref.source_message_id
            await self._echo("MESSAGE_UPDATE", message)
        elif kind == CallbackType.DEFERRED_UPDATE_MESSAGE:
            # a component's original response is the message the component is on: a later
            # PATCH …/messages/@original edits it
            ref.original_message_id = ref.source_message_id
        if rq.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        interaction: JSONDict = {
            "id": ref.id,
            "type": ref.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": ref.ephemeral,
        }
        resource: JSONDict = {"type": kind}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            if kind in (4, 7):
                resource["message"] = message
        return 200, {"interaction": interaction, "resource": resource}

    async def _r_followup(self, rq: RecordedRequest, app_id: str, token: str) -> tuple[int, Any]:
        """POST /webhooks/{app}/{token}: a follow-up (the first one after a defer fills it)."""
        ref = self._interaction_by_token(app_id, token)
        body = rq.json or {}
        _validate_message(body, rq.files, creating=True)
        if ref.acked_type == CallbackType.DEFERRED_CHANNEL_MESSAGE and ref.loading:
            message = self.messages[ref.original_message_id or ""]
            self._update_message(message, {**body, "flags": 0}, rq.files)
            message["flags"] &= ~LOADING
            message["edited_timestamp"] = None
            await self._echo("MESSAGE_UPDATE", message)
        else:
            meta = {"id": ref.id, "type": ref.type, "user": self.users[ref.user_id].payload()}
            message = self._new_message(
                self._channel(ref.channel_id),
                self.bot_user,
                body,
                rq.files,
                extra={"webhook_id": ref.application_id, "interaction_metadata": meta},
            )
            await self._echo("MESSAGE_CREATE", message)
        if rq.query.get("wait") in ("1", "true", "True"):
            return 200, message
        return 204, None

    def _webhook_message(self, app_id: str, token: str, message_id: str) -> JSONDict:
        """The original response or a follow-up addressed through the webhook."""
        ref = self._interaction_by_token(app_id, token)
        wanted = ref.original_message_id if message_id == "@original" else message_id
        message = self.messages.get(wanted or "")
        if message is None:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def _r_get_webhook_message(
        self, rq: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        """GET /webhooks/{app}/{token}/messages/{id|@original}."""
        return 200, self._webhook_message(app_id, token, message_id)

    async def _r_edit_webhook_message(
        self, rq: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        """PATCH /webhooks/{app}/{token}/messages/{id|@original}."""
        message = self._webhook_message(app_id, token, message_id)
        body = rq.json or {}
        _validate_message(body, rq.files, creating=False)
        was_loading = bool(message["flags"] & LOADING)
        self._update_message(message, body, rq.files)
        message["flags"] &= ~LOADING
        if was_loading:
            message["edited_timestamp"] = None
        await self._echo("MESSAGE_UPDATE", message)
        return 200, message

    async def _r_delete_webhook_message(
        self, rq: RecordedRequest, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        """DELETE /webhooks/{app}/{token}/messages/{id|@original}."""
        message = self._webhook_message(app_id, token, message_id)
        del self.messages[message["id"]]
        return 204, None

    # -- gateway ----------------------------------------------------------------------------

    async def _handle_gateway(self, request: web.Request) -> web.StreamResponse:
        """The gateway websocket: HELLO, then IDENTIFY/RESUME, heartbeats and requests."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        sock = _Socket(ws, request.query.get("compress"))
        self._sockets.add(sock)
        session: GatewaySession | None = None
        try:
            if request.query.get("encoding", "json") != "json":
                await ws.close(code=4002, message=b"only encoding=json is supported")
                return ws
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake"]}
            await sock.send({"op": 10, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                frame = json.loads(msg.data)
                self.gateway_frames.append(frame)
                session = await self._on_gateway_frame(sock, session, frame) or session
                await self._notify()
        finally:
            self._sockets.discard(sock)
            if session is not None and session.socket is sock:
                session.socket = None
            await self._notify()
        return ws

    async def _on_gateway_frame(
        self, sock: _Socket, session: GatewaySession | None, frame: JSONDict
    ) -> GatewaySession | None:
        """React to one client frame; returns the session it established, if any."""
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await sock.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            if data.get("token") != self.token:
                await sock.ws.close(code=4004, message=b"Authentication failed.")
                return None
            return await self._identify(sock, data)
        elif op == 6:
            return await self._resume(sock, data)
        elif op == 8 and session is not None:
            await self._members_chunk(session, data)
        return None

    async def _identify(self, sock: _Socket, identify: JSONDict) -> GatewaySession:
        """READY (guilds unavailable) followed by one GUILD_CREATE per guild of this shard."""
        session = GatewaySession(secrets.token_hex(16), identify, sock, sock.compress)
        shard = identify.get("shard")
        guilds = [
            g
            for g in self.guilds.values()
            if self.bot_user.id in g.members
            and (not shard or (int(g.id) >> 22) % int(shard[1]) == int(shard[0]))
        ]
        ready: JSONDict = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "_trace": ["fake"],
        }
        if shard:
            ready["shard"] = list(shard)
        self.sessions.append(session)
        await session.dispatch("READY", ready)
        for guild in guilds:
            payload = guild.payload(joined_at=guild.members[self.bot_user.id].joined_at)
            if not session.intents & Intent.GUILD_MEMBERS:  # then Discord sends only the bot
                payload["members"] = [guild.members[self.bot_user.id].payload()]
            await session.dispatch("GUILD_CREATE", payload)
        return session

    async def _resume(self, sock: _Socket, data: JSONDict) -> GatewaySession | None:
        """Re-attach a session to this socket and replay what it missed; else op 9."""
        session = next((s for s in self.sessions if s.session_id == data.get("session_id")), None)
        if session is None or data.get("token") != self.token:
            await sock.send({"op": 9, "d": False, "s": None, "t": None})
            return None
        session.socket = sock
        last = int(data.get("seq") or 0)
        for seq, text in session.backlog:
            if seq > last:
                await sock.send(text)
        await session.dispatch("RESUMED", {"_trace": ["fake"]})
        return session

    async def _members_chunk(self, session: GatewaySession, data: JSONDict) -> None:
        """Answer op 8 REQUEST_GUILD_MEMBERS with one GUILD_MEMBERS_CHUNK."""
        guild = self.guilds.get(str(data.get("guild_id")))
        if guild is None:
            return
        wanted = {str(u) for u in data.get("user_ids") or []}
        members = [m for uid, m in guild.members.items() if not wanted or uid in wanted]
        chunk: JSONDict = {
            "guild_id": guild.id,
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": sorted(wanted - set(guild.members)),
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    @property
    def live_sessions(self) -> list[GatewaySession]:
        """Identified sessions that currently have a connected socket."""
        return [s for s in self.sessions if s.connected]

    async def wait_for_session(self, timeout: float = 5.0, *, since: int = 0) -> GatewaySession:
        """The first identified session with index >= ``since`` in :attr:`sessions`."""

        def find() -> GatewaySession | None:
            return next(iter(self.sessions[since:]), None)

        return await self.wait_until(find, timeout, "a gateway IDENTIFY")

    def _visible(self, session: GatewaySession, event: str, data: JSONDict) -> JSONDict | None:
        """What ``session`` receives of an event, given its intents (None: nothing)."""
        if not event.startswith("MESSAGE_"):
            return data
        in_guild = bool(data.get("guild_id"))
        needed = Intent.GUILD_MESSAGES if in_guild else Intent.DIRECT_MESSAGES
        if not session.intents & needed:
            return None
        if event == "MESSAGE_DELETE" or not in_guild or session.intents & Intent.MESSAGE_CONTENT:
            return data
        author = data.get("author", {}).get("id")
        mentioned = any(u.get("id") == self.bot_user.id for u in data.get("mentions", []))
        if author == self.bot_user.id or mentioned:
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    @staticmethod
    def _routed_to(session: GatewaySession, event: str, data: JSONDict) -> bool:
        """Whether Discord sends the event on this session's shard: a guild's events go to
        shard ``(guild_id >> 22) % count``, DMs to shard 0; an unsharded session gets all."""
        shard = session.identify.get("shard")
        if not shard:
            return True
        guild = data.get("guild_id") or (data.get("id") if event.startswith("GUILD_") else None)
        wanted = (int(guild) >> 22) % int(shard[1]) if guild else 0
        return int(shard[0]) == wanted

    async def _broadcast(self, event: str, data: JSONDict) -> int:
        """Dispatch to every live session of the event's shard (filtered by intents); returns
        how many got it."""
        sent = 0
        for session in self.live_sessions:
            if not self._routed_to(session, event, data):
                continue
            visible = self._visible(session, event, data)
            if visible is not None:
                await session.dispatch(event, visible)
                sent += 1
        return sent

    async def dispatch(self, event: str, data: JSONDict) -> int:
        """Send a raw DISPATCH to the connected bot(s); raises when none is connected."""
        if not self.live_sessions:
            raise RuntimeError(f"no bot is connected to the fake gateway to receive {event}")
        return await self._broadcast(event, data)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py closes and RESUMEs on the resume URL."""
        for session in self.live_sessions:
            if session.socket is not None:
                await session.socket.send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (discord.py then re-identifies after ~5 s)."""
        for session in self.live_sessions:
            if session.socket is not None:
                await session.socket.send({"op": 9, "d": resumable, "s": None, "t": None})

    async def drop_connections(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000: discord.py reconnects and RESUMEs)."""
        for sock in list(self._sockets):
            await sock.ws.close(code=code)

    # -- driving the bot --------------------------------------------------------------------

    async def send_message_create(
        self,
        channel: Channel | str,
        author: User | str,
        content: str,
        *,
        mentions: Sequence[User] = (),
        referenced_message: JSONDict | str | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> JSONDict:
        """A user posts ``content`` in ``channel`` (a DM channel for private messages).

        ``guild_id`` comes from the channel (absent for DMs); ``<@id>`` in content and
        ``mentions`` fill ``mentions``; ``referenced_message`` makes it a reply.
        """
        if not self.live_sessions:
            raise RuntimeError("no bot is connected to the fake gateway")
        chan, user = self._channel(channel), self._user(author)
        body: JSONDict = {"content": content}
        if referenced_message is not None:
            ref_id = (
                referenced_message
                if isinstance(referenced_message, str)
                else referenced_message["id"]
            )
            body["message_reference"] = {"message_id": ref_id}
        files = [
            UploadedFile(f"files[{i}]", name, "application/octet-stream", data)
            for i, (name, data) in enumerate(attachments)
        ]
        message = self._new_message(chan, user, body, files)
        message["mentions"] = self._mentions(content, chan.guild_id, list(mentions))
        member = self.guilds[chan.guild_id].members.get(user.id) if chan.guild_id else None
        if member is not None:
            message["member"] = member.payload(with_user=False)
        await self._broadcast("MESSAGE_CREATE", message)
        return message

    async def send_dm(self, author: User | str, content: str) -> JSONDict:
        """A user writes to the bot in private."""
        return await self.send_message_create(self.dm_channel(self._user(author)), author, content)

    def _interaction_base(
        self, kind: int, user: User | str | None, channel: Channel | str | None, locale: str | None
    ) -> tuple[InteractionRef, JSONDict]:
        """The common part of an INTERACTION_CREATE payload and its ref."""
        if not self.live_sessions:
            raise RuntimeError("no bot is connected to the fake gateway")
        who = self._user(user or self.user)
        chan = self._channel(channel or self.channel)
        ref = InteractionRef(
            id=self.snowflake(),
            token="itk_" + secrets.token_urlsafe(32),
            application_id=self.application_id,
            type=kind,
            channel_id=chan.id,
            guild_id=chan.guild_id,
            user_id=who.id,
            fake=self,
        )
        payload: JSONDict = {
            "id": ref.id,
            "application_id": ref.application_id,
            "type": kind,
            "token": ref.token,
            "version": 1,
            "channel_id": chan.id,
            "channel": chan.payload(),
            "locale": locale or who.locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if chan.guild_id is not None:
            guild = self.guilds[chan.guild_id]
            if who.id not in guild.members:
                raise ValueError(f"{who.username} is not a member of {guild.name}")
            member = guild.members[who.id].payload()
            member["permissions"] = str(guild.permissions_for(who.id))
            payload.update(
                guild_id=guild.id,
                guild={"id": guild.id, "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                member=member,
                app_permissions=str(guild.permissions_for(self.bot_user.id)),
                context=0,
                authorizing_integration_owners={"0": guild.id},
            )
        else:
            payload.update(
                user=who.payload(),
                app_permissions=str(int(EVERYONE_PERMISSIONS)),
                context=1,
                authorizing_integration_owners={"0": "0"},
            )
        self.interactions[ref.id] = ref
        return ref, payload

    async def send_interaction(
        self,
        name: str,
        options: dict[str, Any] | list[JSONDict] | None = None,
        *,
        user: User | str | None = None,
        channel: Channel | str | None = None,
        locale: str | None = None,
        command_type: int = 1,
        resolved: JSONDict | None = None,
        target_id: str | None = None,
    ) -> InteractionRef:
        """A user invokes application command ``name`` (type 2 interaction).

        ``options`` as ``{name: value}`` takes option types from the synced command (else
        str→3, int→4, bool→5, float→10), or pass the raw option list. The command's id and,
        for guild-synced commands, ``data.guild_id`` come from what the bot synced.
        """
        ref, payload = self._interaction_base(2, user, channel, locale)
        command = self._synced_command(name, command_type, ref.guild_id)
        data: JSONDict = {
            "id": command["id"] if command else self.snowflake(),
            "name": name,
            "type": command_type,
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if isinstance(options, dict):
            declared = {o["name"]: o for o in (command or {}).get("options", [])}
            data["options"] = [
                {"name": k, "type": declared.get(k, {}).get("type", _option_type(v)), "value": v}
                for k, v in options.items()
            ]
        elif options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        if target_id:
            data["target_id"] = target_id
        payload["data"] = data
        await self.dispatch("INTERACTION_CREATE", payload)
        return ref

    async def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: User | str | None = None,
        channel: Channel | str | None = None,
        locale: str | None = None,
    ) -> InteractionRef:
        """A user types into option ``focused`` of command ``name`` (type 4 interaction).

        ``options`` are the values typed so far (the focused one as a partial string, as
        Discord sends it); ``ref.offered()`` waits for the bot's choices (callback type 8).
        """
        ref, payload = self._interaction_base(
            InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE, user, channel, locale
        )
        command = self._synced_command(name, 1, ref.guild_id)
        if command is None:
            raise ValueError(f"no synced command {name!r} to autocomplete")
        declared = {o["name"]: o for o in command.get("options", [])}
        if not declared.get(focused, {}).get("autocomplete"):
            raise ValueError(f"option {focused!r} of {name!r} has no autocomplete")
        data: JSONDict = {"id": command["id"], "name": name, "type": 1, "options": []}
        for key, value in options.items():
            option = {"name": key, "type": declared.get(key, {}).get("type", 3), "value": value}
            if key == focused:
                option["focused"] = True
            data["options"].append(option)
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload["data"] = data
        await self.dispatch("INTERACTION_CREATE", payload)
        return ref

    def _synced_command(
        self, name: str, command_type: int, guild_id: str | None
    ) -> JSONDict | None:
        """The stored command an invocation refers to (guild commands first)."""
        pools = [self.guild_commands.get(guild_id, []) if guild_id else [], self.global_commands]
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == command_type:
                    return cmd
        return None

    async def send_component_interaction(
        self,
        custom_id: str,
        *,
        message: JSONDict | str | None = None,
        user: User | str | None = None,
        channel: Channel | str | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        locale: str | None = None,
    ) -> InteractionRef:
        """A user clicks button ``custom_id`` (type 3 interaction) on ``message``.

        ``message`` is a stored message (or its id); without one, a bot message holding that
        button is created in ``channel`` first.
        """
        if isinstance(message, str):
            message = self.messages[message]
        if message is not None:
            channel = channel or message["channel_id"]
        ref, payload = self._interaction_base(3, user, channel, locale)
        if message is None:
            button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
            body = {"content": "\u200b", "components": [{"type": 1, "components": [button]}]}
            message = self._new_message(self._channel(ref.channel_id), self.bot_user, body)
        ref.source_message_id = message["id"]
        data: JSONDict = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        payload.update(data=data, message=message)
        await self.dispatch("INTERACTION_CREATE", payload)
        return ref


# ---------------------------------------------------------------------------------------------
# Validation, as Discord answers it


def _option_type(value: Any) -> int:
    """Application command option type for a plain Python value."""
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def _validate_message(body: JSONDict, files: list[UploadedFile], *, creating: bool) -> None:
    """Content ≤ 2000 code points, ≤ 10 embeds, and no empty message on create."""
    problems: list[tuple[str, str, str]] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT:
        problems.append(
            ("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
        )
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length."))
    for i, embed in enumerate(embeds):
        if len(embed.get("title") or "") > 256:
            problems.append(
                (f"embeds.{i}.title", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
            )
        if len(embed.get("description") or "") > 4096:
            problems.append(
                (
                    f"embeds.{i}.description",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 4096 or fewer in length.",
                )
            )
    if problems:
        raise ApiError.form(problems)
    has_content = bool((content or "").strip())
    keys = ("embeds", "components", "sticker_ids", "poll")
    if creating and not has_content and not files and not any(body.get(k) for k in keys):
        raise ApiError(400, 50006, "Cannot send an empty message")
