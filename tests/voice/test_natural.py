"""The writers' labelled natural sentences: well-formed, split once, apart from every test set."""

from __future__ import annotations

import re

import pytest

from core.bridge.metrics import DATASETS, load_sentences
from core.language.lexicon import load_lexicon
from core.voice.natural import DEV_SHARE, NATURAL, is_dev, natural_samples


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold().replace("ё", "е")))


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return load_sentences(NATURAL)


def test_every_sentence_names_lexicon_concepts(records: list[dict[str, object]]) -> None:
    keys = {entry.key for entry in load_lexicon()}
    assert len(records) >= 1000
    for record in records:
        assert record["lang"] in ("ru", "en")
        assert str(record["text"]).strip()
        concepts = list(record["concepts"])  # type: ignore[call-overload]
        assert concepts, record
        assert set(concepts) <= keys, record
    for language in ("ru", "en"):
        assert sum(r["lang"] == language for r in records) >= 500


def test_no_sentence_comes_from_a_test_set(records: list[dict[str, object]]) -> None:
    """Neither the test set, nor the held-back set, nor their typo'd copies are trained on."""
    measured = {_plain(str(r["text"])) for path in DATASETS.values() for r in load_sentences(path)}
    shared = [r["text"] for r in records if _plain(str(r["text"])) in measured]
    assert not shared


def test_the_development_split_is_fixed_and_apart(records: list[dict[str, object]]) -> None:
    train, dev = natural_samples(), natural_samples(dev=True)
    assert len(train) + len(dev) == len(records)
    assert not {s.text for s in train} & {s.text for s in dev}
    assert len(records) / DEV_SHARE * 0.6 < len(dev) < len(records) / DEV_SHARE * 1.4
    assert all(is_dev(s.text) for s in dev)
    assert [s.text for s in natural_samples(dev=True)] == [s.text for s in dev]
