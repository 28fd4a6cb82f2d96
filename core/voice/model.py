"""The voice's own copy of the god, the LoRA configuration, weight hashes and decoding.

The voice never touches the god's model object: it deep-copies the god's weights into a model
of its own (the service's worker thread keeps thinking with the original, undisturbed), grows
that copy's vocabulary with the text pieces (new rows appended, the god's rows copied bit for
bit) and wraps it in the adapter. ``disable_adapter()`` on the copy gives the god back exactly.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence

import torch
from peft import LoraConfig
from transformers import PreTrainedModel

from core.model.decoding import extend, prefill

# What the voice trains besides LoRA: the whole input and output embedding (a copy kept by the
# adapter; the god's own rows stay in the frozen original). Measured before the project:
# q,v + these two modules learnt fastest of every setup tried on this machine.
MODULES_TO_SAVE = ["embed_tokens", "lm_head"]


def _digest(state: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256()
    for name in sorted(state):
        tensor = state[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def weights_hash(model: torch.nn.Module) -> str:
    """SHA-256 of a model's state (names, dtypes, shapes and bytes, in name order)."""
    return _digest(model.state_dict())


def frozen_hash(model: torch.nn.Module) -> str:
    """SHA-256 of the frozen base weights, with or without the adapter around them.

    The adapter's own tensors (LoRA matrices, trainable embedding copies) are left out and
    peft's wrapper names are folded away, so a plain copy of the grown god and the same copy
    inside a trained adapter hash alike exactly when no base weight moved.
    """
    state: dict[str, torch.Tensor] = {}
    for name, tensor in model.state_dict().items():
        if "lora_" in name or ".modules_to_save." in name:
            continue
        name = name.removeprefix("base_model.model.")
        name = name.replace(".base_layer.", ".").replace(".original_module.", ".")
        state[name] = tensor
    return _digest(state)


def voice_base(god_model: PreTrainedModel, vocab_size: int) -> PreTrainedModel:
    """A frozen copy of the god with room for ``vocab_size`` tokens (new rows zero)."""
    base = copy.deepcopy(god_model)
    old = base.get_input_embeddings().weight.shape[0]
    if vocab_size < old:
        raise ValueError(f"the voice's vocabulary ({vocab_size}) is smaller than the god's ({old})")
    base.resize_token_embeddings(vocab_size, mean_resizing=False)
    with torch.no_grad():
        base.get_input_embeddings().weight[old:].zero_()
        base.get_output_embeddings().weight[old:].zero_()
    for parameter in base.parameters():
        parameter.requires_grad_(False)
    return base.eval()


def merged(model: torch.nn.Module) -> torch.nn.Module:
    """A copy of a trained voice with the adapter folded into plain weights (for decoding).

    It decodes the same ids as the adapter model (every figure of ``silentgod eval --only
    lora`` came out the same); the adapter model stays, for measurements that switch it off.
    """
    return copy.deepcopy(model).merge_and_unload().eval()  # type: ignore[operator]


def warm_start(embedding: torch.Tensor, pieces: dict[int, str], words: dict[int, list[str]]) -> int:
    """Start each text piece's input row at the mean embedding of the glyphs whose words
    contain the piece (three letters or more, at most eight glyphs): "огн" starts near 🜂.

    ``embedding`` is the trainable copy (rows by id), ``pieces`` maps piece ids to their text,
    ``words`` maps glyph ids to their normalised words. Returns how many rows were set.
    """
    set_rows = 0
    with torch.no_grad():
        for index, piece in pieces.items():
            piece = piece.replace("▁", "")
            if len(piece) < 3:
                continue
            owners = [g for g, ws in words.items() if any(piece in w for w in ws)]
            if 0 < len(owners) <= 8:
                embedding[index] = embedding[owners].mean(dim=0)
                set_rows += 1
    return set_rows


def layer_indices(layers: str, count: int) -> list[int] | None:
    """Which decoder layers get LoRA: "all" (None), "ends" (first and last) or "0,3"."""
    if layers == "all":
        return None
    if layers == "ends":
        return sorted({0, count - 1})
    return [int(part) for part in layers.split(",")]


def lora_config(
    rank: int, alpha: int, targets: Sequence[str], layers: str, layer_count: int
) -> LoraConfig:
    """The adapter's configuration."""
    return LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=0.0,
        target_modules=list(targets),
        layers_to_transform=layer_indices(layers, layer_count),
        layers_pattern="layers" if layers != "all" else None,
        modules_to_save=list(MODULES_TO_SAVE),
        task_type="CAUSAL_LM",
    )


def allowed_mask(vocab_size: int, allowed: Sequence[int]) -> torch.Tensor:
    """An additive mask: 0 for the allowed ids, -inf elsewhere."""
    mask = torch.full((vocab_size,), float("-inf"))
    mask[list(allowed)] = 0.0
    return mask


@torch.inference_mode()
def greedy(
    model: torch.nn.Module,
    prompts: Sequence[Sequence[int]],
    mask: torch.Tensor,
    eos_id: int,
    pad_id: int,
    max_new: int | Sequence[int],
    confidence: list[list[float]] | None = None,
) -> list[list[int]]:
    """Batched, KV-cached greedy decoding constrained by ``mask`` (which must allow <eos>).

    ``max_new`` bounds each row (one bound for all, or one per prompt); a row that reaches its
    bound ends with <eos>. Returns the generated ids of each row, <eos> excluded. Given a list
    as ``confidence``, it is filled with each row's probability of every returned id (the
    softmax over the allowed ids at that step).
    """
    if not prompts:
        return []
    batch = len(prompts)
    bounds = torch.tensor([max_new] * batch if isinstance(max_new, int) else list(max_new))
    logits, cache, attention, next_position = prefill(model, prompts, pad_id)
    width = int(bounds.max()) + 1
    # Rows that said <eos> leave the batch, so the later steps decode only the longer
    # sentences; their remaining tokens are the <eos> the output starts filled with.
    output = torch.full((batch, width), eos_id, dtype=torch.long)
    chance = torch.ones((batch, width)) if confidence is not None else None
    rows = torch.arange(batch)
    eos = torch.full((batch,), eos_id, dtype=torch.long)
    for step in range(width):
        allowed = logits.float() + mask
        chosen = allowed.argmax(dim=-1)
        chosen = torch.where(bounds[rows] <= step, eos[: len(rows)], chosen)
        output[rows, step] = chosen
        if chance is not None:
            chance[rows, step] = allowed.softmax(dim=-1).gather(1, chosen[:, None]).squeeze(1)
        done = chosen == eos_id
        if bool(done.all()) or step == width - 1:
            break
        if bool(done.any()):
            keep = (~done).nonzero().squeeze(1)
            rows, chosen = rows[keep], chosen[keep]
            attention, next_position = attention[keep], next_position[keep]
            cache.batch_select_indices(keep)
        logits, cache, attention, next_position = extend(
            model, chosen, attention, next_position, cache
        )
    generated = [row[: row.index(eos_id)] if eos_id in row else row for row in output.tolist()]
    if chance is not None and confidence is not None:
        confidence.extend(
            probabilities[: len(ids)]
            for probabilities, ids in zip(chance.tolist(), generated, strict=True)
        )
    return generated
