"""Discord interactions and messages as the core's ``Incoming``.

The Discord server is the core's "chat" (chat_id = guild id, kind "group"); a channel can
override the server's mode (channel_id; a thread counts as its parent channel). A DM is a
private chat whose id is the DM channel's id.
"""

from __future__ import annotations

import re

import discord

from core.language.text import script_language
from core.types import Incoming, Mode

PLATFORM = "discord"


def _channel_key(channel: object, channel_id: int | None) -> str | None:
    """The channel whose mode override applies: a thread's parent, else the channel itself."""
    if isinstance(channel, discord.Thread) and channel.parent_id is not None:
        return str(channel.parent_id)
    return str(channel_id) if channel_id is not None else None


def roles_of(user: object) -> tuple[str, ...]:
    """A server member's role ids (the server's own id is @everyone's); none in DMs."""
    if isinstance(user, discord.Member):
        return tuple(str(role.id) for role in user.roles)
    return ()


def from_interaction(
    interaction: discord.Interaction,
    text: str = "",
    *,
    mode: Mode | None = None,
    is_admin: bool = False,
) -> Incoming:
    """An interaction (slash command, button, context menu) as the core sees it."""
    user = interaction.user
    hint = interaction.locale.value if interaction.locale else None
    if interaction.guild_id is not None:
        return Incoming(
            platform=PLATFORM,
            chat_id=str(interaction.guild_id),
            user_id=str(user.id),
            text=text,
            chat_kind="group",
            channel_id=_channel_key(interaction.channel, interaction.channel_id),
            is_admin=is_admin,
            language_hint=hint,
            mode=mode,
            user_name=user.name,
            thread_id=str(interaction.channel_id) if interaction.channel_id else None,
            role_ids=roles_of(user),
        )
    return Incoming(
        platform=PLATFORM,
        chat_id=str(interaction.channel_id or user.id),
        user_id=str(user.id),
        text=text,
        chat_kind="private",
        language_hint=hint,
        mode=mode,
        user_name=user.name,
    )


def from_message(message: discord.Message, text: str) -> Incoming:
    """A DM, or a guild message addressed to the bot, as the core sees it.

    Messages carry no client language; the text's own script decides, and glyph-only text
    is read in the server's preferred language.
    """
    guild = message.guild
    hint = None
    if guild is not None and script_language(text) is None:
        hint = guild.preferred_locale.value
    return Incoming(
        platform=PLATFORM,
        chat_id=str(guild.id if guild is not None else message.channel.id),
        user_id=str(message.author.id),
        text=text,
        chat_kind="group" if guild is not None else "private",
        channel_id=_channel_key(message.channel, message.channel.id) if guild else None,
        language_hint=hint,
        user_name=message.author.name,
        external_message_id=str(message.id),
        thread_id=str(message.channel.id) if guild is not None else None,
        role_ids=roles_of(message.author),
    )


def without_mention(content: str, bot_id: int, role_ids: tuple[int, ...] = ()) -> str:
    """The text with the bot's mentions (``<@id>``, ``<@!id>``, its own role) taken out."""
    content = re.sub(rf"<@!?{bot_id}>", " ", content)
    for role_id in role_ids:
        content = content.replace(f"<@&{role_id}>", " ")
    return re.sub(r"[ \t]{2,}", " ", content).strip()
