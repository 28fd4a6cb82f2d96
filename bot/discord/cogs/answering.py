"""Answering on demand: /glyph, /translate, /help and the "Translate" message menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.discord import delivery, incoming, replies
from core import render
from core.texts import say
from core.types import Mode

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

MESSAGE = locale_str("message")
MESSAGE_HELP = locale_str("Words or glyphs, e.g. 🜂⧖🕯")


class Answering(commands.Cog):
    """The god answers one message in a chosen mode."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service
        # discord.py cannot declare context menus inside a cog; build it from a bound method.
        self.translate_menu = app_commands.ContextMenu(
            name=locale_str("Translate"), callback=self.translate_message
        )

    async def cog_load(self) -> None:
        """Add the message menu to the tree along with the cog's slash commands."""
        self.bot.tree.add_command(self.translate_menu)

    async def cog_unload(self) -> None:
        """Take the message menu away again."""
        self.bot.tree.remove_command(self.translate_menu.name, type=self.translate_menu.type)

    async def _answer(self, interaction: discord.Interaction, text: str, mode: Mode) -> None:
        await delivery.defer(interaction)
        reply = await self.service.answer(incoming.from_interaction(interaction, text, mode=mode))
        await replies.to_interaction(interaction, self.service, reply)

    @app_commands.command(
        name=locale_str("glyph"), description=locale_str("Answer as the silent god, in glyphs only")
    )
    @app_commands.rename(message=MESSAGE)
    @app_commands.describe(message=MESSAGE_HELP)
    async def glyph(self, interaction: discord.Interaction, message: str) -> None:
        """/glyph message: the silent god's answer, with a Translate button."""
        await self._answer(interaction, message, "glyph")

    @app_commands.command(
        name=locale_str("translate"),
        description=locale_str("Answer in the translated voice: glyphs and their meaning"),
    )
    @app_commands.rename(message=MESSAGE)
    @app_commands.describe(message=MESSAGE_HELP)
    async def translate(self, interaction: discord.Interaction, message: str) -> None:
        """/translate message: glyphs and their meaning in words."""
        await self._answer(interaction, message, "translate")

    @app_commands.command(
        name=locale_str("help"),
        description=locale_str("What the Silent God is, its modes and commands"),
    )
    async def help(self, interaction: discord.Interaction) -> None:
        """/help: what the bot is, in the user's language, to the user alone."""
        await delivery.defer(interaction, ephemeral=True)
        language = await self.service.language_for(incoming.from_interaction(interaction), "")
        await delivery.follow_up(interaction, say("help", language))

    async def translate_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message menu "Translate": reveal a stored answer, else bridge the message's glyphs."""
        await delivery.defer(interaction, ephemeral=True)
        asked = incoming.from_interaction(interaction, message.content)
        answer_id = await self.service.find_answer(asked, str(message.id))
        revealed = await self.service.reveal(answer_id, asked) if answer_id else None
        if revealed is not None:
            await delivery.follow_up(interaction, render.reply_text(revealed))
            return
        if not message.content.strip():
            language = await self.service.language_for(asked, "")
            await delivery.follow_up(interaction, say("nothing_to_translate", language))
            return
        result = await self.service.bridge_text(message.content, asked)
        await delivery.follow_up(interaction, render.bridge_text(result))
