"""Measurements of a bridge: concept recall and precision, round trips, speed.

``silentgod eval`` reports these; the bridge tests assert the targets on the shipped test set
(``core/bridge/data/bridge_sentences.jsonl``, package data): recall ≥ 0.95 and precision
≥ 0.90 per language, round trip ≥ 0.99. Beside it ship the held-back set
(``held_back.jsonl``: sentences kept out of every training and tuning step) and the typo'd
copies of both (``*.typos.jsonl``, made by ``core.bridge.typos`` with a fixed seed).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from core.bridge.protocol import Bridge
from core.language.lexicon import Lexicon, load_lexicon
from core.language.oracle import (
    MAX_CHAIN,
    MAX_CONTEMPLATED,
    MIXTURE,
    SILENT,
    UNARY_OPERATORS,
    RuleBase,
    Scene,
    answer,
    load_rules,
)
from core.types import LANGUAGES, Language

logger = logging.getLogger(__name__)

Record = Mapping[str, object]

DATA_DIR = Path(__file__).parent / "data"
SENTENCES = DATA_DIR / "bridge_sentences.jsonl"
HELD_BACK = DATA_DIR / "held_back.jsonl"
# The evaluation sets by name: the test set, the held-back set, and their typo'd copies.
DATASETS = {
    "sentences": SENTENCES,
    "typos": DATA_DIR / "bridge_sentences.typos.jsonl",
    "held_back": HELD_BACK,
    "held_back_typos": DATA_DIR / "held_back.typos.jsonl",
}


def load_sentences(path: str | Path) -> list[dict[str, object]]:
    """Records {"lang", "text", "concepts"} of a JSON-lines test set (blank and # lines
    skipped)."""
    records: list[dict[str, object]] = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip() or line.startswith("#"):
                continue
            record = json.loads(line)
            if not {"lang", "text", "concepts"} <= set(record):
                raise ValueError(f"{path}:{number}: a record needs lang, text and concepts")
            records.append(record)
    return records


def _records(dataset: Iterable[Record] | str | Path) -> list[Record]:
    if isinstance(dataset, str | Path):
        return load_sentences(dataset)
    return list(dataset)


def concept_scores(bridge: Bridge, dataset: Iterable[Record] | str | Path) -> dict[str, float]:
    """Micro-averaged concept recall and precision per language (multisets of concept keys).

    Each sentence is heard with its language given; a concept counts as found as many times
    as it occurs in both the gold and the heard scene.
    """
    found = Counter[str]()
    gold_total = Counter[str]()
    heard_total = Counter[str]()
    for record in _records(dataset):
        language = str(record["lang"])
        gold = Counter(str(k) for k in record["concepts"])  # type: ignore[attr-defined]
        heard = Counter(bridge.hear(str(record["text"]), language).concepts)  # type: ignore[arg-type]
        found[language] += sum((gold & heard).values())
        gold_total[language] += sum(gold.values())
        heard_total[language] += sum(heard.values())
    scores: dict[str, float] = {}
    for language in LANGUAGES:
        scores[f"concept_recall_{language}"] = _ratio(found[language], gold_total[language])
        scores[f"concept_precision_{language}"] = _ratio(found[language], heard_total[language])
    return scores


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def roundtrip_failures(
    bridge: Bridge, scenes: Iterable[Sequence[str] | str], language: Language
) -> Iterator[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Scenes whose spoken sentence does not read back: (scene, sentence, heard keys)."""
    lexicon: Lexicon = getattr(bridge, "lexicon", None) or load_lexicon()
    for scene in scenes:
        glyphs = scene if isinstance(scene, str) else lexicon.glyphs(scene)
        spoken = bridge.speak(glyphs, language)
        heard = bridge.hear(spoken.text, language)
        if heard.concepts != spoken.concepts or heard.unknown:
            yield spoken.concepts, spoken.text, heard.concepts


def roundtrip(bridge: Bridge, scenes: Iterable[Sequence[str] | str], language: Language) -> float:
    """Share of scenes (concept keys or glyph strings) that survive glyphs → text → glyphs."""
    scenes = list(scenes)
    if not scenes:
        return 1.0
    failures = sum(1 for _ in roundtrip_failures(bridge, scenes, language))
    return 1 - failures / len(scenes)


def sentences_per_s(bridge: Bridge, sentences: Iterable[Record | str]) -> float:
    """Sentences heard per second, one after another on one thread."""
    texts = [s if isinstance(s, str) else str(s["text"]) for s in sentences]
    if not texts:
        return 0.0
    start = time.perf_counter()
    for text in texts:
        bridge.hear(text)
    elapsed = time.perf_counter() - start
    return len(texts) / elapsed if elapsed > 0 else float("inf")


def answer_scenes(
    rules: RuleBase | None = None, contemplations: int = 2_000, seed: int = 0
) -> list[Scene]:
    """Answer scenes the oracle produces, each once: silence, every concept a relation or a
    mixture answers with, every process scene, the contemplations of a seeded sample of 2–4
    concepts, and the paths of a seeded sample of questions of several steps."""
    rules = rules or load_rules()
    scenes: dict[Scene, None] = {SILENT: None}
    for name in ("opposite", "next", "becomes", "causes", "part_of", "essence"):
        for value in rules.relation(name).values():
            scenes.setdefault((value,), None)
    for result in rules.mixture.values():
        scenes.setdefault(result, None)
    rng = random.Random(seed)
    concepts = sorted(rules.essence)
    for _ in range(contemplations):
        question = tuple(rng.sample(concepts, rng.randint(2, MAX_CONTEMPLATED)))
        scenes.setdefault(answer(question, rules=rules), None)
    # Paths: answers of questions of several steps, some ending in silence.
    operators = sorted(UNARY_OPERATORS)
    pairs = sorted(tuple(sorted(pair)) for pair in rules.mixture)
    for _ in range(contemplations):
        chain = tuple(rng.choice(operators) for _ in range(rng.randint(1, MAX_CHAIN)))
        shape = rng.random()
        if shape < 0.5:
            question: Scene = (*chain, rng.choice(concepts))
        elif shape < 0.75:
            question = (*chain, MIXTURE, *rng.choice(pairs))
        else:
            question = (MIXTURE, *rng.choice(pairs), rng.choice(concepts))
        scenes.setdefault(answer(question, rules=rules), None)
    return list(scenes)


def evaluate(bridge: Bridge, dataset: Iterable[Record] | str | Path) -> dict[str, float]:
    """Everything ``silentgod eval`` shows for a bridge: concept scores, round trips, speed."""
    records = _records(dataset)
    scores = concept_scores(bridge, records)
    try:
        scenes = answer_scenes()
    except (OSError, ValueError) as error:  # no rule base to draw answers from
        logger.warning("no oracle answer scenes for the round trip: %s", error)
        scenes = []
    for language in LANGUAGES:
        scores[f"roundtrip_{language}"] = roundtrip(bridge, scenes, language)
    scores["sentences_per_s"] = sentences_per_s(bridge, records)
    return scores
