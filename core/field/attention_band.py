"""The attention band of the meaning field: one row per answer glyph, one column per glyph
before it, the share of attention in each cell, and how it was summarised written under it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from core.field.canvas import Canvas, fit, label_text, text_width_in
from core.field.data import FieldData
from core.field.fonts import word_font
from core.field.style import INK, MARGIN_IN, METHOD_WORDS, MUTED, ROLE_COLOURS, ROLE_FACES, WIDTH_IN

WORD_SIZE = 13
MAX_ROTATED_IN = 2.0
ROW_LABELS_IN = 2.6
MARKERS_IN = 0.9
NOTE_IN = 0.95


@dataclass(frozen=True, slots=True)
class Grid:
    """Where the attention matrix and its labels go (inches)."""

    left: float
    cell_w: float
    cell_h: float
    glyph_size: float
    rotate: bool
    words_height: float
    word_size: float

    @classmethod
    def of(cls, data: FieldData) -> Grid:
        columns = data.attention.shape[1]
        left = MARGIN_IN + ROW_LABELS_IN
        cell_w = min(1.5, (WIDTH_IN - left - MARGIN_IN - MARKERS_IN) / columns)
        glyph_size = 24 if cell_w >= 0.5 else 18
        for size in (WORD_SIZE, WORD_SIZE - 2):  # upright if a smaller size fits, else turned
            longest = max(text_width_in(c.word, size) for c in data.columns)
            if longest <= cell_w * 0.95:
                return cls(left, cell_w, 0.62, glyph_size, False, 0.3, size)
        longest = max(text_width_in(c.word, WORD_SIZE) for c in data.columns)
        words_height = min(longest, MAX_ROTATED_IN) + 0.1
        return cls(left, cell_w, 0.62, glyph_size, True, words_height, WORD_SIZE)

    def height(self, rows: int) -> float:
        """The whole band: heading, role bands, glyphs, words, matrix and note."""
        return self.matrix_offset + self.cell_h * rows + NOTE_IN

    @property
    def matrix_offset(self) -> float:
        return 0.55 + 0.3 + self.words_offset + self.words_height + 0.1

    @property
    def words_offset(self) -> float:
        """From the top of the column glyphs to their words (room for tall glyphs)."""
        return self.glyph_size / 72 * 0.85 + 0.18


def attention_band(canvas: Canvas, data: FieldData, top: float) -> float:
    """The attention matrix with glyph labels on both sides; the new top."""
    language = data.language
    canvas.heading(MARGIN_IN, top, label_text("attention", language))
    rows, columns = data.attention.shape
    grid = Grid.of(data)
    left, cell_w, cell_h = grid.left, grid.cell_w, grid.cell_h
    band_top = top + 0.55
    for role_name, roles in (
        ("context", ("context_question", "context_answer")),
        ("question", ("question",)),
        ("answer", ("answer",)),
    ):
        indices = [i for i, c in enumerate(data.columns) if c.role in roles]
        if not indices:
            continue
        start, stop = left + cell_w * indices[0], left + cell_w * (indices[-1] + 1)
        canvas.box(start, band_top, stop - start, 0.26, ROLE_FACES[role_name])
        label = fit(label_text(role_name, language), stop - start, 12)
        canvas.text((start + stop) / 2, band_top + 0.02, label, 12, ha="center", va="top")
    glyph_top = band_top + 0.3
    words_top = glyph_top + grid.words_offset
    matrix_top = top + grid.matrix_offset
    for j, column in enumerate(data.columns):
        centre = left + cell_w * (j + 0.5)
        colour = ROLE_COLOURS[column.role]
        canvas.text(
            centre,
            glyph_top + grid.glyph_size / 72 * 0.85,
            column.glyph,
            grid.glyph_size,
            color=colour,
            ha="center",
            va="baseline",
        )
        if grid.rotate:
            word = fit(column.word, MAX_ROTATED_IN, WORD_SIZE)
            canvas.text(
                centre,
                words_top + grid.words_height - 0.05,
                word,
                WORD_SIZE,
                color=colour,
                ha="center",
                va="bottom",
                rotation=90,
                fontproperties=word_font(),
            )
        else:
            word = fit(column.word, cell_w, grid.word_size)
            canvas.text(
                centre,
                words_top,
                word,
                grid.word_size,
                color=colour,
                ha="center",
                va="top",
                fontproperties=word_font(),
            )

    axes = canvas.axes(left, matrix_top, cell_w * columns, cell_h * rows)
    peak = float(data.attention.max()) or 1.0
    visible = _visible(data)
    axes.imshow(
        np.ma.masked_array(data.attention, mask=~visible),
        cmap=_heat_colours(),
        vmin=0.0,
        vmax=peak,
        aspect="auto",
        interpolation="nearest",
        extent=(0, columns, rows, 0),
    )
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color("#cccccc")
    number_size = 13 if cell_w >= 0.45 else 10
    for i in range(rows):
        for j in range(columns):
            if not visible[i, j]:
                continue
            value = float(data.attention[i, j])
            axes.text(
                j + 0.5,
                i + 0.5,
                f"{value * 100:.0f}",
                ha="center",
                va="center",
                fontsize=number_size,
                color="white" if value > 0.6 * peak else INK,
                fontproperties=word_font(),
            )
    colour = ROLE_COLOURS["answer"]
    for i, glyph in enumerate(data.answer):
        y = matrix_top + cell_h * (i + 0.5)
        canvas.text(left - 0.15, y, glyph.glyph, 24, color=colour, ha="right", va="center")
        word = fit(glyph.word, ROW_LABELS_IN - 0.9, WORD_SIZE)
        canvas.text(
            left - 0.7,
            y,
            word,
            WORD_SIZE,
            color=colour,
            ha="right",
            va="center",
            fontproperties=word_font(),
        )
    # What the dropped markers held, so the renormalisation is never hidden.
    markers_x = left + cell_w * columns + MARKERS_IN / 2
    canvas.text(
        markers_x,
        matrix_top - 0.08,
        label_text("markers", language),
        11,
        color=MUTED,
        ha="center",
        va="bottom",
        fontproperties=word_font(),
    )
    for i, share in enumerate(data.dropped):
        y = matrix_top + cell_h * (i + 0.5)
        canvas.text(
            markers_x,
            y,
            f"({share * 100:.0f})",
            12,
            color=MUTED,
            ha="center",
            va="center",
            fontproperties=word_font(),
        )
    bottom = matrix_top + cell_h * rows
    canvas.text(
        MARGIN_IN,
        bottom + 0.12,
        _method_words(data),
        12,
        color=MUTED,
        va="top",
        fontproperties=word_font(),
    )
    canvas.text(
        MARGIN_IN,
        bottom + 0.42,
        label_text("attention_note", language),
        12,
        color=MUTED,
        va="top",
        fontproperties=word_font(),
    )
    return bottom + NOTE_IN


def _visible(data: FieldData) -> np.ndarray:
    """Which cells an answer glyph could attend to (not itself, not later answer glyphs)."""
    rows, _ = data.attention.shape
    answer_column = np.array([c.role == "answer" for c in data.columns])
    order = np.cumsum(answer_column) - 1  # index of each answer column among the answers
    seen = np.ones((rows, len(data.columns)), dtype=bool)
    for i in range(rows):
        seen[i] = ~answer_column | (order < i)
    return seen


@cache
def _heat_colours():  # type: ignore[no-untyped-def]
    from matplotlib import colormaps

    return colormaps["YlOrRd"].with_extremes(bad="#efede7")


def _method_words(data: FieldData) -> str:
    """How attention was summarised, in the reader's language."""
    words = METHOD_WORDS.get(data.method)
    if words is None:
        return data.method_note
    return words[data.language].format(layers=data.layers, span=data.layers_used)
