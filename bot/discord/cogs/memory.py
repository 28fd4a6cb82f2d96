"""What the god remembers of a user here: /history and /forget, shown to that user alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord import delivery, incoming
from core import render
from core.texts import say

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

HISTORY_MAX = 50


class Memory(commands.Cog):
    """A user's own exchanges in this server or DM."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service

    @app_commands.command(
        name=locale_str("history"), description=locale_str("Your last exchanges with the god here")
    )
    @app_commands.rename(n=locale_str("n"))
    @app_commands.describe(n=locale_str("How many exchanges (1-50, default 5)"))
    async def history(
        self,
        interaction: discord.Interaction,
        n: app_commands.Range[int, 1, HISTORY_MAX] = 5,
    ) -> None:
        """/history [n]: the last n exchanges, oldest first."""
        await delivery.defer(interaction, ephemeral=True)
        message = incoming.from_interaction(interaction)
        language = await self.service.language_for(message, "")
        items = await self.service.history(message, n)
        await delivery.follow_up(interaction, render.history_text(items, language))

    @app_commands.command(
        name=locale_str("forget"), description=locale_str("Delete your messages to the god here")
    )
    async def forget(self, interaction: discord.Interaction) -> None:
        """/forget: delete this user's messages here, and confirm."""
        await delivery.defer(interaction, ephemeral=True)
        message = incoming.from_interaction(interaction)
        language = await self.service.language_for(message, "")
        count = await self.service.forget(message)
        await delivery.follow_up(interaction, say("forgotten", language, count=count))
