"""A fake Bot API shared by the Telegram tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.telegram_api import FakeBotAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API; afterwards the fake must not have failed."""
    async with FakeBotAPI() as api:
        yield api
    assert not api.server_errors
