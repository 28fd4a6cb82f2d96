"""Drawing the meaning-field picture: one PNG of what the god read, attended to and answered.

Three bands, top to bottom, 1200 px wide so that a phone shows it whole:

* the exchange — the context (grey), the question (blue) → the answer (red), every glyph with
  its word in the reader's language;
* attention — one row per answer glyph, one column per glyph before it, the share of
  attention in each cell (the method is written under it);
* the glyph space — every glyph of the lexicon where its input embedding lies (PCA to 2-D),
  coloured by category; the question and the answer are ringed and labelled, and arrows run
  from each question glyph to each answer glyph, as strong as that answer glyph's attention.

Drawn with matplotlib's Agg canvas on a ``Figure`` of its own (no pyplot, no global state),
with the glyph fonts the package ships (see ``fonts``); layout is computed in inches, not by
a layout engine, which keeps a picture well under a second.

Nothing here imports torch or the model: ``render_field`` takes plain ``FieldData`` and runs
in a drawing worker process that starts fast (see ``core.service.field``).
"""

from __future__ import annotations

from core.field.attention_band import Grid, attention_band
from core.field.canvas import Canvas, fit, label_text, text_width_in
from core.field.data import FieldData, FieldGlyph
from core.field.space_band import space_band
from core.field.style import (
    CATEGORY_COLOURS,
    CATEGORY_WORDS,
    MARGIN_IN,
    MUTED,
    ROLE_COLOURS,
    WIDTH_IN,
)
from core.language.lexicon import CATEGORIES


def _exchange_band(canvas: Canvas, data: FieldData, top: float) -> float:
    """Title, context line, and question → answer in big glyphs with words; new top."""
    language = data.language
    canvas.heading(MARGIN_IN, top + 0.1, label_text("title", language), 22)
    y = top + 0.65
    if data.context:
        asked = [g.glyph for g in data.context if g.role == "context_question"]
        answered = [g.glyph for g in data.context if g.role == "context_answer"]
        line = f"{label_text('context', language)}:  {' '.join(asked)}  →  {' '.join(answered)}"
        canvas.text(MARGIN_IN, y, line, 16, color=MUTED, va="top")
        y += 0.5
    items: list[FieldGlyph | None] = [*data.question, None, *data.answer]
    cell = min(1.9, (WIDTH_IN - 2 * MARGIN_IN) / len(items))
    glyph_size = 40 if cell >= 0.9 else 30
    word_size = 15 if cell >= 1.1 else 12
    x0 = (WIDTH_IN - cell * len(items)) / 2
    baseline = y + glyph_size / 72 * 0.85
    for index, item in enumerate(items):
        centre = x0 + cell * (index + 0.5)
        if item is None:
            canvas.text(centre, baseline, "→", glyph_size * 0.8, color=MUTED, ha="center")
            continue
        colour = ROLE_COLOURS[item.role]
        # Baseline alignment: the glyph fonts' ascents differ, their baselines agree.
        canvas.text(centre, baseline, item.glyph, glyph_size, color=colour, ha="center")
        size = word_size if text_width_in(item.word, word_size) <= cell * 0.95 else word_size - 3
        word = fit(item.word, cell * 0.95, size)
        canvas.text(centre, baseline + 0.2, word, size, color=colour, ha="center", va="top")
    return baseline + 0.2 + 0.75


def _legend_band(canvas: Canvas, data: FieldData, top: float) -> float:
    """The category colours, five to a row; the new top."""
    columns = 5
    cell = (WIDTH_IN - 2 * MARGIN_IN) / columns
    for n, category in enumerate(CATEGORIES):
        row, column = divmod(n, columns)
        name = category if data.language == "en" else CATEGORY_WORDS[category]
        canvas.text(
            MARGIN_IN + column * cell,
            top + row * 0.32,
            f"■ {name}",
            13,
            color=CATEGORY_COLOURS[category],
            va="top",
        )
    rows = -(-len(CATEGORIES) // columns)
    return top + rows * 0.32 + 0.2


# ------------------------------------------------------------------------- entry points


def render_field(data: FieldData) -> bytes:
    """The PNG of one meaning field."""
    rows = data.attention.shape[0]
    header = 2.2 + (0.5 if data.context else 0)
    space_height = 7.4
    legend = 1.6
    height = 0.15 + header + Grid.of(data).height(rows) + 1.35 + space_height + legend
    canvas = Canvas(height)
    top = _exchange_band(canvas, data, 0.15)
    top = attention_band(canvas, data, top)
    top = space_band(canvas, data, top, space_height)
    _legend_band(canvas, data, top)
    return canvas.png()
