"""Training rows of the voice: a prompt and its target, batched with the loss on the target."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from peft import PeftModel

from core.language.oracle import Scene
from core.voice.hearing import MAX_SCENE, MAX_TEXT
from core.voice.runtime import MAX_SPOKEN
from core.voice.samples import Sample
from core.voice.tokens import VoiceCodec

IGNORE = -100

Row = tuple[list[int], list[int]]  # prompt ids, target ids (ending in <eos>)


def hear_row(
    codec: VoiceCodec, text_ids: Sequence[int], scene: Sequence[str], hint: Scene | None = None
) -> Row | None:
    if not text_ids or len(text_ids) > MAX_TEXT or len(scene) > MAX_SCENE:
        return None
    if hint is not None:
        text_ids = codec.with_hint(hint[:MAX_SCENE], text_ids)
    return codec.hear_prompt(text_ids), [*codec.scenes.scene_ids(scene), codec.eos_id]


def speak_row(codec: VoiceCodec, sample: Sample, text_ids: Sequence[int]) -> Row | None:
    if len(text_ids) > MAX_SPOKEN or len(sample.scene) > MAX_SCENE:
        return None
    return codec.speak_prompt(sample.scene, sample.language), [*text_ids, codec.eos_id]


def make_batch(rows: Sequence[Row], pad_id: int) -> tuple[torch.Tensor, ...]:
    """Right-padded ids, attention mask and labels that score only the target."""
    width = max(len(p) + len(t) for p, t in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for row, (prompt, target) in enumerate(rows):
        ids = prompt + target
        input_ids[row, : len(ids)] = torch.tensor(ids)
        attention[row, : len(ids)] = 1
        labels[row, len(prompt) : len(ids)] = torch.tensor(target)
    return input_ids, attention, labels


def target_loss(
    model: PeftModel, input_ids: torch.Tensor, attention: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """Mean cross-entropy of the target tokens, the output layer applied to them alone.

    The same loss as ``model(..., labels=labels).loss``, but the 3 000-wide output layer runs
    only where a target is predicted (about a third of the positions), not on every prompt
    token: a quarter of a training step on this machine.
    """
    causal = model.get_base_model()
    hidden = causal.model(input_ids=input_ids, attention_mask=attention).last_hidden_state
    wanted = labels[:, 1:] != IGNORE
    logits = causal.lm_head(hidden[:, :-1][wanted])
    return torch.nn.functional.cross_entropy(logits.float(), labels[:, 1:][wanted])
