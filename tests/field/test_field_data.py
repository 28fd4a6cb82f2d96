"""The numbers behind the picture: attention read from the god's own forward pass, and its
glyph space."""

from __future__ import annotations

import copy
import io

import numpy as np
import pytest
import torch
from PIL import Image

from core.field.attention import attention_maps, field_data, glyph_space, summarise
from core.field.picture import meaning_field
from core.language.oracle import Exchange
from core.model.god import God, Request

QUESTION = ("fire", "time", "candle")
ANSWER = ("growth", "law", "sun", "unity")
CONTEXT = Exchange(("alembic", "growth", "flame"), ("matter", "fire", "transformation"))


def _check_png(png: bytes) -> None:
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert 1150 <= image.width <= 1250
    assert image.height > image.width  # a portrait picture, for a phone
    assert len(png) < 300_000


def test_observed_attention_equals_eager_attention_and_changes_nothing(god: God) -> None:
    ids = god.codec.prompt_ids(QUESTION, CONTEXT) + god.codec.scene_ids(ANSWER)
    before = god.answer_batch([Request(QUESTION), Request(QUESTION, CONTEXT)])
    maps = attention_maps(god.model, ids)

    eager = copy.deepcopy(god.model)
    eager.set_attn_implementation("eager")
    with torch.inference_mode():
        reference = eager(input_ids=torch.tensor([ids]), output_attentions=True).attentions
    assert maps.shape == (len(reference), reference[0].shape[1], len(ids), len(ids))
    torch.testing.assert_close(maps, torch.stack([a[0] for a in reference]))

    assert god.model.config._attn_implementation == "sdpa"
    assert not any(m._forward_hooks for m in god.model.modules())
    assert god.answer_batch([Request(QUESTION), Request(QUESTION, CONTEXT)]) == before


@pytest.mark.parametrize("method", ["rollout", "last"])
def test_attention_rows_sum_to_one_over_what_each_answer_glyph_could_see(
    god: God, method: str
) -> None:
    data = field_data(god, QUESTION, CONTEXT, ANSWER, "en", method=method)
    assert [g.key for g in data.question] == list(QUESTION)
    assert [g.key for g in data.answer] == list(ANSWER)
    assert [g.key for g in data.context] == [*CONTEXT.question, *CONTEXT.answer]
    assert [g.role for g in data.columns].count("answer") == len(ANSWER) - 1
    assert data.attention.shape == (len(ANSWER), len(CONTEXT.question) * 2 + 3 + 3)
    np.testing.assert_allclose(data.attention.sum(axis=1), 1.0, atol=1e-6)
    assert (data.attention >= 0).all()
    assert ((data.dropped >= 0) & (data.dropped <= 1)).all()
    first_answer = [g.role for g in data.columns].index("answer")
    for row in range(len(ANSWER)):  # an answer glyph sees only the answer glyphs before it
        assert (data.attention[row, first_answer + row :] == 0).all()
    assert data.layers == god.model.config.num_hidden_layers
    assert str(data.layers) in data.method_note


def test_summaries_are_row_stochastic_and_unknown_ones_refused(god: God) -> None:
    maps = attention_maps(god.model, god.codec.prompt_ids(QUESTION))
    for method in ("rollout", "last"):
        flow, _, _ = summarise(maps, method)
        torch.testing.assert_close(flow.sum(dim=-1), torch.ones(flow.shape[0]))
    with pytest.raises(ValueError, match="unknown attention summary"):
        summarise(maps, "average of vibes")


def test_glyph_space_has_one_point_per_glyph_and_is_cached_per_god(god: God, lexicon) -> None:
    space = glyph_space(god)
    assert len(space.keys) == len(lexicon) == space.points.shape[0]
    assert space.points.shape[1] == 2
    assert set(space.keys) == {entry.key for entry in lexicon}
    assert glyph_space(god) is space  # computed once per god
    assert 0 < space.explained[1] <= space.explained[0] < 1

    twin = copy.deepcopy(god)
    again = glyph_space(twin)
    np.testing.assert_array_equal(again.points, space.points)  # deterministic
    with torch.no_grad():
        twin.model.get_input_embeddings().weight.mul_(2.0)
    assert glyph_space(twin) is not again  # recomputed when the weights change


def test_picture_of_a_glyph_exchange_with_context(god: God) -> None:
    data, png = meaning_field(god, QUESTION, CONTEXT, ANSWER, "ru")
    _check_png(png)
    assert data.language == "ru"
    assert [g.word for g in data.question] == ["огонь", "время", "свеча"]
    data, png = meaning_field(god, ("alembic", "growth", "flame"), None, ("silence",), "en")
    _check_png(png)
    assert data.attention.shape == (1, 3)  # the question; no answer glyph before it
