"""The look of the meaning-field picture: its size, colours and words (plain data only).

Everything is measured in inches from the picture's top-left corner; ``DPI`` turns them into
pixels. The words come in both of the reader's languages.
"""

from __future__ import annotations

from core.language.lexicon import CATEGORIES
from core.types import Language

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
