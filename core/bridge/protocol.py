"""The seam between people's languages and the god's: text ↔ glyphs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from core.types import BridgeResult, Language

if TYPE_CHECKING:
    from core.model.runner import GodRunner

LanguageArgument = TypeVar("LanguageArgument", Language, Language | None)


@runtime_checkable
class Bridge(Protocol):
    """Turns text into the scene the god hears, and the god's scene into text.

    The synchronous methods are for the command line and measurements; the service awaits the
    ``*_async`` ones, which never block the event loop. ``asker`` ("platform:user") is who a
    bridge's model work is counted against, as the god's questions are.
    """

    name: str
    # Texts up to this many characters cost microseconds and are translated on the event
    # loop itself (a hop to a thread costs more than the work); 0 for a neural bridge.
    inline_chars: int

    def prepare(self) -> None:
        """Load now what a first call would load lazily, so that no message waits for it."""
        ...

    def bind(self, runner: GodRunner) -> None:
        """Run the bridge's model work in the god's worker (nothing to do without a model)."""
        ...

    def hear(self, text: str, language: Language | None = None) -> BridgeResult:
        """Text (ru/en, possibly with glyphs mixed in) → glyphs; ``language`` None: detect."""
        ...

    def speak(self, glyphs: str, language: Language) -> BridgeResult:
        """Glyphs → a sentence in ``language``; glyphs outside the lexicon are named unknown."""
        ...

    def translate(self, text_or_glyphs: str, language: Language | None = None) -> BridgeResult:
        """Either direction: glyph-only input is spoken, anything else is heard."""
        ...

    async def hear_async(
        self, text: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``hear`` off the event loop (GodBusy, GodTimeout or GodFailed from the worker)."""
        ...

    async def speak_async(self, glyphs: str, language: Language, asker: str = "") -> BridgeResult:
        """``speak`` off the event loop."""
        ...

    async def translate_async(
        self, text_or_glyphs: str, language: Language | None = None, asker: str = ""
    ) -> BridgeResult:
        """``translate`` off the event loop."""
        ...


async def cheap_or_thread(
    function: Callable[[str, LanguageArgument], BridgeResult],
    text: str,
    language: LanguageArgument,
    inline_chars: int,
) -> BridgeResult:
    """Short texts through a cheap bridge on the loop; the rest in a thread."""
    if len(text) <= inline_chars:
        return function(text, language)
    return await asyncio.to_thread(function, text, language)
