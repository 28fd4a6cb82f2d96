"""How well the god learned the oracle: exact match per construct, context, seed, validity."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from core.language.corpus import Corpus, DialogueSampler, Example
from core.language.oracle import OPERATORS, SILENCE, RuleBase, Scene
from core.model.god import God, Request

SEED_EXCHANGES: tuple[tuple[Scene, Scene], ...] = (
    (("fire", "time", "candle"), ("growth", "law", "sun", "unity")),
    (("alembic", "growth", "flame"), ("matter", "fire", "transformation")),
)
BATCH = 256


def is_valid_scene(scene: Scene) -> bool:
    """A reply is a non-empty scene of answer glyphs, silence alone, or a path ending in it."""
    if not scene:
        return False
    body = scene[:-1] if scene[-1] == SILENCE else scene
    return all(k not in OPERATORS and k != SILENCE for k in body)


def _answers(god: God, examples: Sequence[Example]) -> list[Scene]:
    replies: list[Scene] = []
    for start in range(0, len(examples), BATCH):
        chunk = examples[start : start + BATCH]
        replies += god.answer_batch([Request(e.question, e.context) for e in chunk])
    return replies


def sample_per_family(
    groups: dict[str, list[Example]], per_family: int, rng: random.Random
) -> list[Example]:
    chosen: list[Example] = []
    for family in sorted(groups):
        group = groups[family]
        chosen += group if len(group) <= per_family else rng.sample(group, per_family)
    return chosen


def exact_match(god: God, examples: Sequence[Example]) -> tuple[float, dict[str, float], int, int]:
    """Share of exact answers overall and per construct, plus valid and total counts."""
    replies = _answers(god, examples)
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    valid = 0
    for example, reply in zip(examples, replies, strict=True):
        hits[example.construct][0] += reply == example.answer
        hits[example.construct][1] += 1
        valid += is_valid_scene(reply)
    total = sum(h[1] for h in hits.values())
    correct = sum(h[0] for h in hits.values())
    by_construct = {k: round(h[0] / h[1], 4) for k, h in sorted(hits.items())}
    return (correct / total if total else 0.0), by_construct, valid, total


def context_examples(corpus: Corpus, rules: RuleBase, count: int, seed: int) -> list[Example]:
    """Turns asking "and then?" in held-out dialogues: only context can answer them."""
    sampler = DialogueSampler(corpus, rules, split="heldout", seed=seed, then_share=0.5)
    found: list[Example] = []
    while len(found) < count:
        found += [turn for turn in sampler.dialogue(4) if turn.construct == "then"]
    return found[:count]


def evaluate_god(
    god: God, corpus: Corpus, rules: RuleBase, per_family: int = 600, seed: int = 1
) -> dict[str, object]:
    """Every figure of ``silentgod eval`` under ``god``."""
    rng = random.Random(seed)
    train = sample_per_family(corpus.train, per_family, rng)
    heldout = sample_per_family(corpus.heldout, per_family, rng)
    context = context_examples(corpus, rules, per_family, seed)
    train_score, train_by, train_valid, train_total = exact_match(god, train)
    held_score, held_by, held_valid, held_total = exact_match(god, heldout)
    context_score, _, context_valid, context_total = exact_match(god, context)
    seed_ok = all(god.answer(question) == expected for question, expected in SEED_EXCHANGES)
    constructs = sorted(set(train_by) | set(held_by))
    return {
        "train_exact_match": round(train_score, 4),
        "heldout_exact_match": round(held_score, 4),
        "context_exact_match": round(context_score, 4),
        "by_construct": {
            c: {"train": train_by.get(c), "heldout": held_by.get(c)} for c in constructs
        },
        "seed_exchanges_ok": seed_ok,
        "valid_rate": round(
            (train_valid + held_valid + context_valid)
            / max(1, train_total + held_total + context_total),
            4,
        ),
        "evaluated": {"train": train_total, "heldout": held_total, "context": context_total},
        "parameters": god.parameter_count(),
    }
