"""Quality and speed of the lexicon bridge on the shipped test sentences and oracle answers.

Run: ``python benchmarks/bridge_lexicon.py`` (add ``--json`` for one JSON document).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.metrics import (
    answer_scenes,
    concept_scores,
    load_sentences,
    roundtrip,
    sentences_per_s,
)

DATA = Path(__file__).parents[1] / "tests" / "data" / "bridge_sentences.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    start = time.perf_counter()
    bridge = LexiconBridge()
    results: dict[str, float] = {"build_s": time.perf_counter() - start}
    sentences = load_sentences(DATA)
    texts = [str(r["text"]) for r in sentences]
    results["cold_sentences_per_s"] = sentences_per_s(bridge, texts)
    results["warm_sentences_per_s"] = sentences_per_s(bridge, texts * 5)
    results.update(concept_scores(bridge, sentences))
    scenes = answer_scenes()
    results["answer_scenes"] = len(scenes)
    for language in ("en", "ru"):
        results[f"roundtrip_{language}"] = roundtrip(bridge, scenes, language)
    if args.json:
        print(json.dumps(results))
        return
    for name, value in results.items():
        print(
            f"{name:<26} {value:>12.4f}" if isinstance(value, float) else f"{name:<26} {value:>12}"
        )


if __name__ == "__main__":
    main()
