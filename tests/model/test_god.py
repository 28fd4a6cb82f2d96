"""The silent god: from-scratch model, constrained decoding, training, save and load."""

from __future__ import annotations

import pytest
import torch

from core.language.corpus import Example, build_corpus
from core.language.lexicon import load_lexicon
from core.language.oracle import OPERATORS, SILENT, Exchange, load_rules
from core.model.evaluate import is_valid_scene
from core.model.god import God, Request
from core.model.train import TrainSettings, make_batch, new_god, train_god

TINY = TrainSettings(size="tiny", steps=120, batch_size=64, learning_rate=1e-2, eval_every=1000)


@pytest.fixture(scope="module")
def small_corpus():
    return build_corpus(load_rules(), seed=0, contemplations=300, silences=30)


@pytest.fixture(scope="module")
def handful(small_corpus) -> list[Example]:
    """A handful of exchanges a tiny god can learn by heart in seconds."""
    atomic = small_corpus.train["atomic"][:6]
    return [Example(e.question, e.answer, e.construct) for e in atomic]


@pytest.fixture(scope="module")
def tiny_god(small_corpus):
    god, card = train_god(TINY, None, corpus=small_corpus)
    return god, card


def test_vocabulary_has_no_word_of_ours() -> None:
    god = new_god("tiny", load_lexicon(), seed=0)
    vocab = god.codec.tokenizer.get_vocab()
    assert "fire" not in vocab and "огонь" not in vocab
    assert god.model.config.vocab_size == len(vocab)
    assert god.parameter_count() < 100_000


def test_loss_falls_and_a_handful_is_learned(handful) -> None:
    god = new_god("tiny", load_lexicon(), seed=0)
    optimizer = torch.optim.AdamW(god.model.parameters(), lr=1e-2)
    input_ids, attention, labels = make_batch(god.codec, handful)
    losses = []
    god.model.train()
    for _ in range(150):
        loss = god.model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    god.model.eval()
    assert losses[-1] < losses[0] / 10
    assert [god.answer(e.question) for e in handful] == [e.answer for e in handful]


def test_training_is_deterministic_and_reports(tiny_god, small_corpus) -> None:
    god, card = tiny_god
    again, again_card = train_god(TINY, None, corpus=small_corpus)
    for (name, first), (_, second) in zip(
        god.model.state_dict().items(), again.model.state_dict().items(), strict=True
    ):
        assert torch.equal(first, second), name
    assert card["metrics"] == again_card["metrics"]
    assert card["final_loss"] < 4.0, "well below ln(vocabulary) ≈ 5.8 of an untrained god"
    metrics = card["metrics"]
    assert {"train_exact_match", "heldout_exact_match", "context_exact_match"} <= set(metrics)


def test_save_then_load_gives_identical_logits(tiny_god, tmp_path) -> None:
    god, card = tiny_god
    god.save(tmp_path, card)
    assert (tmp_path / "model.safetensors").is_file()
    loaded = God.load(tmp_path)
    ids = torch.tensor([god.codec.prompt_ids(("fire", "time", "candle"))])
    with torch.inference_mode():
        assert torch.equal(god.model(input_ids=ids).logits, loaded.model(input_ids=ids).logits)
    assert loaded.card["settings"]["size"] == "tiny"


def test_decoding_only_yields_valid_scenes(tiny_god, small_corpus) -> None:
    god, _ = tiny_god
    untrained = new_god("tiny", load_lexicon(), seed=3)
    questions = [e.question for group in small_corpus.heldout.values() for e in group][:300]
    for model in (god, untrained):
        for scene in model.answer_batch([Request(q) for q in questions]):
            assert is_valid_scene(scene), scene
            assert not set(scene) & OPERATORS
    sampled = untrained.answer_batch([Request(q) for q in questions], temperature=1.5, seed=1)
    assert all(is_valid_scene(scene) for scene in sampled)
    assert sampled == untrained.answer_batch(
        [Request(q) for q in questions], temperature=1.5, seed=1
    )


def test_batched_answers_equal_one_at_a_time(tiny_god, small_corpus) -> None:
    god, _ = tiny_god
    context = Exchange(("cycle", "night"), ("dawn",))
    requests = [
        Request(e.question, context if i % 3 == 0 else None)
        for i, e in enumerate(small_corpus.train["mixture"][:40])
    ]
    batched = god.answer_batch(requests)
    assert batched == [god.answer_batch([r])[0] for r in requests]


def test_overlong_or_empty_questions_are_silence(tiny_god) -> None:
    god, _ = tiny_god
    assert god.answer(()) == SILENT
    assert god.answer(("fire",) * 40) == SILENT
