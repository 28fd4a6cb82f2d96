"""The meaning-field picture of one exchange: the numbers from the god, then the drawing.

``meaning_field`` reads the numbers with the model (``attention.field_data``, torch) and draws
them with ``render.render_field`` (torch-free, re-exported here for callers of this module).
"""

from __future__ import annotations

import logging
import time

from core.field.attention import DEFAULT_METHOD, field_data
from core.field.data import FieldData
from core.field.render import render_field
from core.language.oracle import Exchange, Scene
from core.model.god import God
from core.types import Language

__all__ = ["meaning_field", "render_field"]

logger = logging.getLogger(__name__)


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
