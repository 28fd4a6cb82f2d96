"""Helpers of the access tests: a running Telegram frontend, the store's rows, a movable clock."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import TelegramConfig
from bot.telegram.frontend import TelegramFrontend
from core.service import GodService
from tests.fakes.telegram_api import FakeBotAPI

TOKEN = "4242:access-lists"
WAIT = 60.0


class Clock:
    """A clock a test moves by hand (the service reads it for quotas and refusals)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def next_day(self) -> None:
        self.now += timedelta(days=1)


@pytest.fixture
def clock(god_service: GodService) -> Clock:
    """The god_service's clock, at 18:30 UTC on a fixed day."""
    moved = Clock(datetime(2026, 12, 6, 18, 30, tzinfo=UTC))
    god_service.clock = moved
    return moved


@contextlib.asynccontextmanager
async def telegram(service: GodService) -> AsyncIterator[tuple[FakeBotAPI, TelegramFrontend]]:
    """The real Telegram frontend polling a fake Bot API."""
    async with FakeBotAPI() as fake:
        config = TelegramConfig(
            enabled=True, token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url
        )
        frontend = TelegramFrontend(config, service, poll_timeout_s=1)
        await frontend.start()
        try:
            yield fake, frontend
        finally:
            await frontend.stop()
        assert not fake.server_errors


def rows(db: Path, query: str, *args: object) -> list[tuple]:
    """What the SQLite file holds (read by its own connection, as an operator would)."""
    with sqlite3.connect(db) as connection:
        return connection.execute(query, args).fetchall()


async def eventually(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait until ``check()`` holds (it reads state another task changes), or fail."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.02)
