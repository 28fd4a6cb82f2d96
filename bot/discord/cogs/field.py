"""/field: the picture of the god's meaning field for one message."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord import delivery, incoming

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot


class Field(commands.Cog):
    """Draws what the god attended to and what it answered."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service

    @app_commands.command(
        name=locale_str("field"),
        description=locale_str("A picture of the god's meaning field for a message"),
    )
    @app_commands.rename(message=locale_str("message"))
    @app_commands.describe(message=locale_str("Words or glyphs, e.g. 🜂⧖🕯"))
    async def field(self, interaction: discord.Interaction, message: str) -> None:
        """/field message: a PNG attachment with its caption (or why there is nothing)."""
        await delivery.defer(interaction)
        picture = await self.service.field(incoming.from_interaction(interaction, message))
        if picture.png is None:
            await delivery.note(interaction, picture.caption)
            return
        image = discord.File(io.BytesIO(picture.png), "field.png")
        await delivery.follow_up(interaction, picture.caption, file=image)
