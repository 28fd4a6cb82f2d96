"""Server, channel and DM settings: /mode and /lang, with Discord's permissions enforced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import Choice, locale_str
from discord.ext import commands

from bot.discord import delivery, incoming
from core.texts import say

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

MODE_CHOICES = [
    Choice(name=locale_str("glyph — the silent god"), value="glyph"),
    Choice(name=locale_str("translate — the translated voice"), value="translate"),
]
SCOPE_CHOICES = [
    Choice(name=locale_str("server"), value="server"),
    Choice(name=locale_str("channel"), value="channel"),
]
LANGUAGE_CHOICES = [
    Choice(name=locale_str("Russian"), value="ru"),
    Choice(name=locale_str("English"), value="en"),
    Choice(name=locale_str("auto"), value="auto"),
]


class Settings(commands.Cog):
    """Defaults of a server (Manage Server), a channel (Manage Channels) or a DM (its user)."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service

    async def _refuse(self, interaction: discord.Interaction, key: str) -> None:
        """An ephemeral refusal; nothing is changed."""
        await delivery.defer(interaction, ephemeral=True)
        language = await self.service.language_for(incoming.from_interaction(interaction), "")
        await delivery.follow_up(interaction, say(key, language))

    @app_commands.command(
        name=locale_str("mode"),
        description=locale_str("Show or set the default mode of this server, channel or DM"),
    )
    @app_commands.rename(mode=locale_str("mode"), scope=locale_str("scope"))
    @app_commands.describe(
        mode=locale_str("glyph: the silent god; translate: the translated voice"),
        scope=locale_str("The whole server (default) or only this channel"),
    )
    @app_commands.choices(mode=MODE_CHOICES, scope=SCOPE_CHOICES)
    async def mode(
        self,
        interaction: discord.Interaction,
        mode: Choice[str] | None = None,
        scope: Choice[str] | None = None,
    ) -> None:
        """/mode [mode] [scope]: show, or set when the member holds the right permission."""
        in_guild = interaction.guild_id is not None
        channel = in_guild and scope is not None and scope.value == "channel"
        permissions = interaction.permissions
        allowed = (
            not in_guild
            or permissions.administrator
            or (permissions.manage_channels if channel else permissions.manage_guild)
        )
        value = mode.value if mode else None
        if value is not None and not allowed:
            key = "discord_needs_manage_channels" if channel else "discord_needs_manage_guild"
            await self._refuse(interaction, key)
            return
        await delivery.defer(interaction, ephemeral=value is None)
        message = incoming.from_interaction(interaction, is_admin=allowed)
        change = await self.service.mode_setting(
            message, value, scope="channel" if channel else "chat"
        )
        if change.outcome in ("refused", "invalid"):
            await delivery.note(interaction, change.message)
            return
        text = change.message
        if channel:
            language = await self.service.language_for(message, "")
            shown = "discord_channel_mode_is" if change.outcome == "shown" else None
            text = say(shown or "discord_channel_mode_set", language, mode=change.value)
        await delivery.follow_up(interaction, text)

    @app_commands.command(
        name=locale_str("lang"),
        description=locale_str("Show or set the language of the translated voice"),
    )
    @app_commands.rename(language=locale_str("language"))
    @app_commands.describe(
        language=locale_str(
            "ru, en, or auto (your Discord language, else the script of the message)"
        )
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def lang(
        self, interaction: discord.Interaction, language: Choice[str] | None = None
    ) -> None:
        """/lang [ru|en|auto]: the server's (or DM's) language of the translated voice."""
        in_guild = interaction.guild_id is not None
        permissions = interaction.permissions
        allowed = not in_guild or permissions.administrator or permissions.manage_guild
        value = language.value if language else None
        if value is not None and not allowed:
            await self._refuse(interaction, "discord_needs_manage_guild")
            return
        await delivery.defer(interaction, ephemeral=value is None)
        message = incoming.from_interaction(interaction, is_admin=allowed)
        change = await self.service.language_setting(message, value)
        if change.outcome in ("refused", "invalid"):
            await delivery.note(interaction, change.message)
            return
        await delivery.follow_up(interaction, change.message)
