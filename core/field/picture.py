"""The meaning-field picture: one PNG of what the god read, attended to and answered.

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
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from core.field.attention import DEFAULT_METHOD, field_data
from core.field.data import FieldData, FieldGlyph
from core.field.fonts import glyph_font, label_font, word_font
from core.language.lexicon import CATEGORIES
from core.language.oracle import Exchange, Scene
from core.model.god import God
from core.types import Language

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

logger = logging.getLogger(__name__)

WIDTH_IN = 12.0
DPI = 100  # 1200 px wide
PALETTE_COLOURS = 256
MARGIN_IN = 0.45
BACKGROUND = "#fbfaf7"
INK = "#1b1b1b"
MUTED = "#6f6f6f"
ROLE_COLOURS = {
    "context_question": "#8a8a8a",
    "context_answer": "#8a8a8a",
    "question": "#1f4e9e",
    "answer": "#b8321f",
}
ROLE_FACES = {"context": "#ececec", "question": "#e3ecfb", "answer": "#fbe6df"}
# Twenty distinct colours that stay readable as text on a light background; operator is grey.
PALETTE = (
    "#d7263d",
    "#2e8b3a",
    "#3a5bd9",
    "#e67e22",
    "#8e24aa",
    "#00897b",
    "#c2185b",
    "#6d8f00",
    "#1e88e5",
    "#8d5524",
    "#b08900",
    "#5e35b1",
    "#00838f",
    "#ad1457",
    "#558b2f",
    "#d35400",
    "#283593",
    "#7b1fa2",
    "#795548",
    "#616161",
)
CATEGORY_COLOURS = dict(zip(CATEGORIES, PALETTE, strict=True))

LABELS: dict[str, dict[Language, str]] = {
    "title": {"en": "The meaning field", "ru": "Поле смысла"},
    "context": {"en": "context", "ru": "контекст"},
    "question": {"en": "question", "ru": "вопрос"},
    "answer": {"en": "answer", "ru": "ответ"},
    "attention": {
        "en": "What each answer glyph attended to",
        "ru": "На что смотрел каждый глиф ответа",
    },
    "attention_note": {
        "en": "% of each row; the markers <bos> <ctx> <q> <a> held (n)%, dropped, the rest "
        "renormalised to 100",
        "ru": "% от строки; служебные <bos> <ctx> <q> <a> держали (n)%, отброшены, "
        "остальное нормировано до 100",
    },
    "markers": {"en": "markers", "ru": "служебные"},
    "space": {
        "en": "The god's glyph space: input embeddings, PCA to 2-D",
        "ru": "Пространство глифов бога: входные эмбеддинги, PCA в 2-D",
    },
    "space_note": {
        "en": "arrows: question → answer, as strong as the answer's attention",
        "ru": "стрелки: вопрос → ответ, толщина — внимание глифа ответа",
    },
    "axis": {"en": "PC{n} ({share:.0%} of variance)", "ru": "ГК{n} ({share:.0%} дисперсии)"},
}
METHOD_WORDS: dict[str, dict[Language, str]] = {
    "rollout": {
        "en": "attention rollout over {layers} layers, heads averaged",
        "ru": "развёртка внимания по {layers} слоям, среднее по головам",
    },
    "last": {
        "en": "last {span} of {layers} layers, heads averaged",
        "ru": "последние {span} из {layers} слоёв, среднее по головам",
    },
}
CATEGORY_WORDS: dict[str, str] = {
    "element": "стихия",
    "substance": "вещество",
    "metal": "металл",
    "celestial": "небесное",
    "time": "время",
    "nature": "природа",
    "weather": "погода",
    "life": "жизнь",
    "body": "тело",
    "mind": "разум",
    "being": "существо",
    "quality": "качество",
    "force": "сила",
    "social": "общество",
    "emotion": "чувство",
    "object": "предмет",
    "place": "место",
    "process": "процесс",
    "logic": "логика",
    "operator": "оператор",
}


def _font(text: str) -> FontProperties:
    """One glyph: its shipped font; words only: DejaVu Sans; a mix: the fallback list."""
    if len(text) == 1 and not text.isalnum():
        return glyph_font(text)
    if all(c.isalnum() or c in " -'.,:;%()<>" for c in text):
        return word_font()
    return label_font()


def _label(key: str, language: Language, **values: object) -> str:
    return LABELS[key][language].format(**values)


class _Canvas:
    """A figure addressed in inches from its top-left corner, with the shipped fonts."""

    def __init__(self, height_in: float) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.height = height_in
        self.figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor=BACKGROUND)
        FigureCanvasAgg(self.figure)

    def text(self, x: float, y: float, text: str, size: float, **style: Any) -> None:
        """Text at (x, y) inches from the top-left corner, in the font that ``_font`` picks."""
        style.setdefault("color", INK)
        style.setdefault("fontproperties", _font(text))
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


# ------------------------------------------------------------------------- the bands


def _exchange_band(canvas: _Canvas, data: FieldData, top: float) -> float:
    """Title, context line, and question → answer in big glyphs with words; new top."""
    language = data.language
    canvas.heading(MARGIN_IN, top + 0.1, _label("title", language), 22)
    y = top + 0.65
    if data.context:
        asked = [g.glyph for g in data.context if g.role == "context_question"]
        answered = [g.glyph for g in data.context if g.role == "context_answer"]
        line = f"{_label('context', language)}:  {' '.join(asked)}  →  {' '.join(answered)}"
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
        size = word_size if _width_in(item.word, word_size) <= cell * 0.95 else word_size - 3
        word = _fit(item.word, cell * 0.95, size)
        canvas.text(centre, baseline + 0.2, word, size, color=colour, ha="center", va="top")
    return baseline + 0.2 + 0.75


def _fit(word: str, width_in: float, size: float) -> str:
    """The word, shortened with an ellipsis when it cannot fit ``width_in`` at ``size``."""
    if _width_in(word, size) <= width_in:
        return word
    while len(word) > 2 and _width_in(word + "…", size) > width_in:
        word = word[:-1]
    return word.rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Grid:
    """Where the attention matrix and its labels go (inches)."""

    left: float
    cell_w: float
    cell_h: float
    glyph_size: float
    rotate: bool
    words_height: float
    word_size: float

    @classmethod
    def of(cls, data: FieldData) -> _Grid:
        columns = data.attention.shape[1]
        left = MARGIN_IN + ROW_LABELS_IN
        cell_w = min(1.5, (WIDTH_IN - left - MARGIN_IN - MARKERS_IN) / columns)
        glyph_size = 24 if cell_w >= 0.5 else 18
        for size in (WORD_SIZE, WORD_SIZE - 2):  # upright if a smaller size fits, else turned
            longest = max(_width_in(c.word, size) for c in data.columns)
            if longest <= cell_w * 0.95:
                return cls(left, cell_w, 0.62, glyph_size, False, 0.3, size)
        longest = max(_width_in(c.word, WORD_SIZE) for c in data.columns)
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


WORD_SIZE = 13
MAX_ROTATED_IN = 2.0
ROW_LABELS_IN = 2.6
MARKERS_IN = 0.9
NOTE_IN = 0.95


@cache
def _width_in(text: str, size: float) -> float:
    """How wide ``text`` is in the words' font at ``size`` points, in inches."""
    from matplotlib.textpath import text_to_path

    properties = word_font().copy()
    properties.set_size(size)
    width, _, _ = text_to_path.get_text_width_height_descent(text, properties, ismath=False)
    return width / 72


