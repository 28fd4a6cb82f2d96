"""What a meaning-field picture shows, as plain data (no torch, no matplotlib here).

``FieldData`` is the numbers behind one picture: the glyphs the god read and wrote, how much
each answer glyph attended to each glyph before it, and where every glyph of the lexicon
lies in the god's embedding space. ``FieldPicture`` is what the service hands a frontend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.errors import SilentGodError
from core.types import Language

Role = Literal["context_question", "context_answer", "question", "answer"]


class FieldUnavailable(SilentGodError, RuntimeError):
    """The meaning field cannot be drawn here (e.g. the service runs without the god)."""


@dataclass(frozen=True, slots=True)
class FieldGlyph:
    """One glyph as the picture labels it."""

    glyph: str
    key: str
    word: str
    category: str
    role: Role

    def as_dict(self) -> dict[str, str]:
        """A JSON-ready mapping."""
        return {
            "glyph": self.glyph,
            "key": self.key,
            "word": self.word,
            "category": self.category,
            "role": self.role,
        }


@dataclass(frozen=True, eq=False)
class FieldData:
    """The numbers behind one meaning-field picture.

    ``attention[i, j]`` is how much the position that produced answer glyph ``i`` (the token
    just before it) attended to ``columns[j]``. Special tokens (<bos>, <ctx>, <q>, <a>) are
    dropped and every row is renormalised to sum to 1; ``dropped[i]`` is the share they held.
    The columns are the context, the question and the answer but its last glyph (which no
    answer glyph sees); columns an answer glyph could not see (itself, later ones) are 0.
    ``method`` names how heads and layers were summarised (``method_note`` says it in words;
    ``layers_used`` of the model's ``layers`` took part). ``points[k]`` is the 2-D position of
    ``space_keys[k]`` / ``space_glyphs[k]`` (one point per lexicon glyph).
    """

    language: Language
    context: tuple[FieldGlyph, ...]
    question: tuple[FieldGlyph, ...]
    answer: tuple[FieldGlyph, ...]
    columns: tuple[FieldGlyph, ...]
    attention: np.ndarray
    dropped: np.ndarray
    method: str
    method_note: str
    layers: int
    layers_used: int
    space_keys: tuple[str, ...]
    space_glyphs: tuple[str, ...]
    space_categories: tuple[str, ...]
    points: np.ndarray
    explained: tuple[float, float]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping (the attention rounded to 4 places, points to 3)."""
        return {
            "language": self.language,
            "context": [g.as_dict() for g in self.context],
            "question": [g.as_dict() for g in self.question],
            "answer": [g.as_dict() for g in self.answer],
            "columns": [g.as_dict() for g in self.columns],
            "attention": np.round(self.attention, 4).tolist(),
            "dropped": np.round(self.dropped, 4).tolist(),
            "method": self.method,
            "method_note": self.method_note,
            "layers": self.layers,
            "layers_used": self.layers_used,
            "space": {
                "keys": list(self.space_keys),
                "glyphs": list(self.space_glyphs),
                "points": np.round(self.points, 3).tolist(),
                "explained_variance": [round(v, 4) for v in self.explained],
            },
        }


@dataclass(frozen=True, slots=True)
class FieldPicture:
    """The picture (None when there is nothing to draw), its caption, and its data."""

    png: bytes | None
    caption: str
    data: FieldData | None = None
