"""The drawing surface of the meaning field: a figure addressed in inches, and text helpers.

``Canvas`` wraps a matplotlib ``Figure`` on the Agg canvas of its own (no pyplot, no global
state); ``font_for`` picks the shipped font for a piece of text, ``text_width_in`` measures
words and ``fit`` shortens them to a width. matplotlib is imported only when used.
"""

from __future__ import annotations

import io
from functools import cache
from typing import TYPE_CHECKING, Any

from core.field.fonts import glyph_font, label_font, word_font
from core.field.style import BACKGROUND, DPI, INK, LABELS, PALETTE_COLOURS, WIDTH_IN
from core.types import Language

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties


def font_for(text: str) -> FontProperties:
    """One glyph: its shipped font; words only: DejaVu Sans; a mix: the fallback list."""
    if len(text) == 1 and not text.isalnum():
        return glyph_font(text)
    if all(c.isalnum() or c in " -'.,:;%()<>" for c in text):
        return word_font()
    return label_font()


def label_text(key: str, language: Language, **values: object) -> str:
    return LABELS[key][language].format(**values)


class Canvas:
    """A figure addressed in inches from its top-left corner, with the shipped fonts."""

    def __init__(self, height_in: float) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.height = height_in
        self.figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor=BACKGROUND)
        FigureCanvasAgg(self.figure)

    def text(self, x: float, y: float, text: str, size: float, **style: Any) -> None:
        """Text at (x, y) inches from the top-left corner, in the font that ``font_for`` picks."""
        style.setdefault("color", INK)
        style.setdefault("fontproperties", font_for(text))
        self.figure.text(
            x / WIDTH_IN, 1 - y / self.height, text, fontsize=size, parse_math=False, **style
        )

    def heading(self, x: float, y: float, text: str, size: float = 18) -> None:
        """A bold heading in the words' font."""
        self.text(x, y, text, size, va="top", fontproperties=word_font(bold=True))

    def box(self, left: float, top: float, width: float, height: float, colour: str) -> None:
        """A filled rectangle given in inches from the top-left corner."""
        from matplotlib.patches import Rectangle

        self.figure.patches.append(
            Rectangle(
                (left / WIDTH_IN, 1 - (top + height) / self.height),
                width / WIDTH_IN,
                height / self.height,
                transform=self.figure.transFigure,
                facecolor=colour,
                edgecolor="white",
                linewidth=2,
            )
        )

    def axes(self, left: float, top: float, width: float, height: float):  # type: ignore[no-untyped-def]
        """Axes occupying a box given in inches from the top-left corner."""
        return self.figure.add_axes(
            (
                left / WIDTH_IN,
                1 - (top + height) / self.height,
                width / WIDTH_IN,
                height / self.height,
            )
        )

    def png(self) -> bytes:
        """The figure as a palette PNG: a quarter of the bytes, no visible loss on text."""
        from PIL import Image

        canvas = self.figure.canvas
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba()).convert("RGB")
        image = image.quantize(
            PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def fit(word: str, width_in: float, size: float) -> str:
    """The word, shortened with an ellipsis when it cannot fit ``width_in`` at ``size``."""
    if text_width_in(word, size) <= width_in:
        return word
    while len(word) > 2 and text_width_in(word + "…", size) > width_in:
        word = word[:-1]
    return word.rstrip() + "…"


@cache
def text_width_in(text: str, size: float) -> float:
    """How wide ``text`` is in the words' font at ``size`` points, in inches."""
    from matplotlib.textpath import text_to_path

    properties = word_font().copy()
    properties.set_size(size)
    width, _, _ = text_to_path.get_text_width_height_descent(text, properties, ismath=False)
    return width / 72
