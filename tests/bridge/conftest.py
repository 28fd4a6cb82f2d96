"""Shared fixtures of the bridge tests: one bridge over the shipped lexicon."""

from __future__ import annotations

import pytest

from core.bridge.lexicon_bridge import LexiconBridge
from core.language.lexicon import load_lexicon


@pytest.fixture(scope="session")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="session")
def bridge(lexicon) -> LexiconBridge:
    return LexiconBridge(lexicon)
