"""The safety tests run with the limits the bot ships with."""

from __future__ import annotations

import pytest


@pytest.fixture
def core_settings():  # type: ignore[no-untyped-def]
    """The shipped defaults (rate limit included), with the messages' length limit of 2000."""
    from core.settings import CoreSettings

    return CoreSettings(default_mode="translate", max_message_chars=2000)
