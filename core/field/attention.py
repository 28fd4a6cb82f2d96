"""What the god attended to, and where its glyphs lie: the numbers of the meaning field.

The god runs with PyTorch's fused ``sdpa`` attention, which never materialises attention
weights. Rather than switch the shared model to eager attention (a change every other user of
the model would see), ``attention_maps`` watches one ordinary forward pass: a forward hook on
each attention module recomputes ``softmax(QKᵀ/√d + causal mask)`` from the module's own
projections and the rotary embeddings the model handed it — exactly what eager attention
computes. The hooks live only for that one call and act only in the calling thread, so the
model's answers and the batched decoder are untouched. ``tests/field`` checks the result
against transformers' own eager attention.

``glyph_space`` projects the input-embedding rows of the glyph tokens to 2-D with PCA (an SVD
of the centred rows, signs fixed), cached per model until its weights change.
"""

from __future__ import annotations

import logging
import math
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

from core.field.data import FieldData, FieldGlyph, Role
from core.language.oracle import Exchange, Scene
from core.model.god import MAX_ANSWER, MAX_QUESTION, God
from core.types import Language

logger = logging.getLogger(__name__)

METHODS = ("rollout", "last")
DEFAULT_METHOD = "rollout"
METHOD_NOTES: dict[str, str] = {
    "rollout": "attention rollout over all {layers} layers (heads averaged, residual added)",
    "last": "last {span} of {layers} layers, heads averaged",
}


# ------------------------------------------------------------------------- attention


def _attention_modules(model: nn.Module) -> list[nn.Module]:
    """The self-attention module of every decoder layer, first layer first."""
    layers = model.get_decoder().layers
    return [layer.self_attn for layer in layers]


def _observe(
    module: nn.Module, kwargs: dict[str, object], args: tuple[object, ...]
) -> torch.Tensor:
    """Eager attention probabilities of one attention module: [batch, heads, T, T]."""
    hidden = kwargs.get("hidden_states", args[0] if args else None)
    assert isinstance(hidden, torch.Tensor)
    cos, sin = kwargs["position_embeddings"]  # type: ignore[misc]
    head_dim = module.head_dim
    shape = (*hidden.shape[:-1], -1, head_dim)
    query = module.q_proj(hidden).view(shape).transpose(1, 2)
    key = module.k_proj(hidden).view(shape).transpose(1, 2)
    query, key = apply_rotary_pos_emb(query, key, cos, sin)
    groups = query.shape[1] // key.shape[1]
    if groups > 1:  # grouped-query attention: every query head reads its key head
        key = key.repeat_interleave(groups, dim=1)
    scores = torch.matmul(query, key.transpose(2, 3)).float() * module.scaling
    length = scores.shape[-1]
    future = torch.ones(length, length, dtype=torch.bool, device=scores.device).triu(1)
    scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim=-1)


@torch.inference_mode()
def attention_maps(model: nn.Module, ids: Sequence[int]) -> torch.Tensor:
    """Attention probabilities of every layer and head for one unpadded sequence.

    Returns a float tensor [layers, heads, T, T] whose rows sum to 1 (causal: row t sees
    positions 0..t). The model's own forward pass is the ordinary one.
    """
    modules = _attention_modules(model)
    captured: list[torch.Tensor | None] = [None] * len(modules)
    owner = threading.get_ident()

    def hook_for(index: int):  # type: ignore[no-untyped-def]
        def hook(module, args, kwargs, output):  # type: ignore[no-untyped-def]
            if threading.get_ident() == owner:  # other threads may share the model
                captured[index] = _observe(module, kwargs, args)[0]

        return hook

    handles = [
        module.register_forward_hook(hook_for(i), with_kwargs=True)
        for i, module in enumerate(modules)
    ]
    try:
        input_ids = torch.tensor([list(ids)], dtype=torch.long)
        model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), use_cache=False)
    finally:
        for handle in handles:
            handle.remove()
    if any(c is None for c in captured):
        raise RuntimeError("an attention layer did not run; cannot read the god's attention")
    return torch.stack(captured)  # type: ignore[arg-type]


def summarise(maps: torch.Tensor, method: str = DEFAULT_METHOD) -> tuple[torch.Tensor, str, int]:
    """One [T, T] row-stochastic matrix from [layers, heads, T, T] maps, how, and from how many
    layers.

    ``rollout`` (Abnar & Zuidema, 2020): average the heads of each layer, add the residual
    stream as 0.5·I + 0.5·A, and multiply the layers, so a row says how much each *input*
    position flowed into that position's last hidden state. ``last``: the heads of the last
    half of the layers, averaged — what the top of the network looked at directly.
    """
    layers, _, length, _ = maps.shape
    per_layer = maps.mean(dim=1)
    if method == "rollout":
        eye = torch.eye(length, dtype=per_layer.dtype)
        flow = eye
        for layer in per_layer:
            flow = (0.5 * layer + 0.5 * eye) @ flow
        note = METHOD_NOTES["rollout"].format(layers=layers)
        return flow, note, layers
    if method == "last":
        span = max(1, math.ceil(layers / 2))
        note = METHOD_NOTES["last"].format(span=span, layers=layers)
        return per_layer[-span:].mean(dim=0), note, span
    raise ValueError(f"unknown attention summary {method!r} (expected one of {METHODS})")


# ------------------------------------------------------------------------- glyph space


@dataclass(frozen=True, slots=True)
class GlyphSpace:
    """Every glyph token's input embedding, projected to 2-D."""

    keys: tuple[str, ...]
    glyphs: tuple[str, ...]
    categories: tuple[str, ...]
    points: np.ndarray  # [glyphs, 2], float32
    explained: tuple[float, float]


