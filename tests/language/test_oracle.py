"""The oracle: the god's logic over the shipped rule base."""

from __future__ import annotations

import pytest

from core.language.lexicon import load_lexicon
from core.language.oracle import (
    MIXTURE,
    SILENT,
    THEN,
    UNARY_OPERATORS,
    UNITY,
    Exchange,
    RulesError,
    answer,
    load_rules,
    parse_rules,
    read_question,
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_seed_exchanges_are_answers_of_the_oracle(rules) -> None:
    assert answer(("fire", "time", "candle")) == ("growth", "law", "sun", "unity")
    assert answer(("alembic", "growth", "flame")) == ("matter", "fire", "transformation")
    lexicon = load_lexicon()
    glyphs = [lexicon.keys_of(text) for text in ("🜂⧖🕯", "⚗⟁🔥")]
    assert lexicon.glyphs(answer(tuple(glyphs[0]))) == "⟁☰☉⚭"
    assert lexicon.glyphs(answer(tuple(glyphs[1]))) == "♁🜂🜍"


@pytest.mark.parametrize("operator", sorted(UNARY_OPERATORS))
def test_every_unary_relation_answers_its_facts(rules, operator: str) -> None:
    relation = rules.relation(UNARY_OPERATORS[operator])
    assert len(relation) >= 40
    for concept, expected in relation.items():
        assert answer((operator, concept)) == (expected,)


def test_opposites_are_symmetric_and_cycles_close(rules) -> None:
    for concept, other in rules.opposite.items():
        assert rules.opposite[other] == concept
    for cycle in rules.cycles:
        walk = cycle[0]
        for _ in cycle:
            walk = rules.next[walk]
        assert walk == cycle[0]
    assert rules.next["dawn"] == "day" and rules.next["day"] == "dusk"
    assert rules.next["dusk"] == "night" and rules.next["night"] == "dawn"


def test_mixtures_are_unordered_and_fold_left(rules) -> None:
    assert len(rules.mixture) >= 250
    for pair, result in rules.mixture.items():
        first, second = sorted(pair)
        assert answer((MIXTURE, first, second)) == result == answer((MIXTURE, second, first))
    folds = 0
    for pair, result in rules.mixture.items():
        first, second = sorted(pair)
        if len(result) != 1:
            continue
        for third in sorted(rules.essence):
            if third in pair or rules.mix(result[0], third) is None:
                continue
            second_step = rules.mix(result[0], third)
            expected = second_step[0] if len(second_step) == 1 else "silence"
            assert answer((MIXTURE, first, second, third)) == (result[0], expected)
            folds += 1
    assert folds >= 1000


def test_several_steps_answer_with_the_path(rules) -> None:
    checked = 0
    for concept, cause in rules.causes.items():
        if cause in rules.opposite:
            path = (cause, rules.opposite[cause])
            assert answer(("opposition", "cause", concept)) == path
            checked += 1
    assert checked >= 10
    assert answer(("cycle", "cycle", "cycle", "dawn")) == ("day", "dusk", "night")
    assert answer(("cycle",) * 4 + ("dawn",)) == SILENT, "chains stop at three operators"


def test_a_path_ends_in_silence_where_no_fact_leads_on(rules) -> None:
    lonely = next(c for c in sorted(rules.causes) if rules.causes[c] not in rules.opposite)
    assert answer(("opposition", "cause", lonely)) == (rules.causes[lonely], "silence")
    nothing = next(c for c in sorted(rules.essence) if c not in rules.causes)
    assert answer(("opposition", "cause", nothing)) == SILENT, "no first step: silence alone"


def test_opposite_of_a_mixture(rules) -> None:
    found = 0
    for pair, result in rules.mixture.items():
        if len(result) == 1 and result[0] in rules.opposite:
            first, second = sorted(pair)
            reading = read_question(("opposition", MIXTURE, first, second))
            assert reading.answer == (result[0], rules.opposite[result[0]])
            assert reading.construct == "mixture_chain"
            found += 1
    assert found >= 20


def test_contemplation_gives_essences_joined_by_unity(rules) -> None:
    concepts = sorted(rules.essence)[:4]
    assert answer(concepts[:1]) == (rules.essence[concepts[0]],)
    assert answer(concepts) == (*(rules.essence[c] for c in concepts), UNITY)
    assert answer(concepts + sorted(rules.essence)[4:5]) == SILENT


def test_and_then_depends_on_the_previous_answer(rules) -> None:
    assert answer((THEN,)) == SILENT, "with no context there is nothing to continue"
    dawn = Exchange(("cycle", "night"), ("dawn",))
    assert answer((THEN,), [dawn]) == ("day",)
    day = Exchange((THEN,), ("day",))
    assert answer((THEN,), [dawn, day]) == ("dusk",)
    for concept, becomes in rules.becomes.items():
        if concept not in rules.next:
            assert answer((THEN,), [Exchange((concept,), (concept,))]) == (becomes,)
            break
    assert answer((THEN,), [Exchange(("x",), SILENT)]) == SILENT


def test_nonsense_is_silence(rules) -> None:
    assert answer(()) == SILENT
    assert answer(("fire", "opposition")) == SILENT
    assert answer((MIXTURE, "fire")) == SILENT
    assert answer((MIXTURE, "fire", "fire")) == SILENT
    assert answer(("opposition", "fire", "water")) == SILENT
    assert answer(("silence",)) == SILENT


def test_answers_are_deterministic(rules) -> None:
    questions = [(op, c) for op in UNARY_OPERATORS for c in sorted(rules.essence)[:50]]
    assert [answer(q) for q in questions] == [answer(q) for q in questions]


def test_answers_never_contain_operators(rules) -> None:
    from core.language.oracle import OPERATORS

    for result in rules.mixture.values():
        assert not set(result) & OPERATORS
    for name in ("opposite", "next", "becomes", "causes", "part_of", "essence"):
        assert not set(rules.relation(name).values()) & OPERATORS


def test_broken_rules_are_rejected_with_the_fact_named() -> None:
    lexicon = load_lexicon()
    base = {
        "opposite": {"pairs": [["fire", "water"]]},
        "cycle": {"cycles": [["dawn", "day"]]},
        "becomes": {"facts": []},
        "causes": {"facts": []},
        "part_of": {"facts": []},
        "essence": {"facts": []},
        "mixture": {"pairs": []},
    }
    parse_rules(base, lexicon)
    cases = {
        "not a concept": {"becomes": {"facts": [["fire", "phlogiston"]]}},
        "two results": {"causes": {"facts": [["fire", "ash"], ["fire", "smoke"]]}},
        "two cycles": {"cycle": {"cycles": [["dawn", "day"], ["day", "night"]]}},
        "defined twice": {
            "mixture": {
                "pairs": [
                    {"of": ["fire", "water"], "gives": ["steam"]},
                    {"of": ["water", "fire"], "gives": ["steam"]},
                ]
            }
        },
        "operator": {"essence": {"facts": [["fire", "opposition"]]}},
        "missing table": {"opposite": None},
    }
    for message, change in cases.items():
        data = {**base, **change}
        data = {k: v for k, v in data.items() if v is not None}
        with pytest.raises(RulesError, match=message):
            parse_rules(data, lexicon)
