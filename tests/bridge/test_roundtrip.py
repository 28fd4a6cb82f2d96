"""Glyphs → text → glyphs returns the same scene, for the scenes the oracle answers with."""

from __future__ import annotations

import random

import pytest

from core.bridge.metrics import answer_scenes, roundtrip, roundtrip_failures
from core.language.oracle import OPERATORS

TARGET = 0.99


@pytest.fixture(scope="module")
def oracle_scenes() -> list[tuple[str, ...]]:
    try:
        return answer_scenes(contemplations=1_500, seed=1)
    except (OSError, ValueError) as error:
        pytest.skip(f"no rule base to draw answers from: {error}")


@pytest.fixture(scope="module")
def synthetic_scenes(lexicon) -> list[tuple[str, ...]]:
    """Every concept alone, and random contemplations and processes over all concepts."""
    concepts = [e.key for e in lexicon if e.key not in OPERATORS and e.key != "silence"]
    rng = random.Random(5)
    scenes = [(key,) for key in concepts] + [("silence",)]
    for _ in range(600):
        scenes.append((*rng.sample(concepts, rng.randint(1, 4)), "unity"))
        scenes.append(tuple(rng.sample(concepts, 3)))
    return scenes


@pytest.mark.parametrize("language", ["en", "ru"])
def test_oracle_answers_read_back(bridge, oracle_scenes, language: str) -> None:
    failures = list(roundtrip_failures(bridge, oracle_scenes, language))
    assert roundtrip(bridge, oracle_scenes, language) >= TARGET, failures[:20]
    assert not failures, failures[:20]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_synthetic_scenes_read_back(bridge, synthetic_scenes, language: str) -> None:
    failures = list(roundtrip_failures(bridge, synthetic_scenes, language))
    assert len(failures) <= len(synthetic_scenes) * (1 - TARGET), failures[:20]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_question_scenes_read_back(bridge, lexicon, language: str) -> None:
    """Questions spoken from glyphs (/translate of a glyph message) read back too."""
    scenes = [
        ("alembic", "fire", "water"),
        ("alembic", "growth", "flame"),
        ("alembic", "salt", "water", "fire"),
        ("opposition", "fire"),
        ("then",),
    ]
    assert list(roundtrip_failures(bridge, scenes, language)) == []


def test_seed_answers_read_back(bridge) -> None:
    for language in ("en", "ru"):
        assert roundtrip(bridge, ["⟁☰☉⚭", "♁🜂🜍", "◌"], language) == 1.0
