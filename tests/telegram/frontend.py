"""The real Telegram frontend polling the fake Bot API, for every test that needs one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

from bot.config import TelegramConfig
from bot.telegram.frontend import TelegramFrontend
from core.service import GodService
from tests.fakes.telegram_api import FakeBotAPI

TOKEN = "4242:SECRET-token-never-logged"


def telegram_config(fake: FakeBotAPI, **overrides: object) -> TelegramConfig:
    """A config that reaches the fake through ``base_url``, as a self-hosted Bot API."""
    config = TelegramConfig(
        enabled=True, token=TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def running(
    fake: FakeBotAPI, service: GodService, **overrides: object
) -> AsyncIterator[TelegramFrontend]:
    """A started TelegramFrontend polling the fake, stopped on exit."""
    frontend = TelegramFrontend(telegram_config(fake, **overrides), service, poll_timeout_s=1)
    await frontend.start()
    try:
        yield frontend
    finally:
        await frontend.stop()
