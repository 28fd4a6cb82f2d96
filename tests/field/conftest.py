"""Shared fixtures of the meaning-field tests: one tiny god, one bridge, a service on a store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.bridge.lexicon_bridge import LexiconBridge
from core.language.lexicon import Lexicon, load_lexicon
from core.model.god import God
from core.model.runner import GodRunner
from core.model.train import new_god
from core.service import CoreSettings, GodService
from core.storage import SqlStore


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="session")
def god(lexicon: Lexicon) -> God:
    """An untrained tiny god: its attention and embeddings are real, its answers arbitrary."""
    return new_god("tiny", lexicon, seed=0)


@pytest.fixture(scope="session")
def bridge(lexicon: Lexicon) -> LexiconBridge:
    return LexiconBridge(lexicon)


@pytest.fixture
async def service(
    migrated_db_url: str, god: God, bridge: LexiconBridge, lexicon: Lexicon
) -> AsyncIterator[GodService]:
    """The real service: a migrated SQLite store, the runner's model thread, the bridge."""
    runner = GodRunner(god.answer_batch, torch_threads=1)
    await runner.start()
    service = GodService(
        settings=CoreSettings(default_mode="glyph"),
        store=SqlStore.from_url(migrated_db_url),
        runner=runner,
        bridge=bridge,
        lexicon=lexicon,
        god=god,
    )
    try:
        yield service
    finally:
        await service.close()
