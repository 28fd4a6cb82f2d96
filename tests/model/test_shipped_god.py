"""The god that ships in the package: loads offline and still meets its targets."""

from __future__ import annotations

import random

import pytest

from core.language.corpus import build_corpus
from core.language.oracle import THEN, Exchange, answer, load_rules
from core.model.evaluate import SEED_EXCHANGES, exact_match, is_valid_scene, sample_per_family
from core.model.god import PACKAGED_CHECKPOINT, God, Request


@pytest.fixture(scope="module")
def corpus(shipped_god: God):
    seed = int(shipped_god.card["settings"]["data_seed"])
    return build_corpus(load_rules(), seed=seed)


def test_it_ships_inside_the_package_and_is_small() -> None:
    weights = PACKAGED_CHECKPOINT / "model.safetensors"
    assert weights.is_file() and weights.stat().st_size < 8_000_000
    for name in ("config.json", "tokenizer.json", "card.json"):
        assert (PACKAGED_CHECKPOINT / name).is_file(), name


def test_the_card_records_how_it_was_made(shipped_god: God) -> None:
    card = shipped_god.card
    assert card["command"].startswith("silentgod train")
    assert card["settings"]["seed"] == 0
    assert card["train_seconds"] > 0


def test_seed_exchanges(shipped_god: God) -> None:
    for question, expected in SEED_EXCHANGES:
        assert shipped_god.answer(question) == expected


def test_it_still_meets_its_targets(shipped_god: God, corpus) -> None:
    rng = random.Random(5)
    heldout = sample_per_family(corpus.heldout, 150, rng)
    train = sample_per_family(corpus.train, 100, rng)
    held_score, by_construct, valid, total = exact_match(shipped_god, heldout)
    assert held_score >= 0.97, by_construct
    assert exact_match(shipped_god, train)[0] >= 0.99
    assert valid == total


def test_fast_path_agrees_with_generate(shipped_god: God, corpus) -> None:
    questions = [e for group in corpus.heldout.values() for e in group[:20]]
    requests = [Request(e.question, e.context) for e in questions]
    batched = shipped_god.answer_batch(requests)
    reference = [shipped_god.generate_reference(r) for r in requests]
    same = sum(a == b for a, b in zip(batched, reference, strict=True))
    assert same / len(requests) >= 0.99
    assert all(is_valid_scene(s) for s in batched)


def test_only_and_then_is_shown_the_previous_exchange(shipped_god: God, corpus) -> None:
    night = ("cycle", "night")
    past = Exchange(night, answer(night))
    questions = [e.question for group in corpus.train.values() for e in group[:20]]
    for question in [*questions, (THEN,)]:
        shown = shipped_god.context_for(Request(question, past))
        # Only ⤳ is answered from the past: every other prompt is the bare question.
        assert shown == (past if tuple(question) == (THEN,) else None), question
    assert shipped_god.answer_batch([Request((THEN,), past)]) == [answer((THEN,), [past])]
    assert shipped_god.answer_batch([Request((THEN,))]) == [answer((THEN,))]
