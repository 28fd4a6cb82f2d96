"""The bridge as the service uses it: short texts on the loop, the rest off it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from core.bridge.protocol import Bridge
from core.types import BridgeResult, Language

LanguageArgument = TypeVar("LanguageArgument", Language, Language | None)


class Hearing:
    """Text → glyphs and glyphs → text through the configured bridge, never blocking the loop.

    Short texts go through a cheap bridge on the loop itself (the lexicon bridge: up to 256
    characters, ~0.3 ms; a hop to a thread costs more than that); the rest run in a thread.
    """

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge

    async def prepare(self) -> None:
        """Load the bridge's dictionaries now (off the loop), not on the first message."""
        await asyncio.to_thread(self.bridge.prepare)

    async def _run(
        self,
        function: Callable[[str, LanguageArgument], BridgeResult],
        text: str,
        language: LanguageArgument,
    ) -> BridgeResult:
        if len(text) <= self.bridge.inline_chars:
            return function(text, language)
        return await asyncio.to_thread(function, text, language)

    async def hear(self, text: str, language: Language | None, asker: str = "") -> BridgeResult:
        """What the god hears of a text; ``language`` None: detect it."""
        return await self._run(self.bridge.hear, text, language)

    async def speak(self, glyphs: str, language: Language, asker: str = "") -> BridgeResult:
        """The god's glyphs in words."""
        return await self._run(self.bridge.speak, glyphs, language)

    async def translate(
        self, text: str, language: Language | None, asker: str = ""
    ) -> BridgeResult:
        """Either direction, as the input asks."""
        return await self._run(self.bridge.translate, text, language)
