"""Starting with a store that cannot be opened is one StartupError naming ``[storage] url``."""

from __future__ import annotations

import pytest

from bot.app import StartupError, build_service
from bot.config import parse_config


async def test_an_unreachable_store_is_one_line_naming_the_key(shipped_god) -> None:  # type: ignore[no-untyped-def]
    url = "postgresql+asyncpg://god:s3cret@127.0.0.1:1/silentgod"
    config = parse_config({"storage": {"url": url}, "core": {"bridge": "lexicon"}}, environ={})
    with pytest.raises(StartupError) as caught:
        await build_service(config, god=shipped_god)
    message = str(caught.value)
    assert message.startswith("[storage] url: cannot migrate postgresql+asyncpg://god:***@")
    assert "\n" not in message and "s3cret" not in message
