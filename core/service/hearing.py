"""The bridge as the service uses it: never on the event loop when it costs anything.

The lexicon bridge translates short texts on the loop (a hop to a thread costs more than
the work) and longer ones in a thread; the LoRA voice runs its forward passes in the god's
worker, batched with everyone's, under the same queue, per-asker cap and timeout — so its
calls may raise GodBusy or GodTimeout like a question to the god.
"""

from __future__ import annotations

import asyncio

from core.bridge.protocol import Bridge
from core.types import BridgeResult, Incoming, Language


def asker_of(message: Incoming) -> str:
    """The key the runner counts a user's questions and voice work in flight under."""
    return f"{message.platform}:{message.user_id}"


class Hearing:
    """Text → glyphs and glyphs → text through the configured bridge, for one asker."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge

    async def prepare(self) -> None:
        """Load the bridge's dictionaries now (off the loop), not on the first message."""
        await asyncio.to_thread(self.bridge.prepare)

    async def hear(self, text: str, language: Language | None, asker: str = "") -> BridgeResult:
        """What the god hears of a text; ``language`` None: detect it."""
        return await self.bridge.hear_async(text, language, asker)

    async def speak(self, glyphs: str, language: Language, asker: str = "") -> BridgeResult:
        """The god's glyphs in words."""
        return await self.bridge.speak_async(glyphs, language, asker)

    async def translate(
        self, text: str, language: Language | None, asker: str = ""
    ) -> BridgeResult:
        """Either direction, as the input asks."""
        return await self.bridge.translate_async(text, language, asker)
