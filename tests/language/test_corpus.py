"""The corpus: deterministic, with a held-out split of new compositions of known facts."""

from __future__ import annotations

import itertools

import pytest

from core.language.corpus import COMPOSITE_CONSTRUCTS, DialogueSampler, build_corpus
from core.language.oracle import MIXTURE, SILENT, THEN, UNARY_OPERATORS, answer, load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def corpus(rules):
    return build_corpus(rules, seed=7, contemplations=3000, silences=400)


def test_same_seed_same_corpus(rules, corpus) -> None:
    again = build_corpus(rules, seed=7, contemplations=3000, silences=400)
    assert again.train == corpus.train and again.heldout == corpus.heldout
    other = build_corpus(rules, seed=8, contemplations=3000, silences=400)
    assert other.heldout_questions() != corpus.heldout_questions()


def test_large_enough_not_to_memorise(corpus) -> None:
    total = len(corpus.train_questions()) + len(corpus.heldout_questions())
    assert total >= 5000
    assert len(corpus.heldout_questions()) >= 500


def test_heldout_never_occurs_in_training(corpus) -> None:
    assert not corpus.train_questions() & corpus.heldout_questions()


def test_heldout_is_compositions_of_trained_facts(rules, corpus) -> None:
    trained = corpus.train_questions()
    assert set(corpus.heldout) <= {*COMPOSITE_CONSTRUCTS, "silence"}
    for example in corpus.heldout.get("chain", []):
        *operators, concept = example.question
        value = concept
        for operator, step in zip(reversed(operators), example.answer, strict=False):
            if step == "silence":
                assert answer((operator, value)) == SILENT, "the path stops where no fact is"
                break
            assert (operator, value) in trained, "every step of a held-out chain is a trained fact"
            assert answer((operator, value)) == (step,)
            value = step
    for example in corpus.heldout.get("mixture3", []):
        _, first, second, third = example.question
        assert (MIXTURE, first, second) in trained
        (mixed,) = answer((MIXTURE, first, second))
        assert example.answer[0] == mixed
        if example.answer[1] != "silence":
            assert {(MIXTURE, mixed, third), (MIXTURE, third, mixed)} <= trained
    for example in corpus.heldout.get("essence_many", []):
        assert all((concept,) in trained for concept in example.question)


def test_every_atomic_fact_is_trained(rules, corpus) -> None:
    trained = corpus.train_questions()
    for operator, relation in UNARY_OPERATORS.items():
        for concept in rules.relation(relation):
            assert (operator, concept) in trained
    for pair in rules.mixture:
        for first, second in itertools.permutations(pair):
            assert (MIXTURE, first, second) in trained


def test_answers_agree_with_the_oracle(corpus) -> None:
    for group in itertools.chain(corpus.train.values(), corpus.heldout.values()):
        for example in group[:200]:
            assert answer(example.question) == example.answer


def test_dialogues_carry_context_and_are_deterministic(rules, corpus) -> None:
    first = DialogueSampler(corpus, rules, seed=3).dialogue(6)
    assert first == DialogueSampler(corpus, rules, seed=3).dialogue(6)
    assert first[0].context is None
    for previous, turn in itertools.pairwise(first):
        assert turn.context is not None
        assert turn.context.question == previous.question
        assert turn.context.answer == previous.answer
    sampler = DialogueSampler(corpus, rules, seed=4, then_share=0.5)
    thens = [t for t in itertools.islice(sampler.examples(), 400) if t.question == (THEN,)]
    assert len(thens) > 50
    assert all(t.answer == answer(t.question, [t.context]) for t in thens)
