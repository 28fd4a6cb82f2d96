"""The Discord frontend as ``silentgod run`` sees it: ``start()`` until ready, ``stop()``.

``start()`` points discord.py at the configured REST and gateway proxies (when set), builds
the bot (sharded when configured), logs in — which runs ``setup_hook`` and syncs the slash
commands — connects in a task and waits for READY. ``stop()`` closes the bot and awaits that
task, so nothing of discord.py outlives the frontend.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
import discord.gateway
import discord.http
import yarl

from bot.app import StartupError
from bot.config import DiscordConfig
from bot.discord.bot import SilentGodBot, build_bot
from core.service import GodService

logger = logging.getLogger(__name__)


class DiscordFrontend:
    """The Silent God on every Discord server that invites it, and in DMs."""

    name = "discord"

    def __init__(
        self,
        config: DiscordConfig,
        service: GodService,
        *,
        ready_timeout: float = 60.0,
        guild_ready_timeout: float | None = None,
        drain_timeout: float = 10.0,
    ) -> None:
        self.config = config
        self.service = service
        self.ready_timeout = ready_timeout
        self.guild_ready_timeout = guild_ready_timeout
        self.drain_timeout = drain_timeout
        self.bot: SilentGodBot | None = None
        self._task: asyncio.Task[None] | None = None
        self._saved_endpoints: tuple[str, yarl.URL] | None = None
        self._connects = 0

    def _apply_endpoints(self) -> None:
        """Send REST and gateway traffic through the configured proxies, if any."""
        websocket = discord.gateway.DiscordWebSocket
        self._saved_endpoints = (discord.http.Route.BASE, websocket.DEFAULT_GATEWAY)
        if self.config.api_base:
            discord.http.Route.BASE = self.config.api_base.rstrip("/")
        if self.config.gateway_url:
            websocket.DEFAULT_GATEWAY = yarl.URL(self.config.gateway_url)

    def _restore_endpoints(self) -> None:
        if self._saved_endpoints is not None:
            base, gateway = self._saved_endpoints
            discord.http.Route.BASE = base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway
            self._saved_endpoints = None

    async def start(self) -> None:
        """Log in, connect, and return once the gateway is ready; StartupError otherwise."""
        self._apply_endpoints()
        bot = build_bot(self.service, self.config, guild_ready_timeout=self.guild_ready_timeout)
        self.bot = bot
        bot.add_listener(self._reconnected, "on_resumed")
        bot.add_listener(self._connected, "on_connect")
        try:
            await bot.login(self.config.token)
        except discord.LoginFailure:
            await self._shutdown()
            raise StartupError("discord: the bot token was rejected ([discord] token)") from None
        except (discord.HTTPException, OSError) as error:
            await self._shutdown()
            raise StartupError(f"discord: cannot log in ({error})") from None
        if self.config.sharded and not self.config.shard_count and self.config.gateway_url:
            # Auto-sharding asks /gateway/bot for the URL too; keep the configured proxy.
            count, _url, _limits = await bot.http.get_bot_gateway()
            bot.shard_count = count  # type: ignore[attr-defined]
        await bot.intake.recover()  # what a crash left pending, before new traffic
        self._task = asyncio.create_task(bot.connect(reconnect=True), name="discord-connect")
        ready = asyncio.create_task(bot.wait_until_ready(), name="discord-ready")
        done, _ = await asyncio.wait(
            {ready, self._task}, timeout=self.ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            logger.info("discord: connected")
            return
        ready.cancel()
        reason = self._failure()
        await self._shutdown()
        raise StartupError(reason)

    async def _reconnected(self) -> None:
        self.service.metrics.reconnected("discord")

    async def _connected(self) -> None:
        self._connects += 1
        if self._connects > 1:  # a new session after a lost one (a resume is on_resumed)
            self.service.metrics.reconnected("discord")

    def health(self) -> str | None:
        """Why Discord is not being served now, or None (for ``/healthz``)."""
        bot = self.bot
        if bot is None or bot.is_closed():
            return "discord: not connected"
        if not bot.is_ready():
            return "discord: the gateway is not ready"
        return None

    def _failure(self) -> str:
        """One line on why the gateway did not become ready."""
        task = self._task
        if task is None or not task.done():
            return f"discord: the gateway was not ready within {self.ready_timeout:g} s"
        error = task.exception() if not task.cancelled() else None
        if isinstance(error, discord.PrivilegedIntentsRequired):
            return (
                "discord: enable the Message Content intent for this bot in the developer "
                "portal (Bot → Privileged Gateway Intents)"
            )
        if error is not None:
            return f"discord: the gateway connection failed ({error})"
        return "discord: the gateway connection closed before it was ready"

    async def stop(self) -> None:
        """Let replies in flight finish, then close the bot and await its connect task."""
        if self.bot is not None:
            await self.bot.drain(self.drain_timeout)
        await self._shutdown()
        logger.info("discord: disconnected")

    async def _shutdown(self) -> None:
        bot, task = self.bot, self._task
        self.bot, self._task = None, None
        try:
            if bot is not None:
                await bot.close()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
                except Exception as error:  # already reported by start(), or by discord.py
                    logger.debug("discord: connect task ended with %r", error)
                with contextlib.suppress(BaseException):
                    await task
        finally:
            self._restore_endpoints()
