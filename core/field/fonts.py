"""The fonts the meaning field draws glyphs with: subsets that ship in ``core/field/fonts``.

No system font is needed at run time. ``fonts/fonts.json`` lists the subsets in priority order
(Noto Sans Symbols, Noto Sans Symbols 2, Noto Sans Math, then Symbola); each glyph of the
lexicon lives in exactly one of them, the first source font that has it. ``glyph_font`` hands
matplotlib that one font for a glyph (faster than resolving a family list for each of a
picture's ~400 labels); text that mixes glyphs and words uses matplotlib's per-character
fallback over ``families()``, which ends with DejaVu Sans (it ships with matplotlib) for the
Latin and Cyrillic words. ``scripts/build_fonts.py`` regenerates the subsets.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import SilentGodError

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).parent / "fonts"
MANIFEST = FONT_DIR / "fonts.json"
WORD_FAMILY = "DejaVu Sans"
_REGISTER_LOCK = threading.Lock()


class FontsMissing(SilentGodError, RuntimeError):
    """The shipped glyph fonts are missing or unreadable; the message names the file."""


@dataclass(frozen=True, slots=True)
class ShippedFont:
    """One subset font of the package and the code points its character map holds."""

    path: Path
    family: str
    source: str
    codepoints: frozenset[int]

    def has(self, glyph: str) -> bool:
        """Whether every code point of ``glyph`` is in this font."""
        return all(ord(char) in self.codepoints for char in glyph)


def _charmap(path: Path) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(path)).get_charmap())


@cache
def shipped_fonts() -> tuple[ShippedFont, ...]:
    """The shipped subsets in priority order, registered with matplotlib's font manager."""
    try:
        manifest = json.loads(MANIFEST.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise FontsMissing(f"cannot read the glyph font list {MANIFEST}: {error}") from error
    fonts: list[ShippedFont] = []
    for item in manifest["fonts"]:
        path = FONT_DIR / item["file"]
        if not path.is_file():
            raise FontsMissing(f"missing glyph font {path} (run scripts/build_fonts.py)")
        fonts.append(ShippedFont(path, item["family"], item["source"], _charmap(path)))
    _register(fonts)
    return tuple(fonts)


def _register(fonts: list[ShippedFont]) -> None:
    from matplotlib import font_manager

    with _REGISTER_LOCK:
        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        for font in fonts:
            if str(font.path) not in known:
                font_manager.fontManager.addfont(str(font.path))
                logger.debug("registered glyph font %s (%s)", font.path.name, font.family)


def families() -> list[str]:
    """The font family list for any label: glyph fonts first, then the words' font."""
    return [font.family for font in shipped_fonts()] + [WORD_FAMILY]


def font_for(glyph: str) -> ShippedFont | None:
    """The first shipped font whose character map holds ``glyph`` (None: it would be tofu)."""
    return next((font for font in shipped_fonts() if font.has(glyph)), None)


@cache
def glyph_font(glyph: str) -> FontProperties:
    """Font properties that draw ``glyph`` from its shipped font (the family list if none)."""
    from matplotlib.font_manager import FontProperties

    font = font_for(glyph)
    return FontProperties(fname=font.path) if font else label_font()


@cache
def label_font() -> FontProperties:
    """Font properties for text that mixes glyphs and words (per-character fallback)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=families())


@cache
def word_font(bold: bool = False) -> FontProperties:
    """Font properties for words: DejaVu Sans, which ships with matplotlib."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=WORD_FAMILY, weight="bold" if bold else "normal")


def missing(glyphs: Iterable[str]) -> list[str]:
    """The glyphs of an iterable that no shipped font can draw."""
    return [glyph for glyph in glyphs if font_for(glyph) is None]
