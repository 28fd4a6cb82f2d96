"""The glyph-space band of the meaning field: every glyph of the lexicon where its input
embedding lies (PCA to 2-D), coloured by category; the question and the answer are ringed and
labelled, and arrows run from each question glyph to each answer glyph, as strong as that
answer glyph's attention."""

from __future__ import annotations

import numpy as np

from core.field.canvas import Canvas, font_for, label_text
from core.field.data import FieldData
from core.field.fonts import word_font
from core.field.style import (
    CATEGORY_COLOURS,
    INK,
    MARGIN_IN,
    MUTED,
    ROLE_COLOURS,
    ROLE_FACES,
    WIDTH_IN,
)


def space_band(canvas: Canvas, data: FieldData, top: float, height: float) -> float:
    """The glyph space with the question and answer marked; the new top."""
    from matplotlib.patches import FancyArrowPatch

    language = data.language
    canvas.heading(MARGIN_IN, top, label_text("space", language))
    canvas.text(MARGIN_IN, top + 0.4, label_text("space_note", language), 12, color=MUTED, va="top")
    axes_top = top + 0.8
    axes = canvas.axes(MARGIN_IN, axes_top, WIDTH_IN - 2 * MARGIN_IN, height)
    axes.set_facecolor("white")
    points = data.points
    span = points.max(axis=0) - points.min(axis=0)
    span[span == 0] = 1.0
    # Room around the edges for the rings, and below the lowest point for its word.
    low = points.min(axis=0) - np.array([0.06, 0.12]) * span
    high = points.max(axis=0) + np.array([0.06, 0.06]) * span
    axes.set_xlim(low[0], high[0])
    axes.set_ylim(low[1], high[1])
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color("#dddddd")
    axes.set_xlabel(
        label_text("axis", language, n=1, share=data.explained[0]), fontsize=12, color=MUTED
    )
    axes.set_ylabel(
        label_text("axis", language, n=2, share=data.explained[1]), fontsize=12, color=MUTED
    )

    index = {key: k for k, key in enumerate(data.space_keys)}
    marked: dict[str, str] = {}
    for glyph in data.context:
        marked.setdefault(glyph.key, "context")
    for glyph in data.question:
        marked[glyph.key] = "question"
    for glyph in data.answer:
        marked[glyph.key] = "answer"
    glyph_of = {g.key: g for g in (*data.context, *data.question, *data.answer)}

    for k, key in enumerate(data.space_keys):
        if key in marked:
            continue
        x, y = points[k]
        axes.text(
            x,
            y,
            data.space_glyphs[k],
            fontsize=12,
            color=CATEGORY_COLOURS.get(data.space_categories[k], MUTED),
            alpha=0.75,
            ha="center",
            va="center",
            fontproperties=font_for(data.space_glyphs[k]),
            parse_math=False,
        )

    # Arrows from question glyphs to answer glyphs, as strong as the attention between them
    # (a glyph that occurs twice keeps its strongest arrow).
    arrows: dict[tuple[str, str], float] = {}
    for i, answer in enumerate(data.answer):
        for j, source in enumerate(data.columns):
            if source.role == "question" and source.key != answer.key:
                pair = (source.key, answer.key)
                arrows[pair] = max(arrows.get(pair, 0.0), float(data.attention[i, j]))
    for (source_key, answer_key), weight in arrows.items():
        if weight < 0.02:
            continue
        axes.add_patch(
            FancyArrowPatch(
                tuple(points[index[source_key]]),
                tuple(points[index[answer_key]]),
                arrowstyle="-|>",
                mutation_scale=14 + 16 * weight,
                linewidth=0.8 + 4.5 * weight,
                color=ROLE_COLOURS["question"],
                alpha=min(0.9, 0.25 + weight),
                shrinkA=18,
                shrinkB=20,
                connectionstyle="arc3,rad=0.12",
                zorder=3,
            )
        )

    faces = {"context": ROLE_FACES["context"], "question": "#dbe6fb", "answer": "#fbe0d7"}
    edges = {
        "context": "#9a9a9a",
        "question": ROLE_COLOURS["question"],
        "answer": ROLE_COLOURS["answer"],
    }
    for key, role in marked.items():
        x, y = points[index[key]]
        axes.scatter(
            [x],
            [y],
            s=1500,
            facecolor=faces[role],
            edgecolor=edges[role],
            linewidth=2.2,
            zorder=4,
            linestyle="--" if role == "context" else "-",
        )
        glyph = glyph_of[key]
        axes.text(
            x,
            y,
            glyph.glyph,
            fontsize=24,
            color=edges[role] if role != "context" else INK,
            ha="center",
            va="center",
            zorder=5,
            fontproperties=font_for(glyph.glyph),
            parse_math=False,
        )
        axes.annotate(
            glyph.word,
            (x, y),
            xytext=(0, -31),
            textcoords="offset points",
            fontsize=14,
            color=edges[role],
            ha="center",
            va="top",
            zorder=6,
            fontproperties=word_font(),
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
    return axes_top + height + 0.55
