"""The seam between people's languages and the god's: text ↔ glyphs."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from core.types import BridgeResult, Language


@runtime_checkable
class Bridge(Protocol):
    """Turns text into the scene the god hears, and the god's scene into text."""

    name: str
    # Texts up to this many characters cost microseconds and are translated on the event
    # loop itself (a hop to a thread costs more than the work); 0 for a neural bridge.
    inline_chars: int

    def prepare(self) -> None:
        """Load now what a first call would load lazily, so that no message waits for it."""
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
