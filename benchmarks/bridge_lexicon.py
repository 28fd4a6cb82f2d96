"""Quality and speed of the lexicon bridge on the shipped test sets and oracle answers.

Both paths run in the same process: typo tolerance off (``spelling=False``: what the bridge
was before it heard misspelt words) and on. Speed is warm sentences per second on one thread
over the test set (each sentence heard five times after a first pass), clean and typo'd.

Run: ``python benchmarks/bridge_lexicon.py`` (add ``--json`` for one JSON document).
"""

from __future__ import annotations

import argparse
import json
import os
import time

from core.bridge.lexicon_bridge import LexiconBridge
from core.bridge.metrics import (
    DATASETS,
    answer_scenes,
    concept_scores,
    load_sentences,
    roundtrip,
    sentences_per_s,
)

# build_s is the build itself, not a read of the word-index cache
os.environ["SILENTGOD_CACHE_DIR"] = ""


def measure(spelling: bool, scenes: list) -> dict[str, object]:
    """Build time, warm speed, concept scores on every set and round trips of one path."""
    start = time.perf_counter()
    bridge = LexiconBridge(spelling=spelling)
    results: dict[str, object] = {"build_s": time.perf_counter() - start}
    for name in ("sentences", "typos"):
        texts = [str(r["text"]) for r in load_sentences(DATASETS[name])]
        results[f"cold_sentences_per_s_{name}"] = sentences_per_s(bridge, texts)
        results[f"warm_sentences_per_s_{name}"] = sentences_per_s(bridge, texts * 5)
    for name, path in DATASETS.items():
        results[name] = concept_scores(bridge, path)
    for language in ("en", "ru"):
        results[f"roundtrip_{language}"] = roundtrip(bridge, scenes, language)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()

    scenes = answer_scenes()
    results = {
        "answer_scenes": len(scenes),
        "typo_tolerance_off": measure(False, scenes),
        "typo_tolerance_on": measure(True, scenes),
    }
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'answer_scenes':<34} {len(scenes):>12}")
    for path in ("typo_tolerance_off", "typo_tolerance_on"):
        print(f"== {path}")
        for name, value in results[path].items():  # type: ignore[union-attr]
            if isinstance(value, dict):
                for key, score in value.items():
                    print(f"{name + '.' + key:<34} {score:>12.4f}")
            else:
                print(f"{name:<34} {value:>12.4f}")


if __name__ == "__main__":
    main()
