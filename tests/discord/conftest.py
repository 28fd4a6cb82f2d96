"""A fake Discord and the real frontend on it, shared by the Discord tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.discord.frontend import DiscordFrontend
from core.service import GodService
from tests.discord.frontend import running_frontend
from tests.fakes.discord_api import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord (also installed, so discord.py is restored afterwards)."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def frontend(fake: FakeDiscord, god_service: GodService) -> AsyncIterator[DiscordFrontend]:
    """The running Discord frontend; closed before the fake stops."""
    async with running_frontend(fake, god_service) as running:
        yield running
