"""Training the god from scratch on the generated corpus: deterministic, CPU-sized.

Reads top to bottom: build the corpus, build the model from a config (no pretrained weights
of any kind), draw batches of dialogue turns, take the loss on the answer only, report
held-out accuracy as it goes, save with ``save_pretrained`` and write the card.
"""

from __future__ import annotations

import argparse
import logging
import math
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM

from core.language.corpus import Corpus, DialogueSampler, Example, build_corpus
from core.language.lexicon import Lexicon, load_lexicon
from core.language.oracle import RuleBase, load_rules
from core.language.tokenizer import SceneCodec, build_tokenizer
from core.model.config import DEFAULT_SIZE, SIZES, describe, llama_config
from core.model.evaluate import evaluate_god, exact_match, sample_per_family
from core.model.god import God
from core.report import print_json

logger = logging.getLogger(__name__)

IGNORE = -100


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """Everything that determines a training run."""

    size: str = DEFAULT_SIZE
    steps: int = 3000
    batch_size: int = 256
    learning_rate: float = 3e-3
    warmup_steps: int = 150
    weight_decay: float = 0.01
    seed: int = 0
    data_seed: int = 0
    eval_every: int = 250
    threads: int = 2


def make_batch(codec: SceneCodec, examples: list[Example]) -> tuple[torch.Tensor, ...]:
    """Right-padded ids, attention mask and labels that score only the answer and <eos>."""
    rows = [codec.training_ids(e.question, e.answer, e.context) for e in examples]
    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), codec.pad_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    for row, (ids, answer_start) in enumerate(rows):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        attention[row, : len(ids)] = 1
        labels[row, answer_start : len(ids)] = torch.tensor(ids[answer_start:])
    return input_ids, attention, labels


def _learning_rate(settings: TrainSettings, step: int) -> float:
    if step < settings.warmup_steps:
        return settings.learning_rate * (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, settings.steps - settings.warmup_steps)
    return settings.learning_rate * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def new_god(size: str, lexicon: Lexicon, seed: int) -> God:
    """A randomly initialised god of one size over the glyph tokenizer."""
    tokenizer = build_tokenizer(lexicon)
    codec = SceneCodec(tokenizer, lexicon)
    config = llama_config(SIZES[size], codec.vocab_size, codec.pad_id, codec.bos_id, codec.eos_id)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config)
    return God(model, codec)


def train_god(
    settings: TrainSettings,
    out_dir: str | Path | None = None,
    *,
    lexicon: Lexicon | None = None,
    rules: RuleBase | None = None,
    corpus: Corpus | None = None,
    progress: Callable[[int, dict[str, float]], None] | None = None,
    command: str = "",
) -> tuple[God, dict[str, object]]:
    """Train one god; save it to ``out_dir`` if given; return it with its card."""
    torch.set_num_threads(settings.threads)
    random.seed(settings.seed)
    lexicon = lexicon or load_lexicon()
    rules = rules or load_rules()
    corpus = corpus or build_corpus(rules, seed=settings.data_seed)
    god = new_god(settings.size, lexicon, settings.seed)
    model, codec = god.model, god.codec
    sampler = DialogueSampler(corpus, rules, split="train", seed=settings.seed)
    stream = sampler.examples()
    probe = sample_per_family(corpus.heldout, 60, random.Random(settings.seed))

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": settings.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=settings.learning_rate,
        betas=(0.9, 0.98),
    )
    started = time.perf_counter()
    heldout_probe = 0.0
    loss_value = float("nan")
    for step in range(settings.steps):
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(settings, step)
        batch = [next(stream) for _ in range(settings.batch_size)]
        input_ids, attention, labels = make_batch(codec, batch)
        loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        loss_value = float(loss.detach())
        last = step == settings.steps - 1
        if probe and ((step + 1) % settings.eval_every == 0 or last):
            model.eval()
            heldout_probe = exact_match(god, probe)[0]
        if progress:
            progress(step, {"loss": loss_value, "heldout": heldout_probe})
    seconds = time.perf_counter() - started
    model.eval()
    metrics = evaluate_god(god, corpus, rules)
    card: dict[str, object] = {
        "command": command,
        "settings": asdict(settings),
        "size": describe(SIZES[settings.size]),
        "parameters": god.parameter_count(),
        "train_seconds": round(seconds, 1),
        "final_loss": round(loss_value, 5),
        "corpus": corpus.size(),
        "metrics": metrics,
        "torch": torch.__version__,
        "machine": f"{platform.machine()}, {settings.threads} threads",
    }
    god.card = card
    if out_dir is not None:
        god.save(out_dir, card)
    return god, card


def run(args: argparse.Namespace) -> int:
    """``silentgod train``: train the god from scratch and save it (into the package unless
    --out says otherwise), with a progress bar."""
    from tqdm import tqdm

    from core.model.god import PACKAGED_CHECKPOINT

    settings = TrainSettings(
        size=args.size, steps=args.steps, seed=args.seed, data_seed=args.seed, threads=args.threads
    )
    out = args.out or str(PACKAGED_CHECKPOINT)
    command = "silentgod train " + " ".join(sys.argv[2:]) if sys.argv[1:2] == ["train"] else ""
    with tqdm(total=settings.steps, desc=f"training {settings.size}", unit="step") as bar:

        def progress(step: int, figures: dict[str, float]) -> None:
            bar.update(1)
            bar.set_postfix(loss=f"{figures['loss']:.4f}", heldout=f"{figures['heldout']:.3f}")

        _, card = train_god(settings, out, progress=progress, command=command.strip())
    if args.json:
        print_json(card)
    else:
        metrics = card["metrics"]
        assert isinstance(metrics, dict)
        print(f"saved to {out} ({card['parameters']:,} parameters, {card['train_seconds']} s)")
        for key in ("train_exact_match", "heldout_exact_match", "context_exact_match"):
            print(f"  {key:<22} {metrics[key]:.4f}")
        print(f"  seed exchanges         {'ok' if metrics['seed_exchanges_ok'] else 'MISSED'}")
    return 0
