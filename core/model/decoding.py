"""The pieces of batched, KV-cached decoding that the god and the LoRA voice share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

# What a decoding loop carries from step to step: the last position's logits, the KV cache,
# the attention mask so far and each row's next position id.
DecodeState = tuple[torch.Tensor, Any, torch.Tensor, torch.Tensor]


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, ...]:
    """Left-padded ids, attention mask and position ids of a batch of prompts."""
    width = max(len(p) for p in prompts)
    input_ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        input_ids[row, width - len(prompt) :] = torch.tensor(list(prompt), dtype=torch.long)
        attention[row, width - len(prompt) :] = 1
    positions = (attention.cumsum(-1) - 1).clamp(min=0)
    return input_ids, attention, positions


def prefill(model: torch.nn.Module, prompts: Sequence[Sequence[int]], pad_id: int) -> DecodeState:
    """Run the prompts (left-padded) once; only the last position's logits are computed."""
    input_ids, attention, positions = left_pad(prompts, pad_id)
    output = model(
        input_ids=input_ids,
        attention_mask=attention,
        position_ids=positions,
        use_cache=True,
        logits_to_keep=1,
    )
    return output.logits[:, -1, :], output.cache, attention, positions[:, -1] + 1


def extend(
    model: torch.nn.Module,
    chosen: torch.Tensor,
    attention: torch.Tensor,
    next_position: torch.Tensor,
    cache: Any,
) -> DecodeState:
    """Feed one chosen token per row through the cache; the state for the next step."""
    attention = torch.cat([attention, torch.ones((len(chosen), 1), dtype=torch.long)], dim=1)
    output = model(
        input_ids=chosen.unsqueeze(1),
        attention_mask=attention,
        position_ids=next_position.unsqueeze(1),
        cache=cache,
        use_cache=True,
    )
    return output.logits[:, -1, :], output.cache, attention, next_position + 1
