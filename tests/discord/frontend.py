"""The real Discord frontend started against the fake Discord, for every test that needs one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.config import DiscordConfig
from bot.discord.frontend import DiscordFrontend
from core.service import GodService
from tests.fakes.discord_api import FakeDiscord


def discord_config(fake: FakeDiscord, **overrides: object) -> DiscordConfig:
    """A config that reaches the fake the way a real deployment reaches a proxy."""
    values: dict[str, object] = {
        "enabled": True,
        "token": fake.token,
        "api_base": fake.api_base,
        "gateway_url": fake.gateway_url,
    }
    return DiscordConfig(**{**values, **overrides})  # type: ignore[arg-type]


async def start_frontend(
    fake: FakeDiscord, service: GodService, **overrides: object
) -> DiscordFrontend:
    """A started frontend on the fake (guild_ready_timeout small, as the fake asks)."""
    frontend = DiscordFrontend(
        discord_config(fake, **overrides), service, ready_timeout=10, guild_ready_timeout=0.05
    )
    await frontend.start()
    return frontend


@asynccontextmanager
async def running_frontend(
    fake: FakeDiscord, service: GodService, **overrides: object
) -> AsyncIterator[DiscordFrontend]:
    """A started frontend, stopped on the way out (before the fake stops)."""
    running = await start_frontend(fake, service, **overrides)
    try:
        yield running
    finally:
        await running.stop()
