"""The one access decision (core/access.py) and its [access] config, without a frontend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, parse_config
from core.access import AccessPolicy, AccessSettings, Gate
from core.types import Incoming


def telegram(user: str = "1", *, handle: str | None = "alice", chat: str | None = None,
             chat_handle: str | None = None) -> Incoming:  # fmt: skip
    kind = "private" if chat is None else "group"
    return Incoming("telegram", chat or user, user, "?", chat_kind=kind, user_handle=handle,
                    chat_handle=chat_handle if chat else handle)  # fmt: skip


def discord(user: str = "10", *, server: str | None = "500", channel: str = "600",
            thread: str | None = None, roles: tuple[str, ...] = ()) -> Incoming:  # fmt: skip
    if server is None:  # a DM: its channel is the chat
        return Incoming("discord", channel, user, "?", chat_kind="private")
    return Incoming("discord", server, user, "?", chat_kind="group", channel_id=channel,
                    thread_id=thread or channel, role_ids=roles)  # fmt: skip


def decide(message: Incoming, **lists: object) -> str:
    return AccessPolicy(AccessSettings(**lists)).decide(message)  # type: ignore[arg-type]


def test_empty_lists_allow_everyone_and_the_console_is_an_owner() -> None:
    assert decide(telegram()) == "allowed"
    assert decide(discord()) == "allowed"
    assert decide(Incoming("console", "console", "me", "?")) == "owner"


def test_telegram_users_by_id_and_by_username_in_any_case() -> None:
    assert decide(telegram("1"), block_users=("1",)) == "blocked"
    assert decide(telegram("1", handle="Alice"), block_users=("@aLiCe",)) == "blocked"
    assert decide(telegram("2", handle="bob"), block_users=("@alice",)) == "allowed"
    assert decide(telegram("2", handle="bob"), allow_users=("@alice", "3")) == "blocked"
    assert decide(telegram("3", handle=None), allow_users=("@alice", "3")) == "allowed"
    # a display name is never taken for a @username
    assert decide(telegram("4", handle=None), allow_users=("@alice",)) == "blocked"


def test_telegram_chats_by_id_and_by_username() -> None:
    group = telegram("1", chat="-100", chat_handle="temple")
    assert decide(group, allow_chats=("-100",)) == "allowed"
    assert decide(group, allow_chats=("@Temple",)) == "allowed"
    assert decide(telegram("1", chat="-200"), allow_chats=("-100",)) == "blocked"
    assert decide(group, block_chats=("-100",)) == "blocked"
    # a private chat's id is its user's
    assert decide(telegram("1"), allow_chats=("-100", "1")) == "allowed"
    # Telegram's chat lists say nothing about Discord
    assert decide(discord(), allow_chats=("-100",)) == "allowed"


def test_discord_roles_servers_and_channels() -> None:
    moderator = discord("10", roles=("500", "77"))
    member = discord("11", roles=("500",))
    assert decide(moderator, allow_roles=("77",)) == "allowed"
    assert decide(member, allow_roles=("77",)) == "blocked"
    assert decide(member, allow_roles=("77",), allow_users=("11",)) == "allowed"  # or: either
    assert decide(moderator, block_roles=("77",)) == "blocked"
    assert decide(discord(server="500"), allow_servers=("500",)) == "allowed"
    assert decide(discord(server="501"), allow_servers=("500",)) == "blocked"
    assert decide(discord(server=None, channel="900"), allow_servers=("500",)) == "blocked"
    assert decide(discord(server=None, channel="900"), allow_channels=("900",)) == "allowed"
    assert decide(discord(server="501", channel="601"), allow_servers=("500",),
                  allow_channels=("601",)) == "allowed"  # fmt: skip
    assert decide(discord(channel="600"), block_channels=("600",)) == "blocked"
    # a thread counts as itself and as its parent channel
    assert decide(discord(channel="600", thread="650"), block_channels=("600",)) == "blocked"
    assert decide(discord(channel="600", thread="650"), allow_channels=("650",)) == "allowed"
    assert decide(discord(server="500"), block_servers=("500",)) == "blocked"
    # Discord's lists say nothing about Telegram
    assert decide(telegram(), allow_servers=("500",), allow_roles=("77",)) == "allowed"
    # who and where both have to pass
    assert decide(moderator, allow_roles=("77",), allow_channels=("601",)) == "blocked"


def test_platform_prefixes_keep_an_entry_to_one_platform() -> None:
    assert decide(telegram("10"), block_users=("discord:10",)) == "allowed"
    assert decide(discord("10"), block_users=("discord:10",)) == "blocked"
    assert decide(discord("10"), block_users=("10",)) == "blocked"
    assert decide(discord("10"), allow_users=("telegram:@alice",)) == "allowed"
    assert decide(telegram("1"), allow_users=("telegram:@alice",)) == "allowed"
    assert decide(telegram("2", handle="bob"), allow_users=("telegram:@alice",)) == "blocked"


def test_owners_are_always_allowed() -> None:
    owner = telegram("1", handle="alice", chat="-100")
    lists = {"owners": ("@alice",), "block_users": ("1",), "block_chats": ("-100",)}
    assert decide(owner, **lists) == "owner"
    assert decide(owner, owners=("1",), allow_users=("2",), allow_chats=("-200",)) == "owner"
    assert decide(discord("10", roles=("77",)), owners=("10",), block_roles=("77",)) == "owner"
    assert decide(telegram("10"), owners=("discord:10",), block_users=("10",)) == "blocked"


def test_the_gate_tells_a_refused_user_once_a_day() -> None:
    now = [datetime(2026, 12, 6, 23, 59, tzinfo=UTC)]
    gate = Gate(AccessSettings(block_users=("1", "2")), lambda: now[0])
    assert [gate.check(telegram("1")) for _ in range(3)] == ["refuse", "quiet", "quiet"]
    assert gate.check(telegram("2")) == "refuse"  # told apart
    assert gate.check(discord("1")) == "refuse"  # another platform, another person
    assert gate.check(telegram("3")) == "allowed"
    now[0] += timedelta(minutes=2)  # the next day (UTC)
    assert [gate.check(telegram("1")) for _ in range(2)] == ["refuse", "quiet"]


def test_the_access_config_takes_ids_and_usernames_and_names_bad_values() -> None:
    config = parse_config(
        {"access": {"owners": [123, "@alice", "discord:80351110224678912"], "daily_answers": 5}},
        environ={},
    )
    assert config.access.owners == ("123", "@alice", "discord:80351110224678912")
    assert config.access.daily_answers == 5
    assert parse_config({}, environ={}).access == AccessSettings()
    bad = (
        ({"owners": "123"}, "[access] owners must be a list"),
        ({"allow_roles": ["@mods"]}, "[access] allow_roles holds '@mods'"),
        ({"block_users": ["alice"]}, "[access] block_users holds 'alice'"),
        ({"allow_chats": [True]}, "[access] allow_chats must be a list"),
        ({"daily_fields": -1}, "[access] daily_fields must not be negative"),
        ({"refusal_memory": 0}, "[access] refusal_memory must be at least 1"),
        ({"allow_everyone": []}, "unknown key [access] allow_everyone"),
    )
    for section, message in bad:
        with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
            parse_config({"access": section}, environ={})
