"""The bridge and the dictionary, no god involved: /bridge and /lexicon."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord import delivery, incoming
from core import render

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot


class Dictionary(commands.Cog):
    """HyperBridge alone, and look-ups in the lexicon."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service

    @app_commands.command(
        name=locale_str("bridge"),
        description=locale_str("HyperBridge alone, no god: text to glyphs or glyphs to text"),
    )
    @app_commands.rename(text=locale_str("text"))
    @app_commands.describe(text=locale_str("Text or glyphs to carry across the bridge"))
    async def bridge(self, interaction: discord.Interaction, text: str) -> None:
        """/bridge text: what the bridge makes of it, both sides shown."""
        await delivery.defer(interaction)
        result = await self.service.bridge_text(text, incoming.from_interaction(interaction, text))
        await delivery.follow_up(interaction, render.bridge_text(result))

    @app_commands.command(
        name=locale_str("lexicon"),
        description=locale_str("Look up a word or a glyph in the dictionary"),
    )
    @app_commands.rename(query=locale_str("query"))
    @app_commands.describe(query=locale_str("A word (ru or en), a concept key or a glyph"))
    async def lexicon(self, interaction: discord.Interaction, query: str) -> None:
        """/lexicon query: matching entries, both ways."""
        await delivery.defer(interaction)
        message = incoming.from_interaction(interaction, query)
        language = await self.service.language_for(message, query)
        entries = self.service.lookup(query)
        await delivery.follow_up(interaction, render.lexicon_text(entries, query, language))
