"""The discord.py bot: the core service comes in through the constructor, cogs do the rest.

``setup_hook`` installs the Russian translator, adds one cog per concern, registers the
persistent Translate button and (when configured) syncs the slash commands. Failures are
logged with their context (interaction, command, server, channel — never the token) and
answered politely; each interaction and message runs in its own task, so one failure never
touches another.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import DiscordConfig
from bot.discord import delivery
from bot.discord.commands import TableTranslator, install
from bot.discord.intake import DiscordIntake, owns_shard
from bot.discord.views import ConfirmButton, RevealButton
from core.commands import Words
from core.language.text import client_language, script_language
from core.service import GodService

logger = logging.getLogger(__name__)

FAILED = Words(
    "Sorry — that did not work. Please try again in a moment.",
    "Простите — не получилось. Попробуйте ещё раз чуть позже.",
)


def intents() -> discord.Intents:
    """Default intents plus Message Content (privileged: enable it in the developer portal)."""
    wanted = discord.Intents.default()
    wanted.message_content = True
    return wanted


class SilentGodTree(app_commands.CommandTree):
    """The command tree; its errors go to the bot's one polite error path."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every command runs to the end before the bot closes (see ``SilentGodBot.drain``)."""
        client = self.client
        if isinstance(client, SilentGodBot):
            client.track()
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log with context and tell the user, ephemerally."""
        client = self.client
        if isinstance(client, SilentGodBot):
            await client.report_interaction_error(interaction, error)
        else:  # pragma: no cover - the tree always belongs to a SilentGodBot
            await super().on_error(interaction, error)


class SilentGodBot(commands.Bot):
    """The Silent God on Discord: slash commands, DMs and mentions, over one GodService."""

    def __init__(
        self,
        service: GodService,
        config: DiscordConfig,
        *,
        guild_ready_timeout: float | None = None,
        **options: Any,
    ) -> None:
        if guild_ready_timeout is not None:
            options["guild_ready_timeout"] = guild_ready_timeout
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: no prefix commands
            help_command=None,
            intents=intents(),
            tree_cls=SilentGodTree,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.service = service
        self.config = config
        self.intake = DiscordIntake(self, recover_within_s=config.recover_within_s)
        self._inflight: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        """Translator, the table's commands, the listener, the Translate button, the sync."""
        from bot.discord.listener import Listener

        await self.tree.set_translator(TableTranslator())
        install(self)
        await self.add_cog(Listener(self))
        self.intake.open()
        self.add_dynamic_items(RevealButton, ConfirmButton)
        # processes that split the shards share one application: one sync is enough
        if self.config.sync_commands and owns_shard(self.config, 0):
            try:
                synced = await self.tree.sync()
            except discord.HTTPException as error:
                logger.error("discord: could not sync the slash commands: %s", error)
            else:
                logger.info("discord: synced %d application commands", len(synced))

    def track(self) -> None:
        """Count the running handler as a reply in flight, so ``drain`` waits for it."""
        task = asyncio.current_task()
        if task is not None and task not in self._inflight:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def drain(self, timeout: float) -> None:
        """Let replies in flight finish (up to ``timeout`` seconds) before the bot closes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._inflight:
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning("discord: %d replies still in flight at close", len(self._inflight))
                return
            await asyncio.wait(set(self._inflight), timeout=remaining)

    async def on_ready(self) -> None:
        """Log who we are once the gateway is ready (again after a full reconnect)."""
        user = self.user
        logger.info(
            "discord: ready as %s (id %s) on %d servers",
            user,
            user.id if user else "?",
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the Listener cog answers DMs, mentions and replies."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Any event handler that raised: log it with where it happened."""
        logger.exception("discord: %s failed (%s)", event_method, _context(args))

    async def report_interaction_error(
        self, interaction: discord.Interaction, error: BaseException, *, what: str | None = None
    ) -> None:
        """Log a failed interaction with its context and answer the user politely."""
        original = getattr(error, "original", None) or error
        command = what or (interaction.command.qualified_name if interaction.command else "?")
        logger.error(
            "discord: interaction %s (%s) failed in guild %s channel %s for user %s",
            interaction.id,
            command,
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            exc_info=(type(original), original, original.__traceback__),
        )
        language = client_language(interaction.locale.value) or "en"
        try:
            await delivery.note(interaction, FAILED(language))
        except discord.HTTPException as failure:
            logger.warning("discord: could not tell interaction %s: %s", interaction.id, failure)

    async def report_message_error(self, message: discord.Message, error: BaseException) -> None:
        """Log a failed answer to a message with its context and say sorry in the channel."""
        logger.error(
            "discord: answering message %s failed (%s)",
            message.id,
            _context((message,)),
            exc_info=(type(error), error, error.__traceback__),
        )
        guild = message.guild
        guild_language = client_language(guild.preferred_locale.value) if guild else None
        language = script_language(message.content) or guild_language or "en"
        try:
            await delivery.send_to_channel(message, FAILED(language))
        except discord.HTTPException as failure:
            logger.warning("discord: could not apologise for message %s: %s", message.id, failure)


class ShardedSilentGodBot(SilentGodBot, commands.AutoShardedBot):
    """The same bot over several gateway shards (Discord requires them from 2 500 servers)."""


def build_bot(
    service: GodService, config: DiscordConfig, *, guild_ready_timeout: float | None = None
) -> SilentGodBot:
    """A sharded bot when the config asks for one (shard_count 0: Discord's recommendation);
    with ``shard_ids`` it connects only those of the ``shard_count`` shards."""
    # The god never joins voice channels: spare the log discord.py's voice-library warnings.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    if config.sharded:
        return ShardedSilentGodBot(
            service,
            config,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=config.shard_count or None,
            shard_ids=list(config.shard_ids) or None,
        )
    return SilentGodBot(service, config, guild_ready_timeout=guild_ready_timeout)


def _context(args: tuple[Any, ...]) -> str:
    """Where an event happened, from its first argument (never any secret)."""
    for arg in args:
        if isinstance(arg, discord.Message):
            return (
                f"guild {arg.guild.id if arg.guild else None} channel {arg.channel.id} "
                f"message {arg.id} author {arg.author.id}"
            )
        if isinstance(arg, discord.Interaction):
            return (
                f"interaction {arg.id} guild {arg.guild_id} channel {arg.channel_id} "
                f"user {arg.user.id}"
            )
    return "no context"
