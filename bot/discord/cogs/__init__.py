"""One cog per concern; ``SilentGodBot.setup_hook`` adds them all."""

from __future__ import annotations

from bot.discord.cogs.answering import Answering
from bot.discord.cogs.dictionary import Dictionary
from bot.discord.cogs.field import Field
from bot.discord.cogs.listener import Listener
from bot.discord.cogs.memory import Memory
from bot.discord.cogs.settings import Settings

COGS = (Answering, Settings, Dictionary, Memory, Field, Listener)

__all__ = ["COGS", "Answering", "Dictionary", "Field", "Listener", "Memory", "Settings"]
