"""Configuration: one TOML file read once, validated into frozen objects, passed down.

Every problem becomes a ``ConfigError`` whose one-line message names the key, so the command
line can print it instead of a traceback. Tokens may come from the environment
(``SILENTGOD_TELEGRAM_TOKEN``, ``SILENTGOD_DISCORD_TOKEN``) and are never part of ``repr``;
so may this process's Discord shards (``SILENTGOD_DISCORD_SHARDS=0-3/8``), so that one image
serves every replica.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.access import AccessSettings, entry_of
from core.errors import SilentGodError
from core.settings import CoreSettings
from core.storage.engine import mask_url

TOKEN_ENVIRONMENT = {
    "telegram": "SILENTGOD_TELEGRAM_TOKEN",
    "discord": "SILENTGOD_DISCORD_TOKEN",
}


SHARDS_ENVIRONMENT = "SILENTGOD_DISCORD_SHARDS"

MIN_WEBHOOK_SECRET = 32


class ConfigError(SilentGodError, ValueError):
    """The configuration cannot be used; the message names the key."""


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Where conversations are kept."""

    url: str = field(default="sqlite+aiosqlite:///silentgod.db", repr=False)
    busy_timeout_ms: int = 5000
    pool_size: int = 5
    pool_pre_ping: bool = True
    retries: int = 3
    retention_days: int = 0
    delete_batch: int = 500
    erase_confirm_s: int = 600


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """The Telegram frontend."""

    enabled: bool = False
    token: str = field(default="", repr=False)
    base_url: str = ""
    base_file_url: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: str = field(default="", repr=False)
    poll_timeout_s: int = 10
    per_chat_backlog: int = 32
    max_concurrent_updates: int = 256
    typing_after_s: float = 0.5
    recover_within_s: float = 3600.0
    leader_retry_s: float = 1.0


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    """The Discord frontend."""

    enabled: bool = False
    token: str = field(default="", repr=False)
    api_base: str = ""
    gateway_url: str = ""
    sharded: bool = False
    shard_count: int = 0
    shard_ids: tuple[int, ...] = ()  # this process's shards; empty: every shard
    sync_commands: bool = True
    typing_after_s: float = 0.5
    recover_within_s: float = 3600.0


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """What is logged to stderr."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


@dataclass(frozen=True, slots=True)
class ObserveConfig:
    """Health and metrics over HTTP."""

    listen: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    core: CoreSettings = field(default_factory=CoreSettings)
    storage: StorageConfig = field(default_factory=StorageConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    observe: ObserveConfig = field(default_factory=ObserveConfig)
    access: AccessSettings = field(default_factory=AccessSettings)


SECTIONS: dict[str, type] = {
    "core": CoreSettings,
    "storage": StorageConfig,
    "telegram": TelegramConfig,
    "discord": DiscordConfig,
    "logging": LoggingConfig,
    "observe": ObserveConfig,
    "access": AccessSettings,
}


def _check_value(section: str, name: str, expected: Any, value: Any) -> Any:
    where = f"[{section}] {name}"
    if typing.get_origin(expected) is Literal:
        choices = typing.get_args(expected)
        if value not in choices:
            listed = ", ".join(repr(c) for c in choices)
            raise ConfigError(f"config: {where} = {value!r} must be one of {listed}")
        return value
    if expected is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config: {where} must be true or false, not {value!r}")
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config: {where} must be a whole number, not {value!r}")
        if value < 0:
            raise ConfigError(f"config: {where} must not be negative")
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"config: {where} must be a number, not {value!r}")
        if value < 0:
            raise ConfigError(f"config: {where} must not be negative")
        return float(value)
    if expected == tuple[int, ...]:
        return _shard_ids(where, value)
    if expected == tuple[str, ...]:
        return _access_ids(where, name, value)
    if not isinstance(value, str):
        raise ConfigError(f"config: {where} must be text, not {value!r}")
    return value


def _shard_ids(where: str, value: Any) -> tuple[int, ...]:
    """Shard ids from a list ``[0, 1]``, a range ``"0-3"`` or a list in text ``"0,2"``."""
    problem = f'config: {where} must be a list of shard ids or a range such as "0-3"'
    if isinstance(value, str):
        ids: list[int] = []
        try:
            for part in filter(None, (p.strip() for p in value.split(","))):
                first, _, last = part.partition("-")
                ids.extend(range(int(first), int(last or first) + 1))
        except ValueError:
            raise ConfigError(f"{problem}, not {value!r}") from None
        value = ids
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
    ):
        raise ConfigError(f"{problem}, not {value!r}")
    if len(set(value)) != len(value):
        raise ConfigError(f"config: {where} names a shard twice")
    return tuple(sorted(value))


def _access_ids(where: str, name: str, value: Any) -> tuple[str, ...]:
    """A list of ids (whole numbers, or text) and, for users and chats, @usernames; each may
    start with ``telegram:`` or ``discord:``."""
    names_allowed = name in ("owners", "allow_users", "block_users", "allow_chats", "block_chats")
    kinds = "ids or @usernames" if names_allowed else "ids"
    if not isinstance(value, list):
        raise ConfigError(f"config: {where} must be a list of {kinds}, not {value!r}")
    ids: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise ConfigError(f"config: {where} must be a list of {kinds}, not {item!r}")
        _, entry = entry_of(str(item))
        numeric = entry.lstrip("-").isdigit()
        named = entry.startswith("@") and len(entry) > 1 and names_allowed
        if not (numeric or named):
            raise ConfigError(f"config: {where} holds {item!r}, which is not one of {kinds}")
        ids.append(str(item).strip())
    return tuple(ids)


def _section(name: str, cls: type, raw: object) -> Any:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"config: [{name}] must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise ConfigError(f"config: unknown key [{name}] {key}")
    values = {key: _check_value(name, key, hints[key], value) for key, value in raw.items()}
    return cls(**values)


def _validate(config: Config) -> Config:
    core = config.core
    if core.batch_max < 1:
        raise ConfigError("config: [core] batch_max must be at least 1")
    if core.max_message_chars < 1:
        raise ConfigError("config: [core] max_message_chars must be at least 1")
    if core.queue_size < 1 or core.per_user_inflight < 1:
        raise ConfigError("config: [core] queue_size and per_user_inflight must be at least 1")
    if core.voice_confidence > 1:
        raise ConfigError("config: [core] voice_confidence must be at most 1 (a probability)")
    storage = config.storage
    if "://" not in storage.url:
        raise ConfigError(f"config: [storage] url {mask_url(storage.url)!r} is not a database URL")
    if storage.pool_size < 1:
        raise ConfigError("config: [storage] pool_size must be at least 1")
    if storage.retries < 0 or storage.busy_timeout_ms < 0:
        raise ConfigError("config: [storage] retries and busy_timeout_ms must not be negative")
    if storage.delete_batch < 1 or storage.erase_confirm_s < 1:
        raise ConfigError("config: [storage] delete_batch and erase_confirm_s must be at least 1")
    for name in ("telegram", "discord"):
        section = getattr(config, name)
        if section.enabled and not section.token:
            raise ConfigError(
                f"config: [{name}] token is missing (set it or {TOKEN_ENVIRONMENT[name]})"
            )
    telegram = config.telegram
    if telegram.enabled and telegram.mode == "webhook" and not telegram.webhook_url:
        raise ConfigError("config: [telegram] webhook_url is required when mode = 'webhook'")
    if telegram.webhook_secret and len(telegram.webhook_secret) < MIN_WEBHOOK_SECRET:
        raise ConfigError(
            f"config: [telegram] webhook_secret must be at least {MIN_WEBHOOK_SECRET} characters "
            "(or empty: a random one is made at every start)"
        )
    discord = config.discord
    if discord.shard_ids and not discord.shard_count:
        raise ConfigError(
            "config: [discord] shard_ids needs shard_count (the number of shards of every process)"
        )
    if any(i >= discord.shard_count for i in discord.shard_ids):
        raise ConfigError(
            f"config: [discord] shard_ids must be below shard_count ({discord.shard_count})"
        )
    if telegram.poll_timeout_s < 1 or telegram.per_chat_backlog < 1:
        raise ConfigError("config: [telegram] poll_timeout_s and per_chat_backlog must be >= 1")
    for name in ("telegram", "discord"):
        if getattr(config, name).typing_after_s < 0:
            raise ConfigError(f"config: [{name}] typing_after_s must not be negative")
    access = config.access
    if access.refusal_memory < 1:
        raise ConfigError("config: [access] refusal_memory must be at least 1")
    listen = config.observe.listen
    host, _, port = listen.rpartition(":")
    if listen and (not host or not port.isdigit() or int(port) > 65535):
        raise ConfigError(f"config: [observe] listen = {listen!r} must be host:port or empty")
    return config


def parse_config(data: Mapping[str, object], environ: Mapping[str, str] | None = None) -> Config:
    """Validate parsed TOML (plus token variables from ``environ``) into a Config."""
    environ = os.environ if environ is None else environ
    for key in data:
        if key not in SECTIONS:
            raise ConfigError(f"config: unknown section [{key}]")
    sections = {name: _section(name, cls, data.get(name, {})) for name, cls in SECTIONS.items()}
    for name, variable in TOKEN_ENVIRONMENT.items():
        token = environ.get(variable, "").strip()
        if token:
            sections[name] = dataclasses.replace(sections[name], token=token)
    shards = environ.get(SHARDS_ENVIRONMENT, "").strip()
    if shards:
        sections["discord"] = _shards_from_environment(sections["discord"], shards)
    discord = sections["discord"]
    if discord.shard_ids and not discord.sharded:
        sections["discord"] = dataclasses.replace(discord, sharded=True)
    return _validate(Config(**sections))


def _shards_from_environment(discord: DiscordConfig, value: str) -> DiscordConfig:
    """``ids/count`` (``0-3/8``) from the environment: this process's shards of all of them."""
    ids, slash, count = value.partition("/")
    where = f"{SHARDS_ENVIRONMENT}={value!r}"
    if not slash or not count.strip().isdigit():
        raise ConfigError(f"config: {where} must read ids/count, such as 0-3/8")
    shard_ids = _shard_ids(SHARDS_ENVIRONMENT, ids)
    return dataclasses.replace(discord, shard_ids=shard_ids, shard_count=int(count), sharded=True)


def load_config(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read a config file (or the defaults when ``path`` is None)."""
    if path is None:
        return parse_config({}, environ)
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config: file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config: {path} is not valid TOML ({error})") from None
    except OSError as error:
        raise ConfigError(f"config: cannot read {path} ({error.strerror})") from None
    return parse_config(data, environ)
