"""The meaning field made in a worker process of its own, off the answering process.

The worker loads the god once (the same checkpoint the service answers with), makes the
observed forward pass and draws the picture: neither the model's thread nor the
interpreter lock of the process that answers people is ever held by a picture.
"""

from __future__ import annotations

from core.field.data import FieldData
from core.language.oracle import Exchange, Scene
from core.types import Language

_gods: dict[str, object] = {}


def make_picture(
    model_dir: str, question: Scene, context: Exchange | None, answer: Scene, language: Language
) -> tuple[FieldData, bytes]:
    """The numbers and the PNG of one meaning field (run in the worker process)."""
    import torch

    from core.field.attention import field_data
    from core.field.render import render_field
    from core.model.god import God

    god = _gods.get(model_dir)
    if god is None:
        torch.set_num_threads(1)
        god = _gods[model_dir] = God.load(model_dir or None)
    data = field_data(god, question, context, answer, language)  # type: ignore[arg-type]
    return data, render_field(data)