def _attention_band(canvas: _Canvas, data: FieldData, top: float) -> float:
    """The attention matrix with glyph labels on both sides; the new top."""
    language = data.language
    canvas.heading(MARGIN_IN, top, _label("attention", language))
    rows, columns = data.attention.shape
    grid = _Grid.of(data)
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
        label = _fit(_label(role_name, language), stop - start, 12)
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
            word = _fit(column.word, MAX_ROTATED_IN, WORD_SIZE)
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
            word = _fit(column.word, cell_w, grid.word_size)
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
        word = _fit(glyph.word, ROW_LABELS_IN - 0.9, WORD_SIZE)
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
        _label("markers", language),
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
        _label("attention_note", language),
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


def _space_band(canvas: _Canvas, data: FieldData, top: float, height: float) -> float:
    """The glyph space with the question and answer marked; the new top."""
    from matplotlib.patches import FancyArrowPatch

    language = data.language
    canvas.heading(MARGIN_IN, top, _label("space", language))
    canvas.text(MARGIN_IN, top + 0.4, _label("space_note", language), 12, color=MUTED, va="top")
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
        _label("axis", language, n=1, share=data.explained[0]), fontsize=12, color=MUTED
    )
    axes.set_ylabel(
        _label("axis", language, n=2, share=data.explained[1]), fontsize=12, color=MUTED
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
            fontproperties=_font(data.space_glyphs[k]),
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
            fontproperties=_font(glyph.glyph),
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


def _legend_band(canvas: _Canvas, data: FieldData, top: float) -> float:
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
    height = 0.15 + header + _Grid.of(data).height(rows) + 1.35 + space_height + legend
    canvas = _Canvas(height)
    top = _exchange_band(canvas, data, 0.15)
    top = _attention_band(canvas, data, top)
    top = _space_band(canvas, data, top, space_height)
    _legend_band(canvas, data, top)
    return canvas.png()


def meaning_field(
    god: God,
    question: Scene,
    context: Exchange | None,
    answer: Scene,
    language: Language,
    method: str = DEFAULT_METHOD,
) -> tuple[FieldData, bytes]:
    """The data and the PNG of one meaning field (blocking: run it in the model's thread)."""
    started = time.perf_counter()
    data = field_data(god, question, context, answer, language, method)
    computed = time.perf_counter()
    png = render_field(data)
    logger.debug(
        "meaning field: %.0f ms numbers, %.0f ms picture, %d bytes",
        (computed - started) * 1000,
        (time.perf_counter() - computed) * 1000,
        len(png),
    )
    return data, png
