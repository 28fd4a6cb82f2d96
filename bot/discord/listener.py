"""Plain messages: DMs always, servers only when the bot is mentioned or replied to."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord import incoming
from bot.discord.delivery import typing_while_slow
from bot.discord.render import to_channel
from core.commands import Invocation
from core.commands import run as run_command

if TYPE_CHECKING:
    from bot.discord.bot import SilentGodBot

ANSWERED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class Listener(commands.Cog):
    """Answers messages in the effective default mode (channel, else server, else config)."""

    def __init__(self, bot: SilentGodBot) -> None:
        self.bot = bot
        self.service = bot.service

    def _my_roles(self, message: discord.Message) -> tuple[int, ...]:
        """The bot's own managed role, when a message mentions it instead of the bot."""
        me = self.bot.user
        return tuple(
            role.id
            for role in message.role_mentions
            if me is not None and role.tags is not None and role.tags.bot_id == me.id
        )

    def _replied_message(self, message: discord.Message) -> discord.Message | None:
        """The bot's message this one replies to, if it does."""
        reference = message.reference
        resolved = reference.resolved if reference else None
        me = self.bot.user
        if isinstance(resolved, discord.Message) and me and resolved.author.id == me.id:
            return resolved
        return None

    def _addressed(self, message: discord.Message) -> bool:
        """Mentioned by name or by its role (never by @everyone), or replied to."""
        me = self.bot.user
        if me is None:
            return False
        if any(user.id == me.id for user in message.mentions) or self._my_roles(message):
            return True
        return self._replied_message(message) is not None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a DM, a mention or a reply to the bot; ignore bots, itself included."""
        if message.author.bot or message.type not in ANSWERED_TYPES or self.bot.user is None:
            return
        if message.guild is not None and not self._addressed(message):
            return
        self.bot.track()
        text = incoming.without_mention(message.content, self.bot.user.id, self._my_roles(message))
        asked = incoming.from_message(message, text)
        replied = self._replied_message(message)
        if not text and replied is not None:  # a bare reply to an answer: reveal it
            name, invocation = "reveal", Invocation(asked, replied_message_id=str(replied.id))
        else:
            name, invocation = "ask", Invocation(asked)
        if not await self.bot.intake.message(message, name, invocation):
            return  # already received (and handled, or pending for the recovery)
        try:
            async with typing_while_slow(message.channel, self.bot.config.typing_after_s):
                outcome = await run_command(self.service, name, invocation)
            if outcome.keep_nothing:
                await self.bot.intake.forget(message.id)
            await to_channel(message, self.service, outcome)
        except Exception as error:
            await self.bot.report_message_error(message, error)
        finally:
            await self.bot.intake.settle(message.id)
