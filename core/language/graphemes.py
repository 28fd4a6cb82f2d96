"""Unicode handling shared by the lexicon, the tokenizer and the bridge."""

from __future__ import annotations

import unicodedata

import regex

VARIATION_SELECTORS = ("\ufe0f", "\ufe0e")
_GRAPHEME = regex.compile(r"\X")


def normalize(text: str) -> str:
    """NFC with emoji/text variation selectors removed, so 🕯️ and 🕯 are one glyph.

    NFKC is deliberately not used: it rewrites some mathematical symbols.
    """
    for selector in VARIATION_SELECTORS:
        text = text.replace(selector, "")
    return unicodedata.normalize("NFC", text)


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters of already-normalised text (ZWJ sequences stay whole)."""
    return _GRAPHEME.findall(text)


def is_assigned(char: str) -> bool:
    """True when the code point exists in this Python's Unicode (14.0 for 3.11)."""
    return unicodedata.category(char) != "Cn"
