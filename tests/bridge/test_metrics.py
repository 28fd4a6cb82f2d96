"""The bridge's measured quality on the hand-written chat sentences meets its targets."""

from __future__ import annotations

from collections import Counter

import pytest

from core.bridge.metrics import SENTENCES as DATA
from core.bridge.metrics import concept_scores, evaluate, load_sentences, sentences_per_s

REQUIRED = """fire water air earth aether salt sulfur mercury gold silver iron copper lead stone ash
smoke steam glass sun moon star sky night day dawn dusk time past future now cycle eternity life
death birth growth decay seed tree flower root fruit heart eye hand mind soul dream memory sleep
voice silence word light darkness heat cold old new strength weakness purity unity separation
law chaos order balance harmony conflict love fear hope truth lie power peace war freedom
transformation creation destruction matter energy motion rest path door key home candle flame
human god animal bird fish snake child mother father friend enemy mountain sea river rain storm
wind cloud snow ice forest field sand question yes no many one all nothing alembic""".split()
OPERATOR_KEYS = ["opposition", "cycle", "becoming", "cause", "part", "alembic", "then"]


@pytest.fixture(scope="module")
def sentences() -> list[dict[str, object]]:
    return load_sentences(DATA)


@pytest.fixture(scope="module")
def scores(bridge, sentences) -> dict[str, float]:
    return concept_scores(bridge, sentences)


def test_the_test_set_is_broad(sentences, lexicon) -> None:
    per_language = Counter(str(r["lang"]) for r in sentences)
    assert per_language["ru"] >= 320 and per_language["en"] >= 320
    for language in ("ru", "en"):
        mentioned = {k for r in sentences if r["lang"] == language for k in r["concepts"]}
        assert set(REQUIRED) | set(OPERATOR_KEYS) <= mentioned, language
    for record in sentences:
        assert all(k in lexicon for k in record["concepts"]), record


@pytest.mark.parametrize("language", ["ru", "en"])
def test_recall_and_precision_meet_targets(scores, language: str) -> None:
    assert scores[f"concept_recall_{language}"] >= 0.95, scores
    assert scores[f"concept_precision_{language}"] >= 0.90, scores


def test_scores_are_multiset_micro_averages(bridge) -> None:
    data = [
        {"lang": "en", "text": "fire fire", "concepts": ["fire"]},
        {"lang": "en", "text": "water", "concepts": ["water", "air"]},
    ]
    scores = concept_scores(bridge, data)
    assert scores["concept_recall_en"] == pytest.approx(2 / 3)
    assert scores["concept_precision_en"] == pytest.approx(2 / 3)
    assert scores["concept_recall_ru"] == 1.0


def test_thousands_of_sentences_per_second(bridge, sentences) -> None:
    texts = [str(r["text"]) for r in sentences]
    bridge.hear(texts[0])
    assert sentences_per_s(bridge, texts) >= 1_000


def test_evaluate_reports_every_measure(bridge, sentences) -> None:
    report = evaluate(bridge, sentences[:40])
    assert set(report) == {
        "concept_recall_ru",
        "concept_recall_en",
        "concept_precision_ru",
        "concept_precision_en",
        "roundtrip_ru",
        "roundtrip_en",
        "sentences_per_s",
    }
    assert report["roundtrip_en"] >= 0.99 and report["roundtrip_ru"] >= 0.99
