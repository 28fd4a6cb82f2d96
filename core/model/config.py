"""Model sizes of the god: a Llama-style decoder sized for a CPU."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import LlamaConfig


@dataclass(frozen=True, slots=True)
class GodSize:
    """The shape of one model size."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int = 64


SIZES: dict[str, GodSize] = {
    # A few seconds of training: for tests.
    "tiny": GodSize(hidden=32, layers=2, heads=2, ffn=64),
    # About 0.5M parameters.
    "small": GodSize(hidden=96, layers=4, heads=4, ffn=256),
    # About 2M parameters.
    "base": GodSize(hidden=160, layers=6, heads=5, ffn=432),
}
DEFAULT_SIZE = "small"


def llama_config(
    size: GodSize, vocab_size: int, pad_id: int, bos_id: int, eos_id: int
) -> LlamaConfig:
    """A from-scratch LlamaConfig for one size over the glyph vocabulary."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=size.hidden,
        intermediate_size=size.ffn,
        num_hidden_layers=size.layers,
        num_attention_heads=size.heads,
        num_key_value_heads=size.heads,
        max_position_embeddings=size.max_positions,
        tie_word_embeddings=False,
        pad_token_id=pad_id,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        rms_norm_eps=1e-5,
        attention_dropout=0.0,
    )


def describe(size: GodSize) -> dict[str, int]:
    """A JSON-ready description of a size."""
    return asdict(size)
