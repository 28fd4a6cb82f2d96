"""[access] through the real discord.py stack: role, server and channel lists, owners, and a
blocked user's slash commands."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.discord.frontend import DiscordFrontend
from core.access import AccessSettings
from core.service import GodService
from tests.access.conftest import WAIT, eventually, rows
from tests.discord.frontend import running_frontend
from tests.fakes.discord_api import EPHEMERAL, Channel, FakeDiscord, User

ANSWER = "⟁☰☉⚭"
REFUSED = "has not opened it to you"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord with a second server ("Other", where the plain user is a member)."""
    async with FakeDiscord() as server:
        server.other = server.add_guild("Other", owner=server.owner)  # type: ignore[attr-defined]
        server.add_member(server.other, server.user)  # type: ignore[attr-defined]
        server.other_general = server.add_text_channel(server.other, "lobby")  # type: ignore[attr-defined]
        yield server


@pytest.fixture
async def frontend(fake: FakeDiscord, god_service: GodService) -> AsyncIterator[DiscordFrontend]:
    async with running_frontend(fake, god_service) as running:
        yield running


async def say(fake: FakeDiscord, channel: Channel, user: User) -> tuple[str, str]:
    """``user`` asks in ``channel`` (mentioning the bot in servers); the message's id and the
    bot's reply."""
    since = fake.mark()
    mention = f"{fake.bot_user.mention} " if channel.guild_id else ""
    sent = await fake.send_message_create(channel, user, f"{mention}🜂⧖🕯")
    reply = await fake.wait_for(
        "POST", rf"/channels/{channel.id}/messages", lambda r: r.ok, timeout=WAIT, since=since
    )
    return sent["id"], re.sub(r"\\(.)", r"\1", reply.json["content"])


def answered(reply: str) -> bool:
    return reply.startswith(ANSWER)


def refused(reply: str) -> bool:
    return REFUSED in reply


async def test_roles_servers_channels_and_owners(
    fake: FakeDiscord, frontend: DiscordFrontend, god_service: GodService, db_path: Path
) -> None:
    other: Channel = fake.other_general  # type: ignore[attr-defined]
    dm = fake.dm_channel(fake.user)
    refused_ids: list[str] = []

    async def check(channel: Channel, user: User, expect_answer: bool) -> None:
        message_id, reply = await say(fake, channel, user)
        assert (answered if expect_answer else refused)(reply), (channel.name, user.username)
        if not expect_answer:
            refused_ids.append(message_id)

    access = god_service.configure_access
    access(AccessSettings(allow_roles=(fake.moderator_role.id,)))
    await check(fake.channel, fake.moderator, True)
    await check(fake.channel, fake.user, False)
    await check(fake.channel, fake.admin, False)

    access(AccessSettings(block_roles=(fake.admin_role.id,)))
    await check(fake.channel, fake.admin, False)
    await check(fake.channel, fake.user, True)

    access(AccessSettings(allow_servers=(fake.guild.id,)))
    await check(fake.channel, fake.user, True)
    await check(other, fake.user, False)
    access(AccessSettings(allow_servers=(fake.guild.id,)))  # told again: a new memory
    await check(dm, fake.user, False)  # DMs only through allow_channels
    access(AccessSettings(block_servers=(fake.other.id,)))  # type: ignore[attr-defined]
    await check(other, fake.user, False)
    await check(dm, fake.user, True)

    access(AccessSettings(allow_channels=(fake.channel.id, dm.id)))
    await check(fake.channel, fake.user, True)
    await check(dm, fake.user, True)
    await check(fake.other_channel, fake.user, False)
    access(AccessSettings(block_channels=(fake.other_channel.id,)))
    await check(fake.other_channel, fake.moderator, False)
    await check(fake.channel, fake.moderator, True)

    # owners: always, even in a blocked server and without an allowed role
    access(
        AccessSettings(
            owners=(f"discord:{fake.user.id}",),
            block_servers=(fake.guild.id,),
            allow_roles=(fake.admin_role.id,),
        )
    )
    await check(fake.channel, fake.user, True)
    await check(fake.channel, fake.moderator, False)

    # the refused messages are not kept in the intake; the refused users were never stored
    db = db_path
    for message_id in refused_ids:
        [(payload, status)] = rows(
            db, "SELECT payload, status FROM intake WHERE event_id = ?", message_id
        )
        assert (payload, status) == ("", "refused"), message_id
    stored = {external for (external,) in rows(db, "SELECT external_id FROM users")}
    assert fake.admin.id not in stored  # refused every time it asked


async def test_a_blocked_users_slash_commands_are_refused_once_and_not_kept(
    fake: FakeDiscord, frontend: DiscordFrontend, god_service: GodService, db_path: Path
) -> None:
    god_service.configure_access(AccessSettings(block_users=(fake.user.id,)))
    first = await fake.send_interaction(
        "glyph", {"message": "🜂⧖🕯"}, user=fake.user, channel=fake.channel
    )
    told = await first.followup(timeout=WAIT)
    assert REFUSED in re.sub(r"\\(.)", r"\1", told.json["content"])
    assert told.json.get("flags", 0) & EPHEMERAL  # for their eyes only
    second = await fake.send_interaction(
        "history", {}, user=fake.user, channel=fake.channel
    )  # told already today: nothing more, the "thinking…" placeholder goes away
    await fake.wait_for(
        "DELETE", rf"/webhooks/{second.application_id}/.*/messages/@original", timeout=WAIT
    )
    assert not [r for r in second.webhook_requests() if r.method == "POST" and "content" in (
        r.json or {})]  # fmt: skip
    # another user is still answered
    moderator = await fake.send_interaction(
        "glyph", {"message": "🜂⧖🕯"}, user=fake.moderator, channel=fake.channel
    )
    assert (await moderator.followup(timeout=WAIT)).json["content"].startswith(ANSWER)
    db = db_path

    def blanked() -> bool:
        found = rows(
            db, "SELECT payload, status FROM intake WHERE event_id IN (?, ?)", first.id, second.id
        )
        return len(found) == 2 and all(row == ("", "refused") for row in found)

    await eventually(blanked, "the blocked user's interactions blanked in the intake")
    stored = {external for (external,) in rows(db, "SELECT external_id FROM users")}
    assert fake.user.id not in stored and fake.moderator.id in stored