_SpaceCache = weakref.WeakKeyDictionary[nn.Module, tuple[tuple[int, int], GlyphSpace]]
_SPACES: _SpaceCache = weakref.WeakKeyDictionary()
_SPACES_LOCK = threading.Lock()


def _pca(rows: torch.Tensor) -> tuple[np.ndarray, tuple[float, float]]:
    """Deterministic 2-D PCA: SVD of the centred rows, each axis's largest loading positive."""
    centred = rows.double() - rows.double().mean(dim=0, keepdim=True)
    _, singular, vh = torch.linalg.svd(centred, full_matrices=False)
    axes = vh[:2]
    biggest = axes.abs().argmax(dim=1)
    signs = torch.sign(axes[torch.arange(axes.shape[0]), biggest])
    axes = axes * signs.unsqueeze(1)
    points = centred @ axes.T
    variance = singular.square()
    total = float(variance.sum()) or 1.0
    explained = (float(variance[0]) / total, float(variance[1]) / total)
    return points.float().numpy(), explained


def glyph_space(god: God) -> GlyphSpace:
    """The 2-D glyph space of a god, computed once per model (again if its weights change)."""
    weight = god.model.get_input_embeddings().weight
    version = (id(weight), weight._version)  # a new or an updated embedding table
    with _SPACES_LOCK:
        cached = _SPACES.get(god.model)
        if cached is not None and cached[0] == version:
            return cached[1]
    codec = god.codec
    ids = codec.glyph_ids
    with torch.no_grad():
        rows = weight.detach()[ids]
    points, explained = _pca(rows)
    entries = [god.lexicon.by_key(codec.id_to_key[i]) for i in ids]
    space = GlyphSpace(
        keys=tuple(e.key for e in entries),
        glyphs=tuple(e.glyph for e in entries),
        categories=tuple(e.category for e in entries),
        points=points,
        explained=explained,
    )
    with _SPACES_LOCK:
        _SPACES[god.model] = (version, space)
    return space


# ------------------------------------------------------------------------- the field


def _read_context(context: Exchange | None) -> Exchange | None:
    """The context as the god reads it: dropped when too long, as ``God`` does."""
    if context is None:
        return None
    if len(context.question) > MAX_QUESTION or len(context.answer) > MAX_ANSWER:
        return None
    return context


def field_data(
    god: God,
    question: Scene,
    context: Exchange | None,
    answer: Scene,
    language: Language,
    method: str = DEFAULT_METHOD,
) -> FieldData:
    """The numbers of one meaning field: attention of each answer glyph, and the glyph space.

    The god reads ``<bos> [<ctx> Q' <a> A'] <q> Q <a>`` and then its own answer, as when it
    answered; the attention of answer glyph *i* is the attention of the position that
    produced it (the token just before it) over the glyphs before it.
    """
    if not answer:
        raise ValueError("the meaning field needs the god's answer (at least one glyph)")
    codec, lexicon = god.codec, god.lexicon
    context = _read_context(context)
    limit = god.model.config.max_position_embeddings
    overhead = 3 + (2 + len(context.question) + len(context.answer) if context else 0)
    question = question[: max(1, limit - overhead - len(answer))]

    tokens: list[tuple[int, Role | None, str | None]] = [(codec.bos_id, None, None)]
    if context is not None:
        tokens.append((codec.context_id, None, None))
        tokens += [(codec.key_to_id[k], "context_question", k) for k in context.question]
        tokens.append((codec.answer_id, None, None))
        tokens += [(codec.key_to_id[k], "context_answer", k) for k in context.answer]
    tokens.append((codec.question_id, None, None))
    tokens += [(codec.key_to_id[k], "question", k) for k in question]
    tokens.append((codec.answer_id, None, None))
    prompt_length = len(tokens)
    tokens += [(codec.key_to_id[k], "answer", k) for k in answer]
    ids = [token for token, _, _ in tokens]
    if ids[:prompt_length] != codec.prompt_ids(question, context):
        raise RuntimeError("the meaning field's prompt layout differs from the god's codec")

    maps = attention_maps(god.model, ids)
    flow, note, used = summarise(maps, method)

    def glyph(key: str, role: Role) -> FieldGlyph:
        entry = lexicon.by_key(key)
        return FieldGlyph(entry.glyph, key, entry.lemma(language), entry.category, role)

    positions = [i for i, (_, role, _) in enumerate(tokens) if role is not None]
    read = tuple(glyph(tokens[i][2], tokens[i][1]) for i in positions)  # type: ignore[arg-type]
    # The columns: every glyph an answer glyph could attend to (the last one is seen by none).
    columns, column_positions = read[:-1], positions[:-1]
    producers = [prompt_length - 1 + i for i in range(len(answer))]
    rows = flow[producers][:, column_positions].double()
    # Causality already zeroes what a row cannot see; the clamp only guards rounding.
    rows = rows.clamp(min=0.0)
    kept = rows.sum(dim=1, keepdim=True)
    attention = (rows / kept.clamp(min=1e-12)).numpy()
    dropped = (1.0 - kept.squeeze(1)).clamp(min=0.0).numpy()

    space = glyph_space(god)
    return FieldData(
        language=language,
        context=tuple(g for g in read if g.role.startswith("context")),
        question=tuple(g for g in read if g.role == "question"),
        answer=tuple(g for g in read if g.role == "answer"),
        columns=columns,
        attention=attention,
        dropped=dropped,
        method=method,
        method_note=note,
        layers=maps.shape[0],
        layers_used=used,
        space_keys=space.keys,
        space_glyphs=space.glyphs,
        space_categories=space.categories,
        points=space.points,
        explained=space.explained,
    )
